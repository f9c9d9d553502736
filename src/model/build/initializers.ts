/** Keras initializer names ↔ the Keras JSON class form TF.js deserialises, with a seed. */

const KERAS_TO_CLASS: Record<string, string> = {
  glorot_uniform: 'GlorotUniform',
  glorot_normal: 'GlorotNormal',
  he_normal: 'HeNormal',
  he_uniform: 'HeUniform',
  lecun_normal: 'LeCunNormal',
  lecun_uniform: 'LeCunUniform',
  random_normal: 'RandomNormal',
  random_uniform: 'RandomUniform',
  truncated_normal: 'TruncatedNormal',
  orthogonal: 'Orthogonal',
  zeros: 'Zeros',
  ones: 'Ones',
  // TF.js camelCase spellings, as TF.js sources write them
  glorotUniform: 'GlorotUniform',
  glorotNormal: 'GlorotNormal',
  heNormal: 'HeNormal',
  heUniform: 'HeUniform',
  leCunNormal: 'LeCunNormal',
  leCunUniform: 'LeCunUniform',
  randomNormal: 'RandomNormal',
  randomUniform: 'RandomUniform',
  truncatedNormal: 'TruncatedNormal',
};

const SEEDED = new Set([
  'GlorotUniform',
  'GlorotNormal',
  'HeNormal',
  'HeUniform',
  'LeCunNormal',
  'LeCunUniform',
  'RandomNormal',
  'RandomUniform',
  'TruncatedNormal',
  'VarianceScaling',
  'Orthogonal',
]);

/** Returns `{class_name, config}` with `seed` set where the initializer is random. */
export function seededInitializer(value: unknown, seed: number): unknown {
  let form: { class_name: string; config: Record<string, unknown> } | null = null;
  if (typeof value === 'string') {
    const cls = KERAS_TO_CLASS[value];
    if (!cls) return value;
    form = { class_name: cls, config: {} };
  } else if (value && typeof value === 'object' && 'class_name' in value) {
    const v = value as { class_name: string; config?: Record<string, unknown> };
    form = { class_name: v.class_name, config: { ...(v.config ?? {}) } };
  }
  if (!form) return value;
  if (SEEDED.has(form.class_name) && (form.config.seed === undefined || form.config.seed === null)) {
    form.config.seed = seed;
  }
  return form;
}

/** The Keras snake_case name of an initializer value (string or class form), or null. */
export function initializerName(value: unknown): string | null {
  const cls =
    typeof value === 'string'
      ? (KERAS_TO_CLASS[value] ?? value)
      : value && typeof value === 'object' && 'class_name' in value
        ? String((value as { class_name: unknown }).class_name)
        : null;
  if (!cls) return null;
  return cls
    .replace(/^LeCun/, 'Lecun')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}
