/**
 * `analyze --what-if elu`: the plain analysis and the ELU arm in one interleaved run. The ReLU arm
 * *is* the plain analysis (same model, seed, data and budget), so the report's layers, findings and
 * training are the baseline's as usual, and `whatIf` holds both arms and the verdict.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { LayerHistory } from '../advisor/rules';
import { runArms, type ArmRun, type CancelToken } from '../analysis/arm-runner';
import { runFindings } from '../analysis/findings';
import { untilFirstStep } from '../analysis/first-step';
import { prepare, type Prepared } from '../analysis/prepare';
import { buildReport, runStartedEvent } from '../analysis/report';
import { buildModel } from '../model/build/build';
import type {
  Emit,
  Report,
  RunConfig,
  Suggestion,
  WhatIfArm,
  WhatIfLayerFinal,
  WhatIfReport,
} from '../protocol';
import { chooseWhatIfLayers, eluVariant, HE_INIT } from './elu-variant';
import { copyMatchingWeights } from './shared-weights';
import { whatIfVerdict } from './verdict';

export const BASELINE_ARM = 'ReLU';
export const ELU_ARM = 'ELU';

export async function runWhatIf(
  config: RunConfig,
  emit: Emit,
  cancel: CancelToken,
  suggestions: Suggestion[] = [],
): Promise<Report> {
  const p = await prepare(config, emit);
  return runWhatIfPrepared(p, config, emit, cancel, suggestions);
}

/** The what-if on an already prepared backend, model and data (tests give a synthetic Prepared). */
export async function runWhatIfPrepared(
  p: Prepared,
  config: RunConfig,
  emit: Emit,
  cancel: CancelToken,
  suggestions: Suggestion[] = [],
): Promise<Report> {
  const { tf, spec } = p;
  const chosen = chooseWhatIfLayers(spec, config.whatIfLayers, suggestions);
  const notes: string[] = [];
  if (spec.weights && chosen.heInitLayers.length > 0) {
    // Re-drawing a trained kernel would compare a trained layer with an untrained one.
    notes.push(
      `the model's saved weights are kept in both arms, so He init (suggested for ${chosen.heInitLayers.join(', ')}) is not applied`,
    );
    chosen.heInitLayers = [];
  }
  const variant = eluVariant(spec, { ...chosen, alpha: config.eluAlpha });
  notes.push(...variant.notes);
  const models: tfType.LayersModel[] = [];
  try {
    const relu = await buildModel(tf, spec, config.seed);
    models.push(relu);
    const elu = await buildModel(tf, variant.spec, config.seed);
    models.push(elu);
    const shared = copyMatchingWeights(relu, elu, new Set(variant.heInit));
    if (variant.heInit.length > 0) {
      notes.push(
        `${variant.heInit.join(', ')}: kernel${variant.heInit.length > 1 ? 's' : ''} He-initialised (${HE_INIT}, as the quick fix writes) in the ELU arm; every other weight is the ReLU arm's`,
      );
    }
    emit(runStartedEvent(p, relu));
    const [a, b] = await untilFirstStep(spec, emit, (watched) =>
      runArms(
        p,
        [
          { name: BASELINE_ARM, spec, model: relu, layers: [] },
          { name: ELU_ARM, spec: variant.spec, model: elu, layers: variant.switched },
        ],
        config,
        watched,
        cancel,
      ),
    );
    const findings = runFindings(
      spec,
      a!.histories,
      a!.training,
      config,
      emit,
      {
        learningRate: a!.learningRate,
        classes: p.splits.classes,
        fault: a!.fault,
      },
      p.plan,
    );
    const arms = [armDetail(a!, new Set()), armDetail(b!, new Set(variant.switched))];
    const whatIf: WhatIfReport = {
      arms,
      verdict: whatIfVerdict(arms[0]!, arms[1]!, {
        deadThreshold: config.deadThreshold,
        heInit: variant.heInit,
        classes: p.splits.classes,
      }),
      alpha: config.eluAlpha,
      heInit: variant.heInit,
      sharedWeights: { copied: shared.copied.length, ownInit: shared.ownInit, unmatched: shared.unmatched },
      stepTimeRatio: arms[1]!.msPerStep / arms[0]!.msPerStep,
      notes,
      cancelled: cancel.cancelled,
    };
    const report = buildReport({
      prepared: p,
      config,
      model: relu,
      histories: a!.histories,
      findings,
      training: a!.training,
      cancelled: cancel.cancelled,
    });
    report.whatIf = whatIf;
    return report;
  } finally {
    models.forEach((m) => m.dispose());
  }
}

function finalOf(h: LayerHistory, switched: boolean): WhatIfLayerFinal | null {
  const first = h.probes[0];
  const last = h.probes[h.probes.length - 1];
  if (!first || !last) return null;
  return {
    layer: h.name,
    dead: last.dead.count,
    dormant: last.dormant.count,
    saturated: last.saturated?.count ?? 0,
    mean: last.mean,
    meanAbs: last.meanAbs,
    units: last.units,
    activation: h.activation,
    mean0: first.mean,
    switched,
  };
}

export function armDetail(run: ArmRun, switched: Set<string>): WhatIfArm {
  return {
    name: run.name,
    layers: run.layers,
    training: run.training,
    final: run.histories
      .map((h) => finalOf(h, switched.has(h.name)))
      .filter((x): x is WhatIfLayerFinal => x !== null),
    msPerStep: run.msPerStep,
    meanDrift: run.histories.map((h) => ({
      layer: h.name,
      steps: h.probes.map((p) => p.step),
      mean: h.probes.map((p) => p.mean),
    })),
  };
}
