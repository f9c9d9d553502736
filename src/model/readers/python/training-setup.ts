/**
 * The training setup a script states (dataset, optimizer, loss, batch size, epochs), read from
 * library calls in either framework. These are defaults the person can override.
 */
import type { TrainingSetup } from '../../spec';
import type { Argument } from './interpreter';
import { snakeCase } from './layer-names';
import { asNumber, asString, hostOf, refName, type PyValue } from './values';

/** `keras.optimizers.Adam(learning_rate=1e-3)` / `optim.Adadelta(model.parameters(), lr=1.0)`. */
export class OptimizerValue {
  constructor(
    readonly name: string,
    readonly learningRate: number | null,
  ) {}
}

/** `keras.losses.SparseCategoricalCrossentropy(from_logits=True)`: a loss with its options. */
export class LossValue {
  constructor(
    readonly name: string,
    readonly fromLogits: boolean,
  ) {}

  describe(): string {
    return `the loss ${this.name}`;
  }
}

const datasetsByName: Record<string, string> = {
  mnist: 'mnist',
  fashion_mnist: 'fashion_mnist',
  cifar10: 'cifar10',
  cifar100: 'cifar100',
  MNIST: 'mnist',
  FashionMNIST: 'fashion_mnist',
  KMNIST: 'kmnist',
  CIFAR10: 'cifar10',
  CIFAR100: 'cifar100',
  imdb: 'imdb',
  reuters: 'reuters',
  IMDB: 'imdb',
};

/** The dataset a call loads: `keras.datasets.mnist.load_data`, `torchvision.datasets.MNIST`. */
export function datasetOfCall(path: string): string | null {
  const parts = path.split('.');
  if (parts[0] === 'keras' && parts[1] === 'datasets' && parts[3] === 'load_data')
    return datasetsByName[parts[2] ?? ''] ?? parts[2] ?? null;
  if (parts[0] === 'torchvision' && parts[1] === 'datasets' && parts.length === 3)
    return datasetsByName[parts[2]!] ?? null;
  return null;
}

/** Per-sample input shape of a known dataset, channels-last. */
export function datasetInputShape(dataset: string | undefined): number[] | null {
  if (dataset === 'mnist' || dataset === 'fashion_mnist' || dataset === 'kmnist') return [28, 28, 1];
  if (dataset === 'cifar10' || dataset === 'cifar100') return [32, 32, 3];
  return null;
}

/** Optimizer class → Keras' lowercase name (`RMSprop` → `rmsprop`, `Adam` → `adam`). */
export function optimizerFromCall(
  className: string,
  args: Argument[],
  learningRateAt: number,
): OptimizerValue {
  const lrArg =
    args.find((a) => a.keyword === 'learning_rate' || a.keyword === 'lr') ??
    args.filter((a) => a.keyword === null)[learningRateAt];
  return new OptimizerValue(className.toLowerCase(), asNumber(lrArg?.value));
}

export function readOptimizer(value: PyValue, into: TrainingSetup): void {
  const opt = hostOf(value, OptimizerValue);
  if (opt) {
    into.optimizer = opt.name;
    if (opt.learningRate !== null) into.learningRate = opt.learningRate;
    return;
  }
  const name = asString(value) ?? refName(value);
  if (name) into.optimizer = name.toLowerCase();
}

/** 'categorical_crossentropy', keras.losses.categorical_crossentropy, CategoricalCrossentropy(). */
export function lossName(value: PyValue): string | null {
  const loss = hostOf(value, LossValue);
  if (loss) return loss.name;
  const s = asString(value);
  if (s) return s;
  const name = refName(value);
  if (!name) return null;
  return name[0] === name[0]?.toUpperCase() ? snakeCase(name) : name;
}

/** Keras' short names for losses, as `compile(loss='mse')` may write them. */
const lossAliases: Record<string, string> = {
  mse: 'mean_squared_error',
  mae: 'mean_absolute_error',
  bce: 'binary_crossentropy',
  MSE: 'mean_squared_error',
  MAE: 'mean_absolute_error',
};

/**
 * `compile(loss=…)`: one loss, a list (one per output) or a dict keyed by output layer name;
 * `outputNames` orders a dict. Sets `loss` (the first) and, for several, `outputLosses`.
 */
export function readCompileLoss(value: PyValue, outputNames: string[], into: TrainingSetup): void {
  const one = (v: PyValue): string | null => {
    const name = lossName(v);
    if (hostOf(v, LossValue)?.fromLogits) into.lossFromLogits = true;
    return name === null ? null : (lossAliases[name] ?? name);
  };
  let losses: (string | null)[];
  if (value.kind === 'tuple') losses = value.items.map(one);
  else if (value.kind === 'dict')
    losses = outputNames.map((n) => {
      const v = value.entries.get(n);
      return v ? one(v) : null;
    });
  else losses = [one(value)];
  const known = losses.filter((l): l is string => l !== null);
  if (known.length === 0) return;
  into.loss = known[0];
  if (losses.length > 1 && known.length === losses.length) into.outputLosses = known;
}

/** `fit(..., batch_size=250, epochs=25, validation_split=0.2)`. */
export function readFit(args: Argument[], into: TrainingSetup): void {
  const n = (...keys: string[]): number | null =>
    asNumber(args.find((a) => a.keyword !== null && keys.includes(a.keyword))?.value);
  const batch = n('batch_size');
  const epochs = n('epochs', 'nb_epoch');
  const split = n('validation_split');
  if (batch !== null) into.batchSize = batch;
  if (epochs !== null) into.epochs = epochs;
  if (split !== null) into.validationSplit = split;
}
