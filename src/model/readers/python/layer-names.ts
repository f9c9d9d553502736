/**
 * Layer names as Keras and TF.js make them when the script gives none: the class name in
 * snake_case, then `_1`, `_2` … per class in construction order (conv2d, conv2d_1, re_lu,
 * leaky_re_lu, max_pooling2d). Inputs count from 1 (input_1), as tf.keras does.
 */

/** Keras' to_snake_case: `MaxPooling2D` → `max_pooling2d`, `LeakyReLU` → `leaky_re_lu`. */
export function snakeCase(className: string): string {
  const isUpper = (c: string | undefined): boolean => c !== undefined && c >= 'A' && c <= 'Z';
  const isLower = (c: string | undefined): boolean => c !== undefined && c >= 'a' && c <= 'z';
  // Pass 1: an underscore before every Capital+lowercase run that follows any character.
  let pass1 = '';
  for (let i = 0; i < className.length; i++) {
    const c = className[i]!;
    if (i > 0 && isUpper(c) && isLower(className[i + 1])) pass1 += '_';
    pass1 += c;
  }
  // Pass 2: an underscore between a lowercase letter and a capital.
  let pass2 = '';
  for (let i = 0; i < pass1.length; i++) {
    const c = pass1[i]!;
    if (i > 0 && isUpper(c) && isLower(pass1[i - 1])) pass2 += '_';
    pass2 += c;
  }
  return pass2.toLowerCase();
}

/** Hands out unique names: the first `dense`, then `dense_1` … ; explicit names are reserved. */
export class LayerNamer {
  private readonly counts = new Map<string, number>();
  private readonly taken = new Set<string>();

  /** An automatic name for a layer of this class (`oneBased` for inputs: input_1, input_2). */
  auto(className: string, oneBased = false): string {
    return this.fromBase(className === 'InputLayer' ? 'input' : snakeCase(className), oneBased);
  }

  /** A unique name starting from `base` (`conv1_relu`, then `conv1_relu_1`). */
  fromBase(base: string, oneBased = false): string {
    for (;;) {
      const n = this.counts.get(base) ?? (oneBased ? 1 : 0);
      this.counts.set(base, n + 1);
      const name = n === 0 ? base : `${base}_${n}`;
      if (!this.taken.has(name)) {
        this.taken.add(name);
        return name;
      }
    }
  }

  /** A name the script chose; made unique only if it is used twice. */
  explicit(name: string): string {
    if (!this.taken.has(name)) {
      this.taken.add(name);
      return name;
    }
    return this.fromBase(name);
  }
}
