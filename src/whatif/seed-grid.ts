/**
 * The seed article's experiment in one run: {ReLU, ELU} × {Glorot, He} on one model and one data set,
 * every arm with the same batches, dropout seeds and budget (trained interleaved), scored on the
 * held-out test set, plus what the article could not see: per-layer dead fraction and mean activation.
 * The hidden rectifier layers are the ones switched and re-initialised; the output layer keeps the
 * model's own initialiser in every arm, as in the article's Keras code.
 */
import type * as tfType from '@tensorflow/tfjs';
import { detectDivergence, whyDiverged } from '../advisor/divergence';
import { layerSeries } from '../advisor/run-fault';
import { runArms, type ArmSetup, type CancelToken } from '../analysis/arm-runner';
import type { Prepared } from '../analysis/prepare';
import type { Split } from '../data/splits';
import { buildModel } from '../model/build/build';
import type { ModelSpec } from '../model/spec';
import type { Emit } from '../protocol';
import { defaultRunConfig } from '../run-config';
import { eluVariant, HE_INIT, switchableLayers } from './elu-variant';
import { copyMatchingWeights } from './shared-weights';

export const GLOROT_INIT = 'glorot_uniform';

export interface SeedGridLayer {
  layer: string;
  activation: string;
  units: number;
  /** ReLU: dead units / units. ELU cannot die: 0, and `saturatedFraction` says how many sit at −α. */
  deadFraction: number;
  saturatedFraction: number;
  mean: number;
  mean0: number;
}

export interface SeedGridArm {
  name: string;
  activation: 'relu' | 'elu';
  init: 'glorot' | 'he';
  testLoss: number;
  testAccuracy: number;
  /** Mean training loss over the last 10% of steps. */
  trainLoss: number;
  msPerStep: number;
  layers: SeedGridLayer[];
  /** Why this arm diverged (the advisor's rule), or null: a diverged arm says nothing about its activation. */
  diverged: string | null;
}

export interface SeedGridResult {
  model: string;
  data: { name: string; train: number; test: number; probe: number };
  budget: { epochs: number | null; steps: number; batch: number; samplesPerArm: number };
  seed: number;
  backend: string;
  backendDetail: string;
  alpha: number;
  switched: string[];
  arms: SeedGridArm[];
  wallSeconds: number;
  cancelled: boolean;
}

export interface SeedGridOptions {
  seed: number;
  alpha: number;
  epochs: number | null;
  /** Evaluate on this held-out split after training (the article's test set). */
  test: Split;
}

/** `prepared.splits.validation` is unused: the grid scores on `options.test` once, at the end. */
export async function runSeedGrid(
  p: Prepared,
  options: SeedGridOptions,
  emit: Emit,
  cancel: CancelToken,
): Promise<SeedGridResult> {
  const { tf, spec } = p;
  const hidden = switchableLayers(spec);
  const variants: { name: string; activation: 'relu' | 'elu'; init: 'glorot' | 'he'; spec: ModelSpec }[] = [];
  for (const init of ['glorot', 'he'] as const) {
    for (const activation of ['relu', 'elu'] as const) {
      const v = eluVariant(spec, {
        switchLayers: activation === 'elu' ? hidden : [],
        heInitLayers: hidden,
        alpha: options.alpha,
        initializer: init === 'he' ? HE_INIT : GLOROT_INIT,
      });
      variants.push({
        name: `${activation === 'elu' ? 'ELU' : 'ReLU'} / ${init === 'he' ? 'He' : 'Glorot'}`,
        activation,
        init,
        spec: v.spec,
      });
    }
  }
  const models: tfType.LayersModel[] = [];
  const started = performance.now();
  try {
    for (const v of variants) models.push(await buildModel(tf, v.spec, options.seed));
    // Same start wherever the arms can share it: Glorot arms share every weight; He arms share
    // every weight, their He kernels included; across inits everything but the hidden kernels.
    const [reluGlorot, eluGlorot, reluHe, eluHe] = models as [
      tfType.LayersModel,
      tfType.LayersModel,
      tfType.LayersModel,
      tfType.LayersModel,
    ];
    copyMatchingWeights(reluGlorot, eluGlorot, new Set());
    copyMatchingWeights(reluGlorot, reluHe, new Set(hiddenKernels(spec, hidden)));
    copyMatchingWeights(reluHe, eluHe, new Set());
    const setups: ArmSetup[] = variants.map((v, i) => ({
      name: v.name,
      spec: v.spec,
      model: models[i]!,
      layers: v.activation === 'elu' ? hidden : [],
    }));
    const config = {
      ...defaultRunConfig(),
      seed: options.seed,
      validate: false,
      every: Math.max(1, p.totalSteps),
    };
    const runs = await runArms(p, setups, config, emit, cancel, { test: options.test });
    return {
      model: spec.name,
      data: {
        name: p.splits.name,
        train: p.splits.train.count,
        test: options.test.count,
        probe: p.splits.probe.count,
      },
      budget: {
        epochs: options.epochs,
        steps: runs[0]?.training.steps ?? 0,
        batch: p.batchSize,
        samplesPerArm: (runs[0]?.training.steps ?? 0) * p.batchSize,
      },
      seed: options.seed,
      backend: p.backend.name,
      backendDetail: p.backend.detail,
      alpha: options.alpha,
      switched: hidden,
      arms: runs.map((r, i) => {
        const v = variants[i]!;
        const tail = r.training.loss.slice(-Math.max(1, Math.ceil(r.training.loss.length / 10)));
        const divergence = detectDivergence(r.training, layerSeries(r.histories), p.splits.classes);
        return {
          name: v.name,
          activation: v.activation,
          init: v.init,
          testLoss: r.test?.loss ?? NaN,
          testAccuracy: r.test?.accuracy ?? NaN,
          trainLoss: tail.reduce((a, b) => a + b, 0) / tail.length,
          msPerStep: r.msPerStep,
          layers: r.histories.flatMap((h) => {
            const first = h.probes[0];
            const last = h.probes[h.probes.length - 1];
            if (!first || !last) return [];
            return [
              {
                layer: h.name,
                activation: h.activation,
                units: last.units,
                deadFraction: last.dead.fraction,
                saturatedFraction: last.saturated?.fraction ?? 0,
                mean: last.mean,
                mean0: first.mean,
              },
            ];
          }),
          diverged: divergence ? whyDiverged(divergence) : null,
        };
      }),
      wallSeconds: (performance.now() - started) / 1000,
      cancelled: cancel.cancelled,
    };
  } finally {
    models.forEach((m) => m.dispose());
  }
}

/** The layers whose kernels the He arms draw themselves (a separate ReLU layer's feeding layer). */
function hiddenKernels(spec: ModelSpec, hidden: string[]): string[] {
  const v = eluVariant(spec, { switchLayers: [], heInitLayers: hidden, alpha: 1 });
  return v.heInit;
}
