import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  analyzeModelLensTitle,
  formatMean,
  formatPercent,
  instancesLensTitle,
  layerLensTitle,
} from '../../../extension/lens-text';
import { probe } from './fixtures';

test('the lens reads "dense · 41% dead (105/256) · mean +0.38 ↑"', () => {
  const first = probe('dense', 0, 3, 256, 0.12);
  const latest = probe('dense', 120, 105, 256, 0.38);
  assert.equal(layerLensTitle('dense', 'relu', first, latest), 'dense · 41% dead (105/256) · mean +0.38 ↑');
});

test('a falling mean shows ↓, an unchanged one no arrow', () => {
  const first = probe('conv2d', 0, 0, 32, 0.5);
  assert.equal(
    layerLensTitle('conv2d', 'relu', first, probe('conv2d', 9, 0, 32, 0.2)),
    'conv2d · 0% dead (0/32) · mean +0.20 ↓',
  );
  assert.equal(
    layerLensTitle('conv2d', 'relu', first, probe('conv2d', 9, 0, 32, 0.501)),
    'conv2d · 0% dead (0/32) · mean +0.50',
  );
});

test('ELU layers report saturation, not death', () => {
  const sat = { count: 4, fraction: 4 / 64, units: [1, 2, 3, 4] };
  const p = probe('dense_1', 50, 0, 64, -0.05, { saturated: sat });
  assert.equal(
    layerLensTitle('dense_1', 'elu', probe('dense_1', 0, 0, 64, 0.1), p),
    'dense_1 · 6% saturated (4/64) · mean -0.05 ↓',
  );
});

test('ThresholdedReLU layers can die: the lens counts dead units', () => {
  const sat = { count: 4, fraction: 4 / 64, units: [1, 2, 3, 4] };
  const p = probe('thr', 50, 8, 64, 0.2, { saturated: sat });
  assert.equal(
    layerLensTitle('thr', 'thresholded_relu', probe('thr', 0, 0, 64, 0.2), p),
    'thr · 13% dead (8/64) · mean +0.20',
  );
});

test('formatting edge cases', () => {
  assert.equal(formatPercent(0.001), '<1%');
  assert.equal(formatPercent(0), '0%');
  assert.equal(formatPercent(1), '100%');
  assert.equal(formatMean(-0.001), '-0.00');
  assert.equal(formatMean(0), '+0.00');
});

test('a line that builds several layers: total share, the worst by name, the mean range', () => {
  const t = (layer: string, dead: number, mean: number) => ({
    layer,
    first: probe(layer, 0, 0, 64, 0),
    latest: probe(layer, 90, dead, 64, mean),
  });
  assert.equal(
    instancesLensTitle('relu', 8, [
      t('layer3_0_relu', 4, 0.2),
      t('layer3_1_relu', 26, 0.61),
      t('layer3_2_relu', 0, 0.3),
    ]),
    'relu ×8 (3 of 8 probed) · 16% dead (30/192) · worst layer3_1_relu 41% · mean +0.20…+0.61',
  );
  assert.equal(
    instancesLensTitle('relu', 2, [t('a', 0, 0.1), t('b', 0, 0.1)]),
    'relu ×2 · 0% dead (0/128) · mean +0.10',
  );
  assert.equal(analyzeModelLensTitle('discriminator'), '▶ Analyze discriminator');
});
