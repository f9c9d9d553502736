// The live Keras taps and the TF.js engine on the same model, weights and probe set: the same
// fire counts and dead units, exactly (the model's arithmetic is exact in float32 by construction).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingPythonModules } from '../../support/python-env';
import type { EngineEvent, LayerProbe, ProbeEvent } from '../../../src/protocol';
import { pythonDir, repoRoot, runPython } from './live-python';

const missing = missingPythonModules(['keras', 'tensorflow', 'numpy', 'h5py']);
test(
  'live Keras taps and the TF.js engine report the same fire counts',
  { skip: missing ?? false },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'al-live-parity-'));
    const made = await runPython(['make_engine_parity.py', dir], { HOME: dir }, join(pythonDir, 'tests'));
    assert.equal(made.code, 0, made.stderr);
    const live = JSON.parse(readFileSync(join(dir, 'live-probe.json'), 'utf8')) as {
      probe: ProbeEvent;
      deadChannels: number[];
      deadUnits: number[];
    };
    const engine = spawnSync(
      process.execPath,
      [
        join(repoRoot, 'dist/cli.js'),
        'analyze',
        join(dir, 'model.h5'),
        '--steps',
        '0',
        '--probe',
        '16',
        '--data',
        join(dir, 'data.npz'),
        '--backend',
        'cpu',
        '--no-validate',
        '--events',
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    assert.equal(engine.status, 0, engine.stderr);
    const events = engine.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as EngineEvent);
    const probe = events.find((e): e is ProbeEvent => e.type === 'probe')!;
    const byName = new Map<string, LayerProbe>(live.probe.layers.map((l) => [l.layer, l]));
    assert.deepEqual(
      probe.layers.map((l) => l.layer),
      ['conv', 'hidden', 'out'],
    );
    for (const e of probe.layers) {
      const l = byName.get(e.layer)!;
      assert.ok(l, `live taps have ${e.layer}`);
      assert.equal(l.observationsPerUnit, e.observationsPerUnit, e.layer);
      assert.deepEqual(l.fireCount, e.fireCount, e.layer);
      assert.deepEqual(l.dead.units, e.dead.units, e.layer);
      assert.deepEqual(l.dormant.units, e.dormant.units, e.layer);
      assert.ok(Math.abs(l.mean - e.mean) < 1e-6, `${e.layer} mean ${l.mean} vs ${e.mean}`);
      assert.ok(Math.abs(l.max - e.max) < 1e-6, `${e.layer} max`);
    }
    const conv = byName.get('conv')!;
    const hidden = byName.get('hidden')!;
    assert.ok(live.deadChannels.every((c) => conv.dead.units.includes(c)));
    assert.ok(live.deadUnits.every((u) => hidden.dead.units.includes(u)));
    assert.ok(
      hidden.fireCount.some((c) => c > 0 && c < 16),
      'some units fire on only part of the probe set',
    );
  },
);
