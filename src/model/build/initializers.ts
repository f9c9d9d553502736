/** Initializers as TF.js deserialises them, seeded so a run (and each what-if arm) is reproducible. */
import { initializerClassFromName, isSeededInitializer } from '../initializer-names';

/** Returns `{class_name, config}` with `seed` set where the initializer is random. */
export function seededInitializer(value: unknown, seed: number): unknown {
  let form: { class_name: string; config: Record<string, unknown> } | null = null;
  if (typeof value === 'string') {
    const cls = initializerClassFromName(value);
    if (!cls) return value;
    form = { class_name: cls, config: {} };
  } else if (value && typeof value === 'object' && 'class_name' in value) {
    const v = value as { class_name: string; config?: Record<string, unknown> };
    form = { class_name: v.class_name, config: { ...(v.config ?? {}) } };
  }
  if (!form) return value;
  if (isSeededInitializer(form.class_name) && (form.config.seed === undefined || form.config.seed === null)) {
    form.config.seed = seed;
  }
  return form;
}
