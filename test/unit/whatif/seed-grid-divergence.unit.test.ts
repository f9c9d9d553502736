// The seed grid marks an arm that diverged: its test numbers say nothing about its activation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SeedGridArm, SeedGridResult } from '../../../src/whatif/seed-grid';
import { seedGridTable } from '../../../src/whatif/seed-grid-table';

function arm(name: string, diverged: string | null): SeedGridArm {
  return {
    name,
    activation: name.startsWith('ELU') ? 'elu' : 'relu',
    init: name.endsWith('He') ? 'he' : 'glorot',
    testLoss: diverged ? 14.5 : 0.3,
    testAccuracy: diverged ? 0.1 : 0.92,
    trainLoss: diverged ? 14.6 : 0.33,
    msPerStep: 10,
    layers: [],
    diverged,
  };
}

test('a diverged arm is named under the grid with why; healthy arms are not', () => {
  const r: SeedGridResult = {
    model: 'mnist-cnn',
    data: { name: 'digits', train: 8000, test: 2000, probe: 256 },
    budget: { epochs: null, steps: 40, batch: 250, samplesPerArm: 10000 },
    seed: 42,
    backend: 'wasm',
    backendDetail: 'wasm',
    alpha: 1,
    switched: ['dense'],
    arms: [
      arm('ReLU / Glorot', 'loss 2.29 → 14.6, accuracy at chance'),
      arm('ELU / Glorot', null),
      arm('ReLU / He', null),
      arm('ELU / He', null),
    ],
    wallSeconds: 1,
    cancelled: false,
  };
  const lines = seedGridTable(r).split('\n');
  const marked = lines.filter((l) => /DIVERGED/.test(l));
  assert.deepEqual(marked, [
    'ReLU / Glorot DIVERGED (loss 2.29 → 14.6, accuracy at chance): its numbers say nothing about the activation; lower the learning rate.',
  ]);
});
