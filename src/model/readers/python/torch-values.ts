/**
 * What the PyTorch reader puts into the interpreter: modules as constructed (`nn.Conv2d(...)`,
 * `nn.Sequential`, `nn.ModuleList`, instances of the file's `nn.Module` classes) with the path the
 * person's model reaches them by (`layer1.0.conv1`), and, while `forward` is traced, tensors.
 */
import type { SyntaxNode } from '@lezer/common';
import type { Argument, ClassValue } from './interpreter';
import type { TensorRef } from './topology';
import type { PyValue } from './values';

/** Per-sample shape, channels-last: [H, W, C] for images, [L, C] for sequences, [F] for features. */
export type Shape = number[];

/**
 * Tensor methods that change where or in which precision a tensor lives, not its values as the
 * analysis sees them (`x.to(device)`, `x.float()`, `x.detach()`): the tensor goes on as it is.
 */
export const PASS_THROUGH_METHODS: ReadonlySet<string> = new Set([
  'to',
  'cuda',
  'cpu',
  'float',
  'double',
  'half',
  'contiguous',
  'clone',
  'detach',
  'type_as',
]);

/** Anything that can be a part of a model; `owner`/`attrName` give its path in the model. */
export abstract class TorchPart {
  owner: TorchPart | null = null;
  attrName: string | null = null;

  /** Sets where the part sits, the first time it is placed (a shared module keeps its first place). */
  place(owner: TorchPart, attrName: string): void {
    if (this.owner !== null || owner === this) return;
    this.owner = owner;
    this.attrName = attrName;
  }

  /**
   * Path from `root` (`['layer1', '0', 'conv1']`); null when the part is not inside `root` or a
   * part of the path is an index of a root `nn.Sequential` (those layers get Keras auto names).
   */
  pathFrom(root: TorchPart, depth = 0): string[] | null {
    if (this === root) return [];
    if (this.attrName === null || this.owner === null) return null;
    if (this.owner === root && root instanceof SequentialDef && /^\d+$/.test(this.attrName)) return null;
    const above = depth < 64 ? this.owner.pathFrom(root, depth + 1) : null;
    return above === null ? null : [...above, this.attrName];
  }
}

/** `nn.Conv2d(1, 32, 3, 1)` as written, before it is applied to a tensor. */
export class ModuleDef extends TorchPart {
  applications = 0;

  constructor(
    readonly kind: string,
    readonly args: Argument[],
    readonly node: SyntaxNode,
    readonly unsupported: string | null,
  ) {
    super();
  }

  describe(): string {
    return `nn.${this.kind}`;
  }
}

export class SequentialDef extends TorchPart {
  constructor(
    readonly children: PyValue[],
    readonly node: SyntaxNode,
  ) {
    super();
  }

  describe(): string {
    return 'an nn.Sequential';
  }
}

/** `nn.ModuleList([...])`: a list of modules, indexed and iterated in `forward`. */
export class ModuleListDef extends TorchPart {
  constructor(
    readonly items: PyValue[],
    readonly node: SyntaxNode,
  ) {
    super();
  }

  describe(): string {
    return 'an nn.ModuleList';
  }
}

/** An instance of an nn.Module subclass defined in the file; also `self` inside its methods. */
export class ModuleInstance extends TorchPart {
  readonly attributes = new Map<string, PyValue>();
  trained = false;
  readonly moduleVariables: string[] = [];
  readonly localVariables: string[] = [];
  /** The function of the file that built it (`def ResNet18(): return ResNet(...)`). */
  builtIn: string | null = null;

  constructor(
    readonly cls: ClassValue,
    readonly node: SyntaxNode,
  ) {
    super();
  }

  describe(): string {
    return `an instance of ${this.cls.name}`;
  }
}

/** The named children of `nn.Sequential(OrderedDict([...]))`. */
export class NamedModules {
  constructor(readonly entries: [string, PyValue][]) {}
}

/**
 * How a tensor's per-sample axes relate to PyTorch's: `channels-first` when PyTorch holds
 * (C, H, W) or (C, L) and the TF.js model holds (H, W, C) or (L, C); `plain` when both hold the
 * same order (features, embeddings, RNN outputs). `timeMajor` marks an RNN's (L, N, H) output.
 */
export type Layout = 'channels-first' | 'plain';

/** A tensor in the traced forward. */
export class Tensor {
  /** Why this tensor must not be used again (its layer was turned into a last-step output). */
  spent: string | null = null;

  constructor(
    readonly ref: TensorRef,
    public shape: Shape | null,
    public layout: Layout,
    /** The call that produced it (for messages naming both lines). */
    readonly origin: SyntaxNode | null,
    readonly layerName: string | null,
  ) {}

  /** The same values under another axis order (a permute that TF.js needs no layer for). */
  relabel(shape: Shape, layout: Layout): Tensor {
    return new Tensor(this.ref, shape, layout, this.origin, this.layerName);
  }

  describe(): string {
    return this.layerName ? `the output of ${this.layerName}` : 'the model input';
  }
}
