// The whole analysis on the WebGPU route (a software adapter in CI): the CLI's probe-only report on
// webgpu agrees with the cpu backend's for the same seeded model and probe set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report } from '../../../src/protocol';

const CLI = join(__dirname, '..', '..', '..', 'dist', 'cli.js');
const tmp = mkdtempSync(join(tmpdir(), 'al-webgpu-'));

function analyze(
  backend: string,
  extra: string[] = [],
): { code: number | null; stderr: string; report: Report | null } {
  const out = join(tmp, `${backend}.json`);
  const r = spawnSync(
    process.execPath,
    [CLI, 'analyze', '--probe', '48', '--backend', backend, '--json', out, ...extra],
    {
      encoding: 'utf8',
      timeout: 300_000,
    },
  );
  return {
    code: r.status,
    stderr: r.stderr,
    report: r.status === 0 ? (JSON.parse(readFileSync(out, 'utf8')) as Report) : null,
  };
}

test('probe-only analysis on webgpu matches cpu (dead units exact, means within 1e-4)', (t) => {
  const gpu = analyze('webgpu', ['--steps', '0']);
  if (gpu.code !== 0 && /webgpu backend cannot run here/.test(gpu.stderr))
    return t.skip(`no WebGPU adapter: ${gpu.stderr.trim().slice(0, 200)}`);
  assert.equal(gpu.code, 0, gpu.stderr);
  const cpu = analyze('cpu', ['--steps', '0']);
  assert.equal(cpu.code, 0, cpu.stderr);
  assert.equal(gpu.report!.backend, 'webgpu');
  assert.equal(cpu.report!.backend, 'cpu');
  assert.deepEqual(
    gpu.report!.layers.map((l) => l.name),
    cpu.report!.layers.map((l) => l.name),
  );
  gpu.report!.layers.forEach((g, i) => {
    const c = cpu.report!.layers[i]!;
    assert.deepEqual(g.dead.units, c.dead.units, `${g.name} dead units`);
    assert.ok(
      Math.abs(g.mean - c.mean) <= 1e-4 * Math.max(1, Math.abs(c.mean)),
      `${g.name} mean ${g.mean} vs ${c.mean}`,
    );
    assert.ok(Math.abs(g.std - c.std) <= 1e-4 * Math.max(1, c.std), `${g.name} std ${g.std} vs ${c.std}`);
    assert.deepEqual(g.histogram.edges.length, c.histogram.edges.length);
  });
});

test('a short training run with probes completes on webgpu and names the adapter', (t) => {
  const gpu = analyze('webgpu', ['--steps', '2', '--batch', '16', '--every', '1', '--no-validate']);
  if (gpu.code !== 0 && /webgpu backend cannot run here/.test(gpu.stderr)) return t.skip('no WebGPU adapter');
  assert.equal(gpu.code, 0, gpu.stderr);
  const r = gpu.report!;
  assert.equal(r.training.steps, 2);
  assert.match(r.backendDetail, /WebGPU \(Dawn\)/);
  assert.deepEqual(
    r.layers[0]!.meanDrift.map((m) => m.step),
    [0, 1, 2],
  );
  assert.ok(r.training.loss.every(Number.isFinite));
});
