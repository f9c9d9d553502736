// `activation-lens watch -- python train.py …` and `activation-lens report EVENTS.jsonl` end to end:
// the real CLI, the real listener, the real taps in the test Python. The script's output passes
// through unchanged, the CLI exits with its exit code, and the report holds the advisor's findings
// on the lines that define each module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { missingPythonModules, testPython } from '../../support/python-env';
import { checkEngineEvent, type Report } from '../../../src/protocol';
import { fixtures, repoRoot } from './live-python';

const CLI = resolve(repoRoot, 'dist/cli.js');
const MLP = join(fixtures, 'torch_dead_mlp.py');

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(
  args: string[],
  home: string,
  onStdout?: (text: string, child: ReturnType<typeof spawn>) => void,
): Promise<Ran> {
  return new Promise((done, fail) => {
    // stdin is not a terminal here: the CLI itself passes Ctrl-C (SIGINT) on to the script.
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, HOME: home, ACTIVATION_LENS_ADDRESS: '', ACTIVATION_LENS_TOKEN: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      onStdout?.(stdout, child);
    });
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const noTorch = missingPythonModules(['torch']);

test(
  'watch: the script runs as itself, then the table and the live report with findings on its lines',
  { skip: noTorch ?? false },
  async () => {
    const home = mkdtempSync(join(tmpdir(), 'al-watch-'));
    const out = join(home, 'report.json');
    const r = await cli(['watch', '--json', out, '--every', '5', '--', testPython(), MLP, '40'], home);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^trained 40 steps\n/, "the script's own output comes first, unchanged");
    assert.match(r.stdout, /live run: torch cpu \(PyTorch [^)]+ on cpu\)/);
    assert.match(r.stdout, /relu2 +relu +32 +32 \(100\.0%\)/);
    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    assert.ok(checkEngineEvent({ v: 1, runId: 'r', type: 'run-finished', report }).ok, 'a valid report@1');
    assert.equal(report.origin, 'live');
    assert.equal(report.backend, 'torch cpu');
    assert.equal(report.live?.exitCode, 0);
    assert.deepEqual(report.live?.command?.slice(1), [MLP, '40']);
    assert.equal(report.training.steps, 40);
    assert.deepEqual(
      report.layers.map((l) => [l.name, l.dead.count, l.source?.line]),
      [
        ['relu1', 0, 17],
        ['relu2', 32, 19],
      ],
    );
    assert.deepEqual(
      report.layers[1]!.deadFraction.map((d) => d.step),
      [3, 8, 13, 18, 23, 28, 33, 38, 40],
      'the first probe once 256 samples were seen, then every 5 steps after it, and at the end',
    );
    const dead = report.findings.find((f) => f.kind === 'dead-units');
    assert.equal(dead?.layer, 'relu2');
    assert.deepEqual(dead?.source, { file: MLP, line: 19, column: 22 });
    assert.equal(dead?.suggestion?.kind, 'switch-to-elu');

    // The stream the taps wrote without a dashboard re-opens to the same findings.
    const runs = join(home, '.activation-lens', 'runs');
    const [runId] = existsSync(runs) ? (await import('node:fs')).readdirSync(runs) : [];
    assert.ok(runId, 'the taps kept their own events file');
    const again = await cli(
      ['report', join(runs, runId, 'events.jsonl'), '--json', join(home, 'again.json')],
      home,
    );
    assert.equal(again.code, 0, again.stderr);
    const reopened = JSON.parse(readFileSync(join(home, 'again.json'), 'utf8')) as Report;
    assert.deepEqual(
      reopened.findings.map((f) => [f.kind, f.layer, f.message]),
      report.findings.map((f) => [f.kind, f.layer, f.message]),
    );
    assert.deepEqual(reopened.layers, report.layers);
    assert.match(again.stdout, /relu2: 32 of 32 units \(100%\) are dead/);
  },
);

test(
  "watch: the exit code is the script's, and Ctrl-C reaches it once: it ends its run itself",
  { skip: noTorch ?? false },
  async () => {
    const home = mkdtempSync(join(tmpdir(), 'al-watch-'));
    const failed = await cli(
      ['watch', '--', testPython(), join(fixtures, 'torch_exit.py'), 'exit', '7'],
      home,
    );
    assert.equal(failed.code, 7, failed.stderr);
    assert.match(failed.stdout, /^trained\n/);
    assert.match(failed.stdout, /Activation Lens — Sequential/);

    const out = join(home, 'interrupted.json');
    let sent = false;
    const r = await cli(
      ['watch', '--json', out, '--every', '2', '--', testPython(), MLP, 'forever'],
      home,
      (text, child) => {
        if (!sent && text.includes('training')) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    );
    assert.ok(sent);
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /KeyboardInterrupt/);
    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    assert.equal(report.live?.exitCode, 130);
    assert.equal(report.cancelled, false, 'the script ended its own run: final probe and live-ended');
    assert.ok(report.training.steps >= 9);
  },
);

test('watch: one clear message for a missing interpreter, and for a command that never connects', async () => {
  const home = mkdtempSync(join(tmpdir(), 'al-watch-'));
  const missing = await cli(['watch', '--python', join(home, 'no-python'), '--', MLP], home);
  assert.equal(missing.code, 1);
  assert.match(
    missing.stderr,
    /no-python: no such Python interpreter — choose the Python your training uses/,
  );
  const other = await cli(
    ['watch', '--', process.execPath, '-e', 'console.log("hi"); process.exit(3)'],
    home,
  );
  assert.equal(other.code, 3);
  assert.equal(other.stdout, 'hi\n');
  assert.match(other.stderr, /is not `python SCRIPT\.py`/);
  assert.match(
    other.stderr,
    /ended \(exit status 3\) without the live taps connecting: nothing was measured/,
  );
  const usage = await cli(['watch', '--every', '0', '--', 'x'], home);
  assert.equal(usage.code, 1);
  assert.match(usage.stderr, /--every must be an integer ≥ 1/);
});

test('report: a file that is not an events stream is refused with its name', async () => {
  const home = mkdtempSync(join(tmpdir(), 'al-report-'));
  const r = await cli(['report', join(home, 'missing.jsonl')], home);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /missing\.jsonl: no such file/);
});
