/**
 * The labels checked against the model's outputs before step 0 (also with `--steps 0`): which label
 * set feeds which output, class indices within the output's units, one-hot width equal to them,
 * 0/1 for a sigmoid, a regression target's width; what to do when they do not fit. The labels are
 * finite already (the readers refuse NaN and ±Infinity). The result says how each output's targets
 * are made from the stored labels.
 */
import { UserError } from '../errors';
import type { ModelSpec } from '../model/spec';
import type { Splits } from '../data/splits';
import type { LabelSet } from '../data/readers/dataset';
import { describeHead } from './output-heads';
import type { HeadPlan } from './loss-plan';

export interface TargetEncoding {
  /** The label set (index into `Splits.labels` and each split's `targets`). */
  set: number;
  /** one-hot: class indices become rows of `width`; stored: the values as stored. */
  encode: 'one-hot' | 'stored';
  width: number;
  /** One sample's target tensor shape. */
  shape: number[];
}

/** Everything the trainer needs to know about the outputs: their losses and their targets. */
export interface TrainingPlan {
  heads: HeadPlan[];
  targets: TargetEncoding[];
  /** The model's file and layers, so a TF.js failure of the first step can say where (training-failure.ts). */
  model: Pick<ModelSpec, 'file' | 'layers'> | null;
  /** Things worth saying that do not stop the run (a label set using fewer classes than the output has). */
  notes: string[];
}

type SetMeta = Omit<LabelSet, 'train' | 'test'>;

interface SetStats {
  count: number;
  min: number;
  max: number;
  /** The first value that is not a non-negative integer, with its sample. */
  firstNonIndex: { sample: number; value: number } | null;
  /** The first value outside [0, 1]. */
  firstOutsideUnit: { sample: number; value: number } | null;
}

function statsOf(splits: Splits, set: number): SetStats {
  const width = splits.labels[set]!.width;
  const s: SetStats = {
    count: 0,
    min: Infinity,
    max: -Infinity,
    firstNonIndex: null,
    firstOutsideUnit: null,
  };
  for (const split of [splits.train, splits.probe, splits.validation]) {
    const values = split.targets[set]!;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v < s.min) s.min = v;
      if (v > s.max) s.max = v;
      const at = { sample: s.count + Math.floor(i / width), value: v };
      if (!s.firstNonIndex && !(Number.isInteger(v) && v >= 0)) s.firstNonIndex = at;
      if (!s.firstOutsideUnit && (v < 0 || v > 1)) s.firstOutsideUnit = at;
    }
    s.count += split.count;
  }
  return s;
}

const number = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(4));

/** "[8000] class indices 0–9": the shape and kind of a label set, as a message shows it. */
export function describeLabels(meta: SetMeta, s: SetStats): string {
  if (meta.form === 'index') return `[${s.count}] class indices ${number(s.min)}–${number(s.max)}`;
  if (meta.form === 'distribution') return `[${s.count}, ${meta.width}] one-hot rows`;
  return `[${s.count}${meta.width > 1 ? `, ${meta.width}` : ''}] real values ${number(s.min)}…${number(s.max)}`;
}

/** What one output wants as labels, e.g. "[N] class indices 0–2 (or one-hot rows [N, 3])". */
export function labelsWanted(plan: HeadPlan): string {
  const u = plan.head.units;
  switch (plan.task) {
    case 'classes':
      return `[N] class indices 0–${u - 1} (or one-hot rows [N, ${u}])`;
    case 'binary':
      return '[N] 0/1 labels';
    case 'multi-label':
      return `[N, ${u}] rows of 0/1 (or class indices 0–${u - 1})`;
    case 'regression':
      return plan.head.shape.length === 1 && u === 1
        ? '[N] real values'
        : `[N, ${plan.head.shape.map((d) => d ?? '?').join(', ')}] real values`;
  }
}

/**
 * The data the model wants, as a hint: `--data PATH: an .npz with x_train [N, 28, 28, 1] and
 * y_train [N] class indices 0–2 …`. `tokens` describes integer-sequence input (vocabulary size).
 */
export function dataWanted(
  plans: HeadPlan[],
  sampleShape: readonly (number | null)[],
  tokens: { vocabulary: number | null; length: number | null } | null,
): string {
  const dims = `[N, ${sampleShape.map((d) => d ?? tokens?.length ?? 'L').join(', ')}]`;
  const x = tokens
    ? `x_train ${dims} integer token ids${tokens.vocabulary ? ` 0–${tokens.vocabulary - 1}` : ''}`
    : `x_train ${dims}`;
  const ys =
    plans.length === 1
      ? `y_train ${labelsWanted(plans[0]!)}`
      : plans.map((p) => `y_train_${p.head.name} ${labelsWanted(p)}`).join(', ');
  const also =
    plans.length === 1
      ? '; a foo_x.npy + foo_y.npy pair or a .csv (label column first) is read too'
      : ' (one label array per output, named for the output layer)';
  return `pass --data PATH: an .npz with ${x} and ${ys}, optionally x_test/y_test${plans.length > 1 ? '_…' : ''}${also}`;
}

/** Which label set feeds each output: the one set for one output, else by output name or position. */
function matchSets(plans: HeadPlan[], splits: Splits, hint: string, spec: ModelSpec | null): number[] {
  const sets = splits.labels;
  return plans.map((plan, i) => {
    if (plans.length === 1 && sets.length === 1) return 0;
    const found = sets.findIndex((s) => s.output === plan.head.name || s.output === String(i));
    if (found >= 0) return found;
    const have = sets.map((s) => s.what).join(', ');
    throw new UserError(
      plans.length > 1
        ? `the model has ${plans.length} outputs (${plans.map((p) => p.head.name).join(', ')}) and needs labels for each, but ${splits.name} has ${have} — none for ${plan.head.name}`
        : `${splits.name} has several label arrays (${have}) and none is named for the output ${plan.head.name}`,
      plan.head.source?.file ?? spec?.file ?? null,
      plan.head.source?.line ?? null,
      hint,
    );
  });
}

/**
 * Checks every output's labels and returns how to make its targets. `hint` (see dataWanted) ends
 * every refusal, so each one says what data would fit.
 */
export function checkLabels(
  plans: HeadPlan[],
  splits: Splits,
  spec: ModelSpec | null,
  hint: string,
): TrainingPlan {
  const matched = matchSets(plans, splits, hint, spec);
  const notes: string[] = [];
  const targets = plans.map((plan, i): TargetEncoding => {
    const setIndex = matched[i]!;
    const meta = splits.labels[setIndex]!;
    const s = statsOf(splits, setIndex);
    const head = plan.head;
    const labels = `${meta.what} ${describeLabels(meta, s)}`;
    const fail = (problem: string): never => {
      throw new UserError(
        `the output layer ${describeHead(head)} ${problem}; the labels are ${labels}`,
        head.source?.file ?? spec?.file ?? null,
        head.source?.line ?? null,
        hint,
      );
    };
    const u = head.units;
    const oneHot = (): TargetEncoding => ({ set: setIndex, encode: 'one-hot', width: u, shape: [u] });
    const stored = (): TargetEncoding => ({
      set: setIndex,
      encode: 'stored',
      width: meta.width,
      shape: head.shape.map((d) => d ?? 1),
    });
    switch (plan.task) {
      case 'classes':
        if (meta.form === 'index') {
          if (s.max >= u)
            fail(`predicts ${u} classes (0–${u - 1}), but class ${number(s.max)} is among the labels`);
          if (s.max + 1 < u)
            notes.push(
              `${meta.what} use classes 0–${number(s.max)} of the ${u} the output ${head.name} predicts`,
            );
          return oneHot();
        }
        if (meta.form === 'distribution') {
          if (meta.width !== u)
            fail(`predicts ${u} classes, but the labels are one-hot rows of ${meta.width}`);
          return stored();
        }
        return fail(
          `predicts classes, so it needs class indices or one-hot rows, but sample ${s.firstNonIndex?.sample ?? 0} is labelled ${number(s.firstNonIndex?.value ?? s.min)}`,
        );
      case 'binary':
        if (meta.form === 'distribution')
          fail(
            `is one yes/no output (sigmoid, binary cross-entropy) and takes one 0/1 label per sample, not one-hot rows of ${meta.width}`,
          );
        if (meta.width !== 1)
          fail(
            `is one yes/no output (sigmoid, binary cross-entropy) and takes one 0/1 label per sample, not ${meta.width}`,
          );
        if (s.firstOutsideUnit)
          fail(
            `is one yes/no output (sigmoid, binary cross-entropy) and needs labels 0 or 1, but sample ${s.firstOutsideUnit.sample} is labelled ${number(s.firstOutsideUnit.value)}`,
          );
        return stored();
      case 'multi-label':
        if (meta.form === 'index') {
          if (s.max >= u)
            fail(`has ${u} independent sigmoid units, but class ${number(s.max)} is among the labels`);
          return oneHot();
        }
        if (meta.width !== u)
          fail(`has ${u} independent sigmoid units, but the labels have ${meta.width} values per sample`);
        if (s.firstOutsideUnit)
          fail(
            `has ${u} independent sigmoid units and needs labels in [0, 1], but sample ${s.firstOutsideUnit.sample} holds ${number(s.firstOutsideUnit.value)}`,
          );
        return stored();
      case 'regression': {
        if (head.shape.some((d) => d === null))
          fail(
            'gives a number of values that depends on the input length; the engine trains outputs of a fixed size',
          );
        const width = head.shape.reduce<number>((a, b) => a * (b ?? 1), 1);
        if (splits.builtIn)
          fail(
            `is a regression output (${plan.loss}), and the bundled ${splits.name} hold class labels, not targets`,
          );
        if (meta.width !== width)
          fail(
            `is a regression output with ${width} value${width === 1 ? '' : 's'} per sample, but the labels have ${meta.width}`,
          );
        return stored();
      }
    }
  });
  return { heads: plans, targets, notes, model: spec ? { file: spec.file, layers: spec.layers } : null };
}
