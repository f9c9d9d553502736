/**
 * The one table of kernel initializers: each TF.js initializer class with its Keras name, its TF.js
 * identifier and what building a model needs to know. The readers (Python, TF.js source, saved Keras
 * files), the model builder and the advice all ask it.
 */

interface InitializerRow {
  /** The class TF.js deserialises (`{class_name, config}`). */
  tfjsClass: string;
  /** Keras' snake_case name (`kernel_initializer='he_normal'`): what LayerSpec.kernelInitializer holds. */
  keras: string;
  /** TF.js' identifier (`kernelInitializer: 'heNormal'`, `tf.initializers.heNormal()`). */
  tfjs: string;
  /** Other class names Keras writes for it in saved configs (Keras 3: `LecunNormal`, `…Initializer`). */
  kerasClasses?: string[];
  /** Random: given a seed so two runs (and the what-if's two arms) start from the same weights. */
  seeded: boolean;
  /**
   * TF.js builds it for any kernel from its name alone. Not Constant (it needs a value) nor Identity
   * (square 2-D kernels only), so a bare name of those is not taken as understood.
   */
  fromNameAlone: boolean;
}

const random = { seeded: true, fromNameAlone: true };
const fixed = { seeded: false, fromNameAlone: true };

const INITIALIZERS: readonly InitializerRow[] = [
  { tfjsClass: 'GlorotUniform', keras: 'glorot_uniform', tfjs: 'glorotUniform', ...random },
  { tfjsClass: 'GlorotNormal', keras: 'glorot_normal', tfjs: 'glorotNormal', ...random },
  { tfjsClass: 'HeNormal', keras: 'he_normal', tfjs: 'heNormal', ...random },
  { tfjsClass: 'HeUniform', keras: 'he_uniform', tfjs: 'heUniform', ...random },
  {
    tfjsClass: 'LeCunNormal',
    keras: 'lecun_normal',
    tfjs: 'leCunNormal',
    kerasClasses: ['LecunNormal'],
    ...random,
  },
  {
    tfjsClass: 'LeCunUniform',
    keras: 'lecun_uniform',
    tfjs: 'leCunUniform',
    kerasClasses: ['LecunUniform'],
    ...random,
  },
  { tfjsClass: 'RandomNormal', keras: 'random_normal', tfjs: 'randomNormal', ...random },
  { tfjsClass: 'RandomUniform', keras: 'random_uniform', tfjs: 'randomUniform', ...random },
  { tfjsClass: 'TruncatedNormal', keras: 'truncated_normal', tfjs: 'truncatedNormal', ...random },
  { tfjsClass: 'VarianceScaling', keras: 'variance_scaling', tfjs: 'varianceScaling', ...random },
  {
    tfjsClass: 'Orthogonal',
    keras: 'orthogonal',
    tfjs: 'orthogonal',
    kerasClasses: ['OrthogonalInitializer'],
    ...random,
  },
  { tfjsClass: 'Zeros', keras: 'zeros', tfjs: 'zeros', ...fixed },
  { tfjsClass: 'Ones', keras: 'ones', tfjs: 'ones', ...fixed },
  {
    tfjsClass: 'Constant',
    keras: 'constant',
    tfjs: 'constant',
    kerasClasses: ['ConstantInitializer'],
    seeded: false,
    fromNameAlone: false,
  },
  {
    tfjsClass: 'Identity',
    keras: 'identity',
    tfjs: 'identity',
    kerasClasses: ['IdentityInitializer'],
    seeded: false,
    fromNameAlone: false,
  },
];

const byClass = new Map(
  INITIALIZERS.flatMap((r) => [r.tfjsClass, ...(r.kerasClasses ?? [])].map((c) => [c, r] as const)),
);
const byName = new Map(INITIALIZERS.flatMap((r) => [[r.keras, r] as const, [r.tfjs, r] as const]));

/** TF.js identifiers → class, for reading TF.js sources (`initializers.heNormal()`, `'heNormal'`). */
export const TFJS_INITIALIZER_CLASSES: ReadonlyMap<string, string> = new Map(
  INITIALIZERS.map((r) => [r.tfjs, r.tfjsClass]),
);

/** The TF.js class for a class name in a saved Keras config (Keras 2 or 3 spelling), or null. */
export function tfjsInitializerClass(kerasClass: string): string | null {
  return byClass.get(kerasClass)?.tfjsClass ?? null;
}

/**
 * The TF.js class for an initializer written by name alone (Keras `'he_normal'` or TF.js
 * `'heNormal'`), or null where the name is unknown or TF.js cannot build it from the name alone.
 */
export function initializerClassFromName(name: string): string | null {
  const row = byName.get(name);
  return row?.fromNameAlone ? row.tfjsClass : null;
}

/** Whether TF.js draws the initializer's values at random (so a seed makes them reproducible). */
export function isSeededInitializer(tfjsClass: string): boolean {
  const row = byClass.get(tfjsClass);
  return row !== undefined && row.tfjsClass === tfjsClass && row.seeded;
}

/** `HeNormal` / `LeCunNormal` / `heNormal` → Keras' `he_normal` / `lecun_normal`; unknown names snake-cased. */
export function kerasInitializerName(name: string): string {
  const row = byClass.get(name) ?? byName.get(name);
  if (row) return row.keras;
  return name
    .replace(/^LeCun/, 'Lecun')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** The Keras name of an initializer value (a name, or the `{class_name, config}` form), or null. */
export function initializerName(value: unknown): string | null {
  if (typeof value === 'string') return kerasInitializerName(value);
  if (value && typeof value === 'object' && 'class_name' in value)
    return kerasInitializerName(String((value as { class_name: unknown }).class_name));
  return null;
}

/**
 * Glorot, or no initializer written (Keras' and TF.js' default is Glorot uniform; VarianceScaling's
 * defaults are Glorot's too): where the advice and the what-if add He initialisation alongside ELU.
 */
export function isGlorotOrDefault(name: string | null | undefined): boolean {
  return name == null || name === 'glorot_uniform' || name === 'glorot_normal' || name === 'variance_scaling';
}
