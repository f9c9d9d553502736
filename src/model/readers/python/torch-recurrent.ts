/**
 * PyTorch's recurrent modules (`nn.LSTM`, `nn.GRU`, `nn.RNN`) → Keras LSTM/GRU/SimpleRNN layers
 * (stacked for `num_layers`, wrapped in Bidirectional for `bidirectional=True`). A PyTorch RNN
 * returns `(output, h_n)` or `(output, (h_n, c_n))`; a classifier then takes the last step
 * (`out[:, -1, :]`, `h_n[-1]`, `torch.cat((h_n[-2], h_n[-1]), 1)`), which is what the last Keras
 * layer returns with `return_sequences=False`. Other uses of the states are refused on their line.
 */
import { Parameters } from './call-parameters';
import type { Argument } from './interpreter';
import type { TorchLayerDraft } from './torch-layer-config';
import type { BuiltLayer } from './topology';
import type { Shape, Tensor } from './torch-values';
import { asNumber, asString } from './values';

export const recurrentModules = new Set(['LSTM', 'GRU', 'RNN']);

const parameters = [
  'input_size',
  'hidden_size',
  'num_layers',
  'bias',
  'batch_first',
  'dropout',
  'bidirectional',
];

export interface RecurrentConversion {
  /** Recurrent layers, with Dropout between stacked ones (PyTorch's `dropout=`). */
  layers: TorchLayerDraft[];
  units: number;
  directions: number;
  layerCount: number;
  /** `batch_first=False`: PyTorch's output is (L, N, H), so `out[-1]` is the last step. */
  timeMajor: boolean;
  notes: string[];
  mismatches: string[];
  missing: string | null;
  /** The tensor reaching the module cannot be fed to it (wrong rank). */
  invalid?: string;
}

function flag(p: Parameters, name: string, fallback: boolean): boolean {
  const v = p.get(name)?.value;
  return v?.kind === 'bool' ? v.value : fallback;
}

export function convertRecurrent(kind: string, args: Argument[], input: Shape): RecurrentConversion {
  const p = new Parameters(
    args,
    kind === 'RNN' ? [...parameters.slice(0, 3), 'nonlinearity', ...parameters.slice(3)] : parameters,
  );
  const units = asNumber(p.get('hidden_size')?.value);
  const out: RecurrentConversion = {
    layers: [],
    units: units ?? 0,
    directions: flag(p, 'bidirectional', false) ? 2 : 1,
    layerCount: Math.max(1, asNumber(p.get('num_layers')?.value) ?? 1),
    timeMajor: !flag(p, 'batch_first', false),
    notes: [],
    mismatches: [],
    missing: units === null ? 'hidden_size' : null,
  };
  if (units === null) return out;
  const features = input[input.length - 1] ?? 0;
  const declared = asNumber(p.get('input_size')?.value);
  if (input.length !== 2)
    out.invalid = `nn.${kind} expects a sequence (steps, features) but gets per-sample shape (${input.join(', ')})`;
  else if (declared !== null && declared !== features)
    out.mismatches.push(
      `nn.${kind} declares input_size=${declared} but the sequence reaching it has ${features} features`,
    );
  const layersCount = out.layerCount;
  const dropout = asNumber(p.get('dropout')?.value) ?? 0;
  const steps = input[0] ?? 0;
  // PyTorch initializes every RNN weight and bias from U(±1/√hidden_size).
  const bound = 1 / Math.sqrt(units);
  const init = { class_name: 'RandomUniform', config: { minval: -bound, maxval: bound, seed: null } };
  const nonlinearity = asString(p.get('nonlinearity')?.value) ?? 'tanh';
  const cls = kind === 'RNN' ? 'SimpleRNN' : kind;
  for (let i = 0; i < layersCount; i++) {
    const cell: Record<string, unknown> = {
      trainable: true,
      dtype: 'float32',
      units,
      activation: kind === 'RNN' ? nonlinearity : 'tanh',
      use_bias: flag(p, 'bias', true),
      kernel_initializer: init,
      recurrent_initializer: init,
      bias_initializer: init,
      return_sequences: true,
      return_state: false,
      go_backwards: false,
      stateful: false,
      unroll: false,
      dropout: 0,
      recurrent_dropout: 0,
    };
    if (kind !== 'RNN') cell.recurrent_activation = 'sigmoid';
    if (kind === 'LSTM') cell.unit_forget_bias = false;
    if (kind === 'GRU') cell.reset_after = false;
    const width = units * out.directions;
    const config: Record<string, unknown> =
      out.directions === 2
        ? {
            trainable: true,
            dtype: 'float32',
            layer: { class_name: cls, config: cell },
            merge_mode: 'concat',
          }
        : cell;
    out.layers.push({
      className: out.directions === 2 ? 'Bidirectional' : cls,
      config,
      activation: kind === 'RNN' ? nonlinearity : 'tanh',
      kernelInitializer: null,
      outShape: [steps, width],
    });
    if (dropout > 0 && i < layersCount - 1)
      out.layers.push({
        className: 'Dropout',
        config: { trainable: true, dtype: 'float32', rate: dropout },
        activation: null,
        kernelInitializer: null,
        outShape: [steps, width],
      });
  }
  if (kind === 'GRU')
    out.notes.push(
      'nn.GRU is built as the Keras reset_after=False GRU (TF.js has no other); the gates are the same',
    );
  if (kind === 'LSTM')
    out.notes.push(
      'nn.LSTM has two bias vectors, the Keras LSTM one: the parameter count differs by 4×hidden_size per layer',
    );
  return out;
}

/** One application of an RNN module in forward: its last layer, and what has been taken from it. */
export class RnnApplication {
  /** Set once the last step is taken (the last layer then returns it instead of the sequence). */
  finalTaken = false;

  constructor(
    readonly kind: string,
    readonly lastLayer: BuiltLayer,
    readonly sequence: Tensor,
    readonly units: number,
    readonly directions: number,
    readonly timeMajor: boolean,
    /** Entries of h_n: num_layers × directions. */
    readonly stateCount: number,
  ) {}

  /** Turns the last layer into one that returns the last step. */
  returnLastStep(): void {
    const config = this.lastLayer.config;
    const inner = config.layer as { config: Record<string, unknown> } | undefined;
    if (inner) inner.config.return_sequences = false;
    else config.return_sequences = false;
    this.finalTaken = true;
  }

  describe(): string {
    return `the states of nn.${this.kind}`;
  }
}

/** `h_n` or `c_n` of an RNN application, and `h_n[i]` (`layer` set: which final state). */
export class RnnState {
  constructor(
    readonly app: RnnApplication,
    readonly which: 'h' | 'c',
    /** Index into PyTorch's (num_layers × directions) states, from the end: -1 is the last. */
    readonly fromEnd: number | null = null,
  ) {}

  describe(): string {
    return `${this.which}_n${this.fromEnd !== null ? `[${this.fromEnd}]` : ''} of nn.${this.app.kind}`;
  }
}
