/**
 * A tensor and a constant in `x / 255.0`, `x - 0.5`, `2 * x`, `1 - x`: the scale and offset
 * (y = scale·x + offset) a Rescaling layer computes, for the Keras and the PyTorch reader alike.
 */
import { asNumber, type PyValue } from './values';

/** `tensorOnLeft`: the tensor is the left operand. Null for other operators, other operands and `c / x`. */
export function constantAffine(
  op: string,
  constant: PyValue,
  tensorOnLeft: boolean,
): { scale: number; offset: number } | null {
  const c = asNumber(constant);
  if (c === null) return null;
  if (op === '*') return { scale: c, offset: 0 };
  if (op === '/' && tensorOnLeft && c !== 0) return { scale: 1 / c, offset: 0 };
  if (op === '+') return { scale: 1, offset: c };
  if (op === '-') return tensorOnLeft ? { scale: 1, offset: -c } : { scale: -1, offset: c };
  return null;
}
