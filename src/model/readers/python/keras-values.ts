/**
 * What the Keras reader puts into the interpreter: layers as constructed, the tensors they produce
 * in the functional API, and models (Sequential or functional) with the names the person sees.
 */
import type { SyntaxNode } from '@lezer/common';
import type { OmittedSourcePart, TrainingSetup } from '../../spec';
import type { LayerDraft } from './keras-layer-config';
import { hostOf, type PyValue } from './values';

/** A constructed layer; `unsupported` says why it cannot be part of the built model. */
export class KerasLayer {
  /** Input tensors of each call of the layer (functional API). */
  readonly inbound: KerasTensor[][] = [];
  /** Order of first use, for a topological layer order. */
  order = -1;

  constructor(
    readonly name: string,
    readonly node: SyntaxNode,
    readonly draft: LayerDraft | null,
    readonly unsupported: string | null,
    readonly className: string,
    /** `input_shape=` as written, kept when the layer itself cannot be built (its input is still the model's). */
    readonly statedInputShape: (number | null)[] | null = null,
  ) {}

  describe(): string {
    return `a ${this.className} layer`;
  }
}

/** The output of one call of a layer; `carried` are parts left out upstream on this path. */
export class KerasTensor {
  constructor(
    readonly layer: KerasLayer,
    readonly nodeIndex: number,
    readonly carried: OmittedSourcePart[] = [],
  ) {}

  /** The same tensor, now also standing for a part that was left out in front of it. */
  withOmitted(part: OmittedSourcePart): KerasTensor {
    return new KerasTensor(this.layer, this.nodeIndex, [...this.carried, part]);
  }

  describe(): string {
    return `the output of ${this.layer.name}`;
  }
}

/** The names a model is known by, in the order they are preferred for showing. */
export class ModelNames {
  readonly moduleVariables: string[] = [];
  readonly localVariables: string[] = [];
  constructor(
    readonly explicit: string | null,
    readonly builtIn: string | null,
    readonly auto: string,
  ) {}

  all(): string[] {
    const out: string[] = [];
    // `name=` first: it is what Keras calls the model, and it is written in the file too.
    for (const n of [this.explicit, ...this.moduleVariables, this.builtIn, ...this.localVariables, this.auto])
      if (n && !out.includes(n)) out.push(n);
    return out;
  }
}

export class SequentialModel {
  readonly layers: KerasLayer[] = [];
  inputShape: (number | null)[] | null = null;
  /** The layer or call that states the input shape (for messages). */
  inputNode: SyntaxNode | null = null;
  readonly training: TrainingSetup = {};
  trained = false;

  constructor(
    readonly names: ModelNames,
    readonly node: SyntaxNode,
  ) {}

  get name(): string {
    return this.names.explicit ?? this.names.auto;
  }

  describe(): string {
    return `the Sequential model ${this.name}`;
  }
}

export class FunctionalModel {
  readonly training: TrainingSetup = {};
  trained = false;

  constructor(
    readonly names: ModelNames,
    readonly node: SyntaxNode,
    readonly inputs: KerasTensor[],
    readonly outputs: KerasTensor[],
  ) {}

  get name(): string {
    return this.names.explicit ?? this.names.auto;
  }

  describe(): string {
    return `the model ${this.name}`;
  }
}

export type KerasModel = SequentialModel | FunctionalModel;

/** One tensor or a list of tensors (`Model(inputs=[a, b], …)`), or null when anything else. */
export function tensorsOf(value: PyValue): KerasTensor[] | null {
  const single = hostOf(value, KerasTensor);
  if (single) return [single];
  if (value.kind !== 'tuple' || value.items.length === 0) return null;
  const out: KerasTensor[] = [];
  for (const item of value.items) {
    const t = hostOf(item, KerasTensor);
    if (!t) return null;
    out.push(t);
  }
  return out;
}
