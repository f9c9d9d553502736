"""Device side of the probe statistics for Keras 3, with `keras.ops` so any backend computes them
on its own device: the same numbers, in the same layout, as statistics_torch.py (see
statistics.py). Units are the last axis (channels-last), or axis 1 for channels_first layers."""
from __future__ import annotations

import math
from typing import Any, List, Optional, Tuple

from .activations import SATURATION_TOLERANCE
from .histogram import BINS, HistogramRange
from .statistics import Request


def accumulator_dtype(keras: Any) -> str:
    """float64 where the backend allows it (JAX only with x64 enabled)."""
    if keras.backend.backend() == "jax":
        import jax

        return "float64" if jax.config.jax_enable_x64 else "float32"
    return "float64"


def _is_power_of_two(x: float) -> bool:
    m, _ = math.frexp(x)
    return x > 0 and m == 0.5


def bin_index(ops: Any, values: Any, r: HistogramRange) -> Any:
    """0 below lo, 1 + i for [e_i, e_{i+1}), B + 1 at or above hi (hi itself in the last bin of a
    closed range); exact (see statistics_torch)."""
    lo, w = r.lo, r.width
    offset = lo / w
    if _is_power_of_two(w) and offset == math.floor(offset):
        q = ops.clip(ops.floor(values * (1.0 / w)) - (offset - 1.0), 0, BINS + 1)
    else:
        q = ops.clip(ops.floor((values - lo) / w), -1, BINS)
        edge = q * w + lo
        q = q - ops.cast(ops.less(values, edge), values.dtype) + ops.cast(ops.greater_equal(values, edge + w), values.dtype)
        q = ops.clip(q + 1.0, 0, BINS + 1)
    if r.closed:
        q = q - ops.cast(ops.equal(values, r.hi), q.dtype)  # a closed range's last bin holds hi itself
    q = ops.where(ops.isnan(q), ops.zeros_like(q), q)  # NaN only in an unmasked pass, discarded
    return ops.reshape(ops.cast(q, "int32"), (-1,))


def summarise(
    keras: Any, output: Any, unit_axis: int, units: int, alpha: Optional[float], request: Request, acc: str
) -> Tuple[Any, Any]:
    """(additive, extremes) for one output; unmasked unless `request.exact` (see statistics.py)."""
    ops = keras.ops
    x = output
    if str(x.dtype) not in ("float32", "float64"):
        x = ops.cast(x, "float32")  # exact upcast from float16/bfloat16
    if unit_axis != len(x.shape) - 1:
        x = ops.moveaxis(x, unit_axis, -1)
    # (samples, positions, units): per-sample partial sums in float32, then float64 across samples
    # (float64 reductions straight from float32 data are an order of magnitude slower on CPU).
    lead = int(x.shape[0]) if x.shape[0] is not None else -1
    rows = ops.reshape(x, (lead, -1, units))
    finite = None
    values = rows
    if request.exact:
        finite = ops.isfinite(rows)
        values = ops.where(finite, rows, ops.zeros_like(rows))
    parts: List[Any] = []

    def across(partial: Any) -> Any:
        return ops.sum(ops.cast(partial, acc), axis=0)

    if request.core:
        numel = int(math.prod(int(d) for d in rows.shape))
        nonfinite = numel - ops.sum(ops.cast(finite, acc)) if finite is not None else ops.zeros((), acc)
        parts.append(
            ops.stack(
                [
                    ops.cast(ops.convert_to_tensor(numel), acc),
                    ops.cast(nonfinite, acc),
                    ops.sum(across(ops.sum(values, axis=1))),
                    ops.sum(across(ops.sum(ops.square(values), axis=1))),
                ]
            )
        )
        parts.append(across(ops.sum(ops.cast(ops.greater(values, 0), values.dtype), axis=1)))
        parts.append(across(ops.sum(ops.abs(values), axis=1)))
        if alpha is not None:
            # −α(1 − tol) < 0, so a zeroed non-finite value never counts as saturated.
            saturated = ops.cast(ops.less_equal(values, -alpha * (1 - SATURATION_TOLERANCE)), values.dtype)
            parts.append(across(ops.sum(saturated, axis=1)))
    if request.exact:
        parts.append(
            ops.stack(
                [
                    ops.sum(ops.cast(ops.equal(rows, math.inf), acc)),
                    ops.sum(ops.cast(ops.equal(rows, -math.inf), acc)),
                ]
            )
        )
        parts.append(across(ops.sum(ops.cast(ops.logical_not(finite), "float32"), axis=1)))
    if request.range is not None:
        parts.append(ops.cast(ops.bincount(bin_index(ops, values, request.range), minlength=BINS + 2), acc))
    if finite is not None:
        inf = ops.full_like(rows, math.inf)
        extremes = ops.stack([ops.min(ops.where(finite, rows, inf)), ops.max(ops.where(finite, rows, -inf))])
    else:
        extremes = ops.stack([ops.min(values), ops.max(values)])
    additive = ops.concatenate([ops.reshape(p, (-1,)) for p in parts]) if parts else ops.zeros((0,), acc)
    return additive, ops.cast(extremes, acc)
