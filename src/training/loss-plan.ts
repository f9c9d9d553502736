/**
 * Which loss each output trains with. The file's own loss wins where it names one (Keras
 * `compile(loss=…)`, a PyTorch criterion, a TF.js `compile`), per output when it names several;
 * otherwise the loss that fits the head is picked — and said so, with the reason, never silently.
 */
import { UserError } from '../errors';
import type { ModelSpec } from '../model/spec';
import { describeHead, type OutputHead } from './output-heads';

/** What an output is trained to do, which decides the labels it takes. */
export type Task = 'classes' | 'binary' | 'multi-label' | 'regression';
/** The losses the trainer has (Keras names; `nll` is cross-entropy on log-probabilities). */
export type LossName =
  | 'categorical_crossentropy'
  | 'binary_crossentropy'
  | 'nll'
  | 'mean_squared_error'
  | 'mean_absolute_error'
  | 'huber';

export interface HeadPlan {
  head: OutputHead;
  task: Task;
  loss: LossName;
  /** The output is logits (softmax / sigmoid applied inside the loss). */
  fromLogits: boolean;
  chosenBy: 'file' | 'engine';
  /** Why the engine chose, in one sentence (null when the file named the loss and it is used as named). */
  note: string | null;
}

/** Keras, PyTorch (as the reader maps them) and TF.js spellings → the trainer's loss and its task family. */
const KNOWN: Record<string, { loss: LossName; logits?: boolean }> = {
  categorical_crossentropy: { loss: 'categorical_crossentropy' },
  sparse_categorical_crossentropy: { loss: 'categorical_crossentropy' },
  softmax_cross_entropy: { loss: 'categorical_crossentropy', logits: true },
  binary_crossentropy: { loss: 'binary_crossentropy' },
  sigmoid_cross_entropy: { loss: 'binary_crossentropy', logits: true },
  log_loss: { loss: 'binary_crossentropy' },
  mean_squared_error: { loss: 'mean_squared_error' },
  mse: { loss: 'mean_squared_error' },
  mean_absolute_error: { loss: 'mean_absolute_error' },
  mae: { loss: 'mean_absolute_error' },
  absolute_difference: { loss: 'mean_absolute_error' },
  huber: { loss: 'huber' },
  huber_loss: { loss: 'huber' },
};

function stated(spec: ModelSpec | null, index: number, outputs: number): string | null {
  const t = spec?.training;
  if (!t) return null;
  // Keras applies one loss named for a multi-output model to every output.
  return t.outputLosses?.[index] ?? (outputs === 1 || !t.outputLosses ? (t.loss ?? null) : null);
}

function refuse(head: OutputHead, spec: ModelSpec | null, message: string, hint: string): never {
  throw new UserError(message, head.source?.file ?? spec?.file ?? null, head.source?.line ?? null, hint);
}

/** The loss that fits a head nobody named one for, and why. */
function fitting(head: OutputHead, spec: ModelSpec | null): Omit<HeadPlan, 'head' | 'chosenBy'> {
  const name = describeHead(head);
  const rank1 = head.shape.length === 1;
  if (head.activation === 'softmax') {
    if (head.units < 2)
      refuse(
        head,
        spec,
        `the output ${name} is a softmax over 1 unit, which is always 1: it cannot be trained`,
        'give the output one unit per class, or use a sigmoid for a yes/no output',
      );
    return {
      task: 'classes',
      loss: 'categorical_crossentropy',
      fromLogits: false,
      note: `${name}: categorical cross-entropy, the loss for a softmax over classes`,
    };
  }
  if (head.activation === 'log_softmax')
    return {
      task: 'classes',
      loss: 'nll',
      fromLogits: false,
      note: `${name}: negative log-likelihood, the loss for log-probabilities`,
    };
  if (head.activation === 'sigmoid')
    return head.units === 1 && rank1
      ? {
          task: 'binary',
          loss: 'binary_crossentropy',
          fromLogits: false,
          note: `${name}: binary cross-entropy, the loss for one sigmoid output`,
        }
      : {
          task: 'multi-label',
          loss: 'binary_crossentropy',
          fromLogits: false,
          note: `${name}: binary cross-entropy per unit, the loss for independent sigmoid outputs`,
        };
  if (head.activation === 'linear' && rank1 && head.units >= 2)
    return {
      task: 'classes',
      loss: 'categorical_crossentropy',
      fromLogits: true,
      note: `${name}: read as class logits (softmax cross-entropy), as a classifier that ends without softmax is trained`,
    };
  return {
    task: 'regression',
    loss: 'mean_squared_error',
    fromLogits: false,
    note: `${name}: mean squared error, read as a regression output (${head.activation === 'linear' ? 'one linear value' : `${head.activation} values`} per sample)`,
  };
}

/** The task a named loss trains a head for. */
function taskOf(loss: LossName, head: OutputHead): Task {
  if (loss === 'categorical_crossentropy' || loss === 'nll') return 'classes';
  if (loss === 'binary_crossentropy')
    return head.units === 1 && head.shape.length === 1 ? 'binary' : 'multi-label';
  return 'regression';
}

export function planLosses(heads: OutputHead[], spec: ModelSpec | null): HeadPlan[] {
  return heads.map((head, i) => {
    const named = stated(spec, i, heads.length);
    const known = named ? KNOWN[named.toLowerCase()] : undefined;
    if (!named || !known) {
      const fit = fitting(head, spec);
      const why = named
        ? `the file's loss '${named}' is not one the engine trains with`
        : 'the file names no loss';
      return { head, ...fit, chosenBy: 'engine', note: `${why}; ${fit.note}` };
    }
    const task = taskOf(known.loss, head);
    if (task === 'classes' && head.units < 2)
      refuse(
        head,
        spec,
        `the output ${describeHead(head)} has 1 unit, but the file trains it with ${named}, a loss over classes`,
        'give the output one unit per class, or use a sigmoid output with binary_crossentropy',
      );
    if ((task === 'classes' || task === 'binary') && head.shape.length > 1)
      refuse(
        head,
        spec,
        `the output ${describeHead(head)} gives ${named} a value per position; the engine trains one class or value set per sample`,
        'end the model with one prediction per sample (e.g. Flatten or global pooling, then Dense), or analyze a model that does',
      );
    // PyTorch's criteria and Keras' from_logits=True take raw scores: the file's word is followed
    // as written, even on a head that ends in softmax (the person's model trains that way too).
    const fromLogits =
      known.logits === true || (spec?.training.lossFromLogits === true && task !== 'regression');
    return { head, task, loss: known.loss, fromLogits, chosenBy: 'file', note: null };
  });
}

/** One line for logs and the report: what each output trains with and who chose it. */
export function lossSummary(plans: HeadPlan[]): string {
  return plans
    .map(
      (p) =>
        `${p.head.name}: ${p.loss}${p.fromLogits ? ' (from logits)' : ''} — ${p.chosenBy === 'file' ? 'as the file says' : p.note}`,
    )
    .join('; ');
}

/** Whether accuracy means something for the head (classification), so it is measured. */
export function hasAccuracy(plan: HeadPlan): boolean {
  return plan.task !== 'regression';
}
