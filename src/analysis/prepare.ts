/**
 * Everything a run needs before its first step: the person's model and data, then a backend, the
 * splits, the loss of each output with its labels checked, and the budget. Shared by the analysis,
 * the what-if and the bench. Every mismatch between model and data is refused here, before step 0
 * (also with --steps 0), naming what the model wants and the option that gives it.
 */
import { initBackend, type BackendInfo } from '../backend/select';
import { isUserError, UserError } from '../errors';
import type { Tf } from '../backend/tf';
import { isBuiltInData, loadData } from '../data/load';
import { makeSplits, type Splits } from '../data/splits';
import { buildModel } from '../model/build/build';
import { loadExample, loadModelSpec } from '../model/load';
import type { ModelSpec } from '../model/spec';
import type { Emit, RunConfig } from '../protocol';
import { checkLabels, dataWanted, type TrainingPlan } from '../training/label-check';
import { lossSummary, planLosses } from '../training/loss-plan';
import { outputHeads } from '../training/output-heads';
import { checkTokenIds, embeddingInput } from '../training/token-ids';
import { refuseBuiltInForTokens } from './text-data';

export interface Prepared {
  tf: Tf;
  backend: BackendInfo;
  spec: ModelSpec;
  splits: Splits;
  batchSize: number;
  totalSteps: number;
  /** Each output's loss and how its targets are made from the labels. */
  plan: TrainingPlan;
}

const MAX_VALIDATION = 1000;

export async function prepare(config: RunConfig, emit: Emit): Promise<Prepared> {
  // The person's model and data first: a bad file fails fast, before any backend is started.
  const spec = config.file
    ? await loadModelSpec(config.file, { model: config.model ?? null, inputShape: config.inputShape ?? null })
    : loadExample(config.example ?? 'mnist-cnn');
  try {
    return await prepareFor(spec, config, emit);
  } catch (e) {
    throw withPartialContext(e, spec);
  }
}

async function prepareFor(spec: ModelSpec, config: RunConfig, emit: Emit): Promise<Prepared> {
  const tokens = spec.training.inputKind === 'int-sequence';
  const builtIn = isBuiltInData(config.data);
  const data = builtIn && tokens ? null : await loadData(config.data, { tokenIds: tokens });
  const { tf, info } = await initBackend(config.backend, (message) =>
    emit({ type: 'log', level: 'debug', message }),
  );
  emit({ type: 'log', level: 'info', message: `backend: ${info.name} — ${info.detail}` });
  for (const a of info.attempts.filter((x) => !x.ok))
    emit({ type: 'log', level: 'info', message: `backend ${a.route} not used: ${a.reason}` });
  const { inputShape, heads } = await shapesOf(tf, spec, config.seed);
  const losses = planLosses(heads, spec);
  const hint = dataWanted(
    losses,
    inputShape,
    tokens
      ? { vocabulary: embeddingInput(spec)?.vocabulary ?? null, length: spec.training.sequenceLength ?? null }
      : null,
  );
  if (!data) return refuseBuiltInForTokens(spec, config.data, hint);
  const dataFile = builtIn ? null : config.data;
  const first = spec.layers.find((l) => l.source)?.source;
  const splits = makeSplits(data, inputShape, config.probe, MAX_VALIDATION, dataFile, {
    hint,
    model: spec.file,
    input: first ? { file: first.file, line: first.line } : null,
  });
  const plan = checkLabels(losses, splits, spec, hint);
  if (tokens) checkTokenIds(splits, spec, hint);
  // The loss is said whoever chose it; a choice the engine made is also a finding on the output's line.
  emit({ type: 'log', level: 'info', message: `loss: ${lossSummary(losses)}` });
  for (const note of plan.notes) emit({ type: 'log', level: 'warn', message: note });
  const batchSize = config.batch ?? spec.training.batchSize ?? 250;
  const stepsPerEpoch = Math.ceil(splits.train.count / batchSize);
  const totalSteps = config.steps ?? (config.epochs ?? spec.training.epochs ?? 1) * stepsPerEpoch;
  return { tf, backend: info, spec, splits, batchSize, totalSteps, plan };
}

/**
 * A refusal of a partial model says so: what was left out may be why it does not fit (a dropped
 * output layer leaves a hidden layer as the output).
 */
function withPartialContext(e: unknown, spec: ModelSpec): unknown {
  const omitted = spec.omitted ?? [];
  if (!isUserError(e) || omitted.length === 0) return e;
  const parts = omitted.slice(0, 3).map((o) => `${o.what} (line ${o.line})`);
  const more = omitted.length > 3 ? ` and ${omitted.length - 3} more` : '';
  return new UserError(
    `${e.message} (the model is partial: ${parts.join(', ')}${more} left out)`,
    e.file,
    e.line,
    e.hint,
  );
}

/** The model's per-sample input shape and its outputs, from one build. */
async function shapesOf(
  tf: Tf,
  spec: ModelSpec,
  seed: number,
): Promise<{ inputShape: (number | null)[]; heads: ReturnType<typeof outputHeads> }> {
  const model = await buildModel(tf, spec, seed);
  try {
    return { inputShape: model.inputs[0]!.shape.slice(1), heads: outputHeads(model, spec) };
  } finally {
    model.dispose();
  }
}
