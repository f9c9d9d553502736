/**
 * ModelSpec: the framework-neutral description every model source is turned into.
 * The topology is Keras-style JSON (what `tf.models.modelFromJSON` reads), so one builder serves
 * Keras scripts, PyTorch scripts, TF.js sources and saved files alike.
 */

/** A 1-based line and column in a source file. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** Where a layer is defined in the person's source, and where its activation argument sits. */
export interface SourceLocation {
  file: string;
  /** 1-based line of the layer's definition (the call expression). */
  line: number;
  /** 1-based column of the layer's definition. */
  column: number;
  /** End of the layer's definition expression (exclusive column), when known. */
  end?: SourcePosition;
  /**
   * The range of the activation argument or call that a quick fix rewrites, e.g. the string
   * literal `'relu'` in `activation='relu'`, or `nn.ReLU()`, or `F.relu`. Null when there is none.
   */
  activationRange?: { start: SourcePosition; end: SourcePosition } | null;
  /** The range of a `kernel_initializer=` / `kernelInitializer:` argument, when present. */
  initializerRange?: { start: SourcePosition; end: SourcePosition } | null;
}

/** One layer as the engine sees it. */
export interface LayerSpec {
  /** Unique layer name in the built model (Keras naming: dense, dense_1, conv2d …). */
  name: string;
  /** TF.js / Keras layer class name: Dense, Conv2D, MaxPooling2D, ReLU, Activation, ELU … */
  className: string;
  /** Lowercase Keras name of the nonlinearity applied to this layer's output, or null if none. */
  activation: string | null;
  /** Keras kernel initializer name where the layer has one (glorot_uniform, he_normal …). */
  kernelInitializer?: string | null;
  source: SourceLocation | null;
  /**
   * When one source definition builds several runtime layers (a ResNet block's `self.conv1` used in
   * 8 blocks, `model.add(Dense(u))` in a loop): this layer is instance `index` (1-based) of `count`
   * layers of the same class at the same `source` location. Absent when the definition builds one.
   */
  sourceInstances?: { index: number; count: number };
}

/** Training setup read from the person's script (defaults they can override). */
export interface TrainingSetup {
  optimizer?: string;
  learningRate?: number;
  loss?: string;
  batchSize?: number;
  epochs?: number;
  validationSplit?: number;
  /** A dataset the script loads, e.g. "mnist" or "fashion_mnist". */
  dataset?: string;
  /** The loss takes logits (PyTorch `nn.CrossEntropyLoss`/`BCEWithLogitsLoss`, Keras `from_logits=True`). */
  lossFromLogits?: boolean;
  /** One loss per output, in output order, for a model with several outputs. */
  outputLosses?: string[];
  /** What the model's input holds: images/vectors of floats, or integer token ids (an Embedding first). */
  inputKind?: 'float' | 'int-sequence';
  /** Token ids are below this (the first Embedding's input_dim / `num_words=`). */
  vocabularySize?: number;
  /** Tokens per sample, where the file says it (`maxlen=`, `input_length=`, `Input(shape=(200,))`). */
  sequenceLength?: number;
}

/** Something in the source that could not be understood: it becomes a finding, never a crash. */
export interface SourceIssue {
  file: string;
  line: number;
  column: number;
  message: string;
  severity: 'error' | 'warning' | 'info';
}

export type ModelOrigin =
  'example' | 'tfjs-json' | 'keras-py' | 'torch-py' | 'tfjs-ts' | 'keras-h5' | 'keras-v3';

/** A part of the source the reader left out of the built model (the analysis is then partial). */
export interface OmittedSourcePart {
  what: string;
  reason: string;
  file: string;
  line: number;
  column: number;
}

/** Weights for a saved model, in the order `model.getWeights()` would return them. */
export interface NamedWeight {
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface ModelSpec {
  name: string;
  origin: ModelOrigin;
  /** Absolute path of the file the model came from, or null for the built-in example. */
  file: string | null;
  /** Keras-style JSON topology: `{ class_name: 'Sequential' | 'Model' | 'Functional', config }`. */
  topology: KerasTopology;
  /** One entry per layer in the topology, same names, in order. */
  layers: LayerSpec[];
  /** Saved weights (saved files only); absent means train from fresh initialisation. */
  weights?: NamedWeight[];
  training: TrainingSetup;
  issues: SourceIssue[];
  /** Parts of the source left out of the built model; non-empty = partial (never a quiet success). */
  omitted?: OmittedSourcePart[];
  /** Other models the same file defines, when it defines several. */
  alternatives?: { name: string; line: number; column: number }[];
  /** Where the analysed model is defined (its class, or its Sequential/Model call), in a Python source. */
  definition?: { line: number; column: number };
}

/** The Keras JSON topology shape TF.js accepts (snake_case keys, as Keras writes them). */
export interface KerasTopology {
  class_name: string;
  config: Record<string, unknown>;
  keras_version?: string;
  backend?: string;
}

/** A Keras layer config entry as it appears in `config.layers`. */
export interface KerasLayerJson {
  class_name: string;
  config: Record<string, unknown> & { name?: string };
  name?: string;
  inbound_nodes?: unknown[];
}
