// npm runs without a shell on every platform, so an install prefix with spaces stays one argument.
import { reset, recorded, Uri, window } from './fake-vscode';
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type * as vscode from 'vscode';
import { npmInvocation, type NpmHost } from '../../../extension/npm-command';
import { installTfjsNode } from '../../../extension/tfjs-node-install';

beforeEach(reset);

const PREFIX =
  'C:\\Users\\Ada Lovelace\\AppData\\Roaming\\Code\\User\\globalStorage\\activation-lens.activation-lens\\tfjs-node';
const ARGS = [
  'install',
  '--no-audit',
  '--no-fund',
  '--no-save',
  '--prefix',
  PREFIX,
  '@tensorflow/tfjs-node@4.22.0',
];

function windows(files: string[], env: NodeJS.ProcessEnv): NpmHost {
  const set = new Set(files.map((f) => f.toLowerCase()));
  return { platform: 'win32', env, exists: (f) => set.has(f.toLowerCase()) };
}

test('Windows, the Node.js installer: node.exe runs npm-cli.js directly, no shell, the prefix one argument', () => {
  const dir = 'C:\\Program Files\\nodejs';
  const npm = npmInvocation(
    ARGS,
    windows([`${dir}\\npm.cmd`, `${dir}\\node.exe`, `${dir}\\node_modules\\npm\\bin\\npm-cli.js`], {
      Path: `C:\\Windows\\system32;"${dir}"`,
    }),
  );
  assert.deepEqual(npm, {
    command: `${dir}\\node.exe`,
    args: [`${dir}\\node_modules\\npm\\bin\\npm-cli.js`, ...ARGS],
    options: { shell: false },
  });
});

test('Windows, npm updated into %AppData%\\npm: its npm-cli.js with the node.exe found on PATH', () => {
  const npmDir = 'C:\\Users\\Ada Lovelace\\AppData\\Roaming\\npm';
  const nodeDir = 'C:\\Program Files\\nodejs';
  const npm = npmInvocation(
    ARGS,
    windows(
      [
        `${npmDir}\\npm.cmd`,
        `${npmDir}\\node_modules\\npm\\bin\\npm-cli.js`,
        `${nodeDir}\\npm.cmd`,
        `${nodeDir}\\node.exe`,
      ],
      {
        PATH: `${npmDir};${nodeDir}`,
      },
    ),
  );
  assert.ok(!('error' in npm));
  assert.equal(npm.command, `${nodeDir}\\node.exe`);
  assert.equal(npm.args[0], `${npmDir}\\node_modules\\npm\\bin\\npm-cli.js`);
  assert.equal(npm.args.at(-2), PREFIX);
});

test('Windows, an opaque shim: cmd.exe with each argument quoted, verbatim; unquotable arguments refused', () => {
  const shim = 'C:\\Users\\Ada Lovelace\\scoop\\shims';
  const host = windows([`${shim}\\npm.cmd`], { Path: shim, ComSpec: 'C:\\WINDOWS\\system32\\cmd.exe' });
  const npm = npmInvocation(ARGS, host);
  assert.ok(!('error' in npm));
  assert.equal(npm.command, 'C:\\WINDOWS\\system32\\cmd.exe');
  assert.deepEqual(npm.options, { shell: false, windowsVerbatimArguments: true });
  assert.deepEqual(npm.args.slice(0, 3), ['/d', '/s', '/c']);
  assert.equal(
    npm.args[3],
    `""${shim}\\npm.cmd" "install" "--no-audit" "--no-fund" "--no-save" "--prefix" "${PREFIX}" "@tensorflow/tfjs-node@4.22.0""`,
  );
  const refused = npmInvocation(['install', '--prefix', 'C:\\Users\\100%\\x'], host);
  assert.ok('error' in refused && /would alter the argument C:\\Users\\100%\\x/.test(refused.error));
  assert.deepEqual(npmInvocation(ARGS, windows([], { Path: shim })), {
    error: 'npm.cmd was not found on PATH',
  });
});

test('POSIX: `npm` itself, no shell, arguments untouched', () => {
  const npm = npmInvocation(['install', '--prefix', '/home/ada/My Storage/x'], {
    platform: 'linux',
    env: {},
    exists: () => false,
  });
  assert.deepEqual(npm, {
    command: 'npm',
    args: ['install', '--prefix', '/home/ada/My Storage/x'],
    options: { shell: false },
  });
});

test('the installer, for real: an npm on PATH receives a storage prefix with spaces as one argument', async () => {
  if (process.platform === 'win32') return; // the Windows construction is covered above
  const root = mkdtempSync(join(tmpdir(), 'al npm '));
  const bin = join(root, 'bin');
  mkdirSync(bin);
  const argvFile = join(root, 'argv.json');
  // A stand-in npm: records its arguments and "installs" the package where --prefix says.
  writeFileSync(
    join(bin, 'npm'),
    `#!${process.execPath}
const fs = require('node:fs'), path = require('node:path');
const args = process.argv.slice(2);
fs.writeFileSync(${JSON.stringify(argvFile)}, JSON.stringify(args));
const prefix = args[args.indexOf('--prefix') + 1];
const pkg = path.join(prefix, 'node_modules', '@tensorflow', 'tfjs-node');
fs.mkdirSync(pkg, { recursive: true });
fs.writeFileSync(path.join(pkg, 'package.json'), '{}');
console.log('added 1 package');
`,
  );
  chmodSync(join(bin, 'npm'), 0o755);
  const storage = join(root, 'Global Storage (test) & more');
  const savedPath = process.env.PATH;
  process.env.PATH = `${bin}${delimiter}${savedPath ?? ''}`;
  try {
    const log = window.createOutputChannel('t') as unknown as vscode.LogOutputChannel;
    const ok = await installTfjsNode('cpu', Uri.file(storage) as unknown as vscode.Uri, log);
    assert.equal(ok, true, recorded.log.join('\n'));
    const argv = JSON.parse(readFileSync(argvFile, 'utf8')) as string[];
    assert.equal(argv[argv.indexOf('--prefix') + 1], join(storage, 'tfjs-node'));
    assert.ok(
      existsSync(join(storage, 'tfjs-node', 'node_modules', '@tensorflow', 'tfjs-node', 'package.json')),
    );
    assert.ok(recorded.log.some((l) => l === 'info [npm] added 1 package'));
  } finally {
    process.env.PATH = savedPath;
  }
});
