// `analyze --backend auto` prints no native noise: Dawn's adapter warnings and Mesa's XDG messages
// stay in the WebGPU probe's child process (kept for --debug), TensorFlow's oneDNN /
// cpu_feature_guard notices are turned off before libtensorflow loads. Runs the real CLI; with
// ACTIVATION_LENS_TFJS_NODE_PATH set (CI sets it) the tensorflow route is measured too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureRuntimeDir } from '../../../src/backend/native-logs';
import { probeScript, probeWebGpuInChild } from '../../../src/backend/webgpu-probe';

const ROOT = resolve(__dirname, '../../..');
const CLI = join(ROOT, 'dist/cli.js');
const ARGS = [
  'analyze',
  '--example',
  'mnist-cnn',
  '--steps',
  '2',
  '--backend',
  'auto',
  '--batch',
  '32',
  '--probe',
  '32',
];

function cli(extra: string[] = []) {
  // A clean environment for what the libraries read: no inherited switches that would hide the noise.
  const env = { ...process.env };
  for (const k of ['TF_CPP_MIN_LOG_LEVEL', 'TF_ENABLE_ONEDNN_OPTS', 'XDG_RUNTIME_DIR']) delete env[k];
  const r = spawnSync(process.execPath, [CLI, ...ARGS, ...extra], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 240_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * TensorFlow ≥ 2.16 logs its oneDNN notice through absl before absl is initialised, past
 * TF_CPP_MIN_LOG_LEVEL (measured with 2.21, also in Python); only TF_ENABLE_ONEDNN_OPTS=0 stops it, at
 * 15–30% of tfjs-node's training speed. Those two lines are the one exception, recognised exactly.
 */
const ABSL_PREINIT =
  /^WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR$/;
const ABSL_ONEDNN = /^I\d{4} [\d:.]+ +\d+ port\.cc:\d+\] oneDNN custom operations are on\./;

test('analyze --backend auto: no Dawn, Mesa or TensorFlow notices on stderr', () => {
  const r = cli();
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /auto: fastest measured/);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  const unexpected = lines.filter((l) => !ABSL_PREINIT.test(l) && !ABSL_ONEDNN.test(l));
  assert.deepEqual(unexpected, [], 'stderr holds only what it must');
  for (const noise of [/XDG_RUNTIME_DIR/, /^Warning:/m, /adapter/i, /cpu_feature_guard/, /vkCreateInstance/])
    assert.doesNotMatch(r.stderr, noise);
  // The absl notice only with the absl banner (a TensorFlow ≤ 2.15 honours TF_CPP_MIN_LOG_LEVEL).
  if (lines.some((l) => ABSL_ONEDNN.test(l))) assert.ok(lines.some((l) => ABSL_PREINIT.test(l)));
});

test('--debug keeps what the WebGPU probe printed, as the engine log', () => {
  const r = cli(['--debug']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /webgpu measured in a child process \(\d+ ms\)/);
  assert.match(r.stderr, /auto: backend chosen in \d+ ms/);
});

test('the WebGPU probe child: a crash, silence or a hang is a reason, never a throw', async () => {
  assert.ok(
    probeScript()?.endsWith('webgpu-probe.js'),
    'the build puts dist/webgpu-probe.js beside the engine',
  );
  const dir = mkdtempSync(join(tmpdir(), 'al-probe-'));
  try {
    const crash = join(dir, 'crash.js');
    writeFileSync(
      crash,
      "process.stderr.write('Warning: no adapter\\nSegmentation fault\\n'); process.exit(139);",
    );
    const crashed = await probeWebGpuInChild(crash);
    assert.deepEqual(crashed.result, {
      ok: false,
      reason:
        'the WebGPU probe process exited with code 139 without a result (last output: Segmentation fault)',
    });
    assert.match(crashed.output, /Warning: no adapter/, 'its output is kept for the debug log');

    const garbled = join(dir, 'garbled.js');
    writeFileSync(garbled, 'process.send({ ok: true, detail: 1 }, () => process.exit(0));');
    assert.deepEqual((await probeWebGpuInChild(garbled)).result, {
      ok: false,
      reason: 'the WebGPU probe sent a malformed result',
    });

    const hang = join(dir, 'hang.js');
    writeFileSync(hang, 'setInterval(() => {}, 1000);');
    const t0 = performance.now();
    const hung = await probeWebGpuInChild(hang, 500);
    assert.deepEqual(hung.result, { ok: false, reason: 'the WebGPU probe did not finish within 0.5 s' });
    assert.ok(performance.now() - t0 < 5000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('XDG_RUNTIME_DIR: a valid one is kept, a missing or open one replaced by a private 0700 dir', () => {
  const saved = process.env.XDG_RUNTIME_DIR;
  const open = mkdtempSync(join(tmpdir(), 'al-xdg-open-'));
  try {
    delete process.env.XDG_RUNTIME_DIR;
    ensureRuntimeDir();
    const made = process.env.XDG_RUNTIME_DIR!;
    if (process.platform !== 'linux') return;
    assert.ok(made, 'set where there was none');
    const s = statSync(made);
    assert.ok(s.isDirectory());
    assert.equal(s.mode & 0o777, 0o700);
    ensureRuntimeDir();
    assert.equal(process.env.XDG_RUNTIME_DIR, made, 'a valid one is kept');

    process.env.XDG_RUNTIME_DIR = open;
    chmodSync(open, 0o755);
    ensureRuntimeDir();
    assert.notEqual(process.env.XDG_RUNTIME_DIR, open, 'a world-readable one is what Mesa complains about');
  } finally {
    if (saved === undefined) delete process.env.XDG_RUNTIME_DIR;
    else process.env.XDG_RUNTIME_DIR = saved;
    rmSync(open, { recursive: true, force: true });
  }
});
