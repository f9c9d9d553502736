/**
 * The one table of activations: every name the readers produce (lowercase Keras spelling, as
 * normaliseActivation and the readers write it) with what the probes, the advisor, the lenses, the
 * quick fix, the what-if and the tables need to know about it. Everything that decides by
 * activation asks this table; a unit test keeps second lists from coming back.
 *
 * Import-free, so any side (engine, host, webview, the histogram code) may ask it.
 */

export interface ActivationFamily {
  /**
   * Exact zeros for every negative input (ReLU-style): a unit whose output is ≤ 0 on the whole probe
   * set gets no gradient and is dead (docs/architecture.md "Definitions"). Only these get dead units
   * and the static never-fires check.
   */
  canDie: boolean;
  /**
   * Bounded below at −α for very negative inputs (ELU, SELU): such units cannot die, so the probes
   * report saturation (every output within 1% of −α) instead.
   */
  saturates: boolean;
  /** The rectifier family a code lens sits on: the ones ELU replaces, and ELU itself (to see the fix work). */
  rectifierFamily: boolean;
  /**
   * A rectifier the advice may suggest replacing with ELU, the quick fix may rewrite and the what-if
   * may switch (docs/elu.md "What honest advice follows").
   */
  switchableToElu: boolean;
  /**
   * It has trainable weights of its own (PReLU's slopes): the what-if cannot switch it and still start
   * both arms from the same weights, so only the source edit offers it.
   */
  ownWeights: boolean;
  /**
   * Whether a moving mean is bias shift worth reporting. Not for outputs read as probabilities
   * (softmax, sigmoid) or raw scores (linear): there the mean is the model's answer.
   */
  meanDrift: boolean;
  /** The output range when it is bounded on both sides (histograms keep it as their fixed range). */
  range: readonly [number, number] | null;
}

const none: ActivationFamily = {
  canDie: false,
  saturates: false,
  rectifierFamily: false,
  switchableToElu: false,
  ownWeights: false,
  meanDrift: true,
  range: null,
};
const rectifier: ActivationFamily = { ...none, canDie: true, rectifierFamily: true, switchableToElu: true };

/** Keyed by the canonical name; `lookupKey` below accepts the other spellings. */
export const ACTIVATION_FAMILIES = {
  relu: rectifier,
  relu6: { ...rectifier, range: [0, 6] },
  thresholded_relu: rectifier,
  // A small negative slope: never exactly zero, so no dead units and no −α floor to saturate at.
  leaky_relu: { ...rectifier, canDie: false },
  // PyTorch's randomised leaky ReLU (live taps): a leaky ReLU at probe time.
  rrelu: { ...rectifier, canDie: false },
  prelu: { ...rectifier, canDie: false, ownWeights: true },
  elu: { ...none, saturates: true, rectifierFamily: true },
  // ELU with its α in the exponent too (PyTorch's CELU, live taps): saturates at −α like ELU.
  celu: { ...none, saturates: true, rectifierFamily: true },
  selu: { ...none, saturates: true },
  gelu: none,
  swish: none,
  mish: none,
  hard_swish: none,
  // PyTorch's Hardtanh with other bounds than (0, 6) (that one is relu6); its bounds are settings.
  hard_tanh: none,
  // PyTorch's Threshold with a non-zero replacement value (with 0 it is thresholded_relu).
  threshold: none,
  softplus: none,
  softsign: { ...none, range: [-1, 1] },
  tanh: { ...none, range: [-1, 1] },
  sigmoid: { ...none, meanDrift: false, range: [0, 1] },
  hard_sigmoid: { ...none, meanDrift: false, range: [0, 1] },
  softmax: { ...none, meanDrift: false, range: [0, 1] },
  log_softmax: none,
  linear: { ...none, meanDrift: false },
} as const satisfies Record<string, ActivationFamily>;

export type ActivationName = keyof typeof ACTIVATION_FAMILIES;

/** Spellings that do not reduce to a canonical name by case and punctuation alone. */
const ALIASES: Record<string, ActivationName> = { silu: 'swish' };

/** `LeakyReLU`, `leakyRelu`, `leaky_relu` and `leaky-relu` all become `leakyrelu`. */
function lookupKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

const BY_KEY = new Map<string, ActivationName>([
  ...(Object.keys(ACTIVATION_FAMILIES) as ActivationName[]).map((n) => [lookupKey(n), n] as const),
  ...Object.entries(ALIASES),
]);

/** The canonical name of an activation in any of its spellings, or null for one the table lacks. */
export function canonicalActivation(name: string | null | undefined): ActivationName | null {
  return name == null ? null : (BY_KEY.get(lookupKey(name)) ?? null);
}

/** What the table knows about `name` (any spelling), or null for no activation or an unknown one. */
export function activationFamily(name: string | null | undefined): ActivationFamily | null {
  const canonical = canonicalActivation(name);
  return canonical === null ? null : ACTIVATION_FAMILIES[canonical];
}

/** The canonical names that have `property`, for code that keeps a Set. */
function namesWith(
  property: 'canDie' | 'saturates' | 'rectifierFamily' | 'switchableToElu',
): ReadonlySet<string> {
  return new Set(
    (Object.keys(ACTIVATION_FAMILIES) as ActivationName[]).filter((n) => ACTIVATION_FAMILIES[n][property]),
  );
}

/** Activations whose units can die (exact zeros): relu, relu6, thresholded_relu. */
export const CAN_DIE = namesWith('canDie');

export const canDie = (name: string | null | undefined): boolean => activationFamily(name)?.canDie ?? false;

/** Unknown activations count as drifting: a bias shift is reported rather than missed. */
export const reportsMeanDrift = (name: string | null | undefined): boolean =>
  activationFamily(name)?.meanDrift ?? true;

export const saturates = (name: string | null | undefined): boolean =>
  activationFamily(name)?.saturates ?? false;

/** Gets a code lens: the rectifiers and ELU. */
export const isRectifierFamily = (name: string | null | undefined): boolean =>
  activationFamily(name)?.rectifierFamily ?? false;

/** The ELU suggestion and the quick fix apply (the rectifier family except ELU itself). */
export const isSwitchableToElu = (name: string | null | undefined): boolean =>
  activationFamily(name)?.switchableToElu ?? false;

/** The what-if may switch it: switchable, and no weights of its own to lose between the arms. */
export function isWhatIfSwitchable(name: string | null | undefined): boolean {
  const family = activationFamily(name);
  return family !== null && family.switchableToElu && !family.ownWeights;
}

/** SELU's fixed constants (Klambauer et al. 2017): it saturates at −λα. */
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/** Keras' and TF.js' defaults where the layer config does not set α. */
const DEFAULT_ALPHA: Partial<Record<ActivationName, number>> = { elu: 1, leaky_relu: 0.3 };

/**
 * α of an activation applied with `config` (the layer's Keras config): the config's own α where it
 * sets one, else the default; SELU's is fixed at λα, the level it saturates at. Null for activations
 * without an α.
 */
export function activationAlpha(
  name: string | null | undefined,
  config: Record<string, unknown>,
): number | null {
  const canonical = canonicalActivation(name);
  if (canonical === 'selu') return SELU_ALPHA * SELU_SCALE;
  const fallback = canonical === null ? undefined : DEFAULT_ALPHA[canonical];
  if (fallback === undefined) return null;
  return typeof config.alpha === 'number' ? config.alpha : fallback;
}
