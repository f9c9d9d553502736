/**
 * Keras-style names: the snake_case of a class name (what TF.js and Keras both use when they
 * serialize), and the default layer names `dense`, `dense_1`, `conv2d` … that lenses and reports show.
 */

/** `MaxPooling2D` → `max_pooling2d`, `ReLU` → `re_lu`, `heNormal` → `he_normal` (Keras' rule). */
export function toSnakeCase(name: string): string {
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const ch = name[i]!;
    const prev = i > 0 ? name[i - 1]! : '';
    const next = i + 1 < name.length ? name[i + 1]! : '';
    // Keras inserts `_` before an upper-case letter that starts a capitalised word (`Pooling`)
    // and between a lower-case letter and an upper-case one (`eL` in `ReLU`).
    const startsWord = isUpper(ch) && isLowerOrDigit(next) && i > 0;
    const afterLower = isUpper(ch) && isLower(prev);
    if ((startsWord || afterLower) && !out.endsWith('_')) out += '_';
    out += ch.toLowerCase();
  }
  return out;
}

function isUpper(ch: string): boolean {
  return ch >= 'A' && ch <= 'Z';
}
function isLower(ch: string): boolean {
  return ch >= 'a' && ch <= 'z';
}
function isLowerOrDigit(ch: string): boolean {
  return isLower(ch) || (ch >= '0' && ch <= '9');
}

/** Hands out Keras default names: the first `dense`, then `dense_1`, `dense_2` … per class. */
export class LayerNamer {
  private readonly counts = new Map<string, number>();
  private readonly taken = new Set<string>();

  /** Records a name the person chose, so generated names never collide with it. */
  reserve(name: string): boolean {
    if (this.taken.has(name)) return false;
    this.taken.add(name);
    return true;
  }

  next(className: string): string {
    const prefix = toSnakeCase(className);
    for (;;) {
      const n = this.counts.get(prefix) ?? 0;
      this.counts.set(prefix, n + 1);
      const name = n === 0 ? prefix : `${prefix}_${n}`;
      if (!this.taken.has(name)) {
        this.taken.add(name);
        return name;
      }
    }
  }
}
