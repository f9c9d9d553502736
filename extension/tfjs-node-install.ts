/**
 * "Install TensorFlow GPU/CPU Backend": `npm install @tensorflow/tfjs-node-gpu` (or tfjs-node) into
 * the extension's global storage — never into the person's project. The install downloads
 * libtensorflow; the GPU one needs CUDA 11.2 + cuDNN 8.1 (docs/architecture.md "Backends"), so both are optional and
 * explicit. The engine finds them through ACTIVATION_LENS_TFJS_NODE_PATH (engineEnvironment).
 */
import * as vscode from 'vscode';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TFJS_NODE_VERSION, packageNameFor, type TfjsNodeKind } from '../src/backend/tfjs-node';
import { npmInvocation } from './npm-command';

export function tfjsNodeFolder(globalStorage: vscode.Uri, kind: TfjsNodeKind): string {
  return join(globalStorage.fsPath, kind === 'gpu' ? 'tfjs-node-gpu' : 'tfjs-node');
}

/** The install prefixes that hold a finished install, GPU first (the engine tries them in order). */
export function installedTfjsNodeFolders(globalStorage: vscode.Uri): string[] {
  return (['gpu', 'cpu'] as const)
    .filter((kind) =>
      existsSync(
        join(tfjsNodeFolder(globalStorage, kind), 'node_modules', packageNameFor(kind), 'package.json'),
      ),
    )
    .map((kind) => tfjsNodeFolder(globalStorage, kind));
}

export async function installTfjsNode(
  kind: TfjsNodeKind,
  globalStorage: vscode.Uri,
  log: vscode.LogOutputChannel,
): Promise<boolean> {
  const pkg = `${packageNameFor(kind)}@${TFJS_NODE_VERSION}`;
  const label = kind === 'gpu' ? 'TensorFlow GPU backend' : 'TensorFlow CPU backend';
  const prefix = tfjsNodeFolder(globalStorage, kind);
  mkdirSync(prefix, { recursive: true });
  const args = ['install', '--no-audit', '--no-fund', '--no-save', '--prefix', prefix, pkg];
  // No shell on any platform: the prefix (VS Code's storage, under the person's home) may hold spaces.
  const npm = npmInvocation(args);
  log.info(`installing the ${label}: npm ${args.map((a) => JSON.stringify(a)).join(' ')}`);
  const result = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Activation Lens: installing the ${label}`,
      cancellable: true,
    },
    (progress, token) =>
      new Promise<{ code: number | null; error: string | null }>((resolve) => {
        if ('error' in npm) {
          resolve({ code: null, error: npm.error });
          return;
        }
        progress.report({ message: `npm install ${pkg} (downloads libtensorflow, a few hundred MB)…` });
        const child = spawn(npm.command, npm.args, { ...npm.options, cwd: prefix, env: process.env });
        token.onCancellationRequested(() => child.kill());
        const forward = (d: Buffer) => {
          for (const line of d.toString('utf8').split('\n')) {
            if (!line.trim()) continue;
            log.info(`[npm] ${line}`);
            progress.report({ message: line.slice(0, 120) });
          }
        };
        child.stdout.on('data', forward);
        child.stderr.on('data', forward);
        child.on('error', (e) => resolve({ code: null, error: e.message }));
        child.on('close', (code) => resolve({ code, error: null }));
      }),
  );
  if (result.code === 0 && installedTfjsNodeFolders(globalStorage).includes(prefix)) {
    log.info(`${label} installed in ${prefix}`);
    void vscode.window.showInformationMessage(
      `Activation Lens: the ${label} is installed (${prefix}). Its native addon needs a plain Node.js 20: set "activationLens.nodePath" to one, and backend "auto" or "tensorflow". The status bar shows the backend each run used.`,
    );
    return true;
  }
  const why = result.error
    ? `npm could not be started (${result.error}); install Node.js with npm and make sure it is on PATH`
    : `npm exited with code ${result.code}`;
  log.error(`${label} install failed: ${why}`);
  const needs =
    kind === 'gpu'
      ? 'It needs CUDA 11.2 and cuDNN 8.1 and network access'
      : 'It needs network access (or TFJS_NODE_CDN_STORAGE set to a mirror)';
  const choice = await vscode.window.showErrorMessage(
    `Activation Lens: installing ${pkg} failed — ${why}. ${needs}; the analysis still runs on the WebGPU, WASM or CPU backends.`,
    'Show Log',
  );
  if (choice === 'Show Log') log.show(true);
  return false;
}
