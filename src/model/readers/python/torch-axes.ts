/**
 * PyTorch's axis order vs the TF.js model's: a channels-first tensor is (C, H, W) in PyTorch and
 * (H, W, C) in the model; a plain one (features, embeddings, RNN outputs) is the same in both.
 */
import type { Shape, Tensor } from './torch-values';

/** PyTorch's per-sample dims of a tensor (channels first for images and conv sequences). */
export function torchDims(t: Tensor): Shape | null {
  if (!t.shape) return null;
  return t.layout === 'channels-first' && t.shape.length > 1
    ? [t.shape[t.shape.length - 1]!, ...t.shape.slice(0, -1)]
    : t.shape;
}

/** The axis of ours that PyTorch's per-sample axis `axis` (0-based, batch excluded) is. */
export function oursOf(t: Tensor, axis: number): number {
  const rank = t.shape?.length ?? 0;
  if (t.layout !== 'channels-first' || rank < 2) return axis;
  return axis === 0 ? rank - 1 : axis - 1;
}

/** A PyTorch dim argument (batch = 0, negative from the end) → per-sample axis, or null. */
export function sampleAxis(t: Tensor, dim: number | null): number | null {
  const rank = t.shape?.length ?? 0;
  if (dim === null) return null;
  const d = dim < 0 ? dim + rank + 1 : dim;
  return d >= 1 && d <= rank ? d - 1 : null;
}
