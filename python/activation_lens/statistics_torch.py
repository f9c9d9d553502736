"""Device side of the probe statistics for PyTorch: per activation application, a few torch ops on
the run's device produce the additive and extremes vectors that statistics.py reads (layout there).

Cost matters (the probe shares the run's overhead budget): about ten cheap passes over each
output. Values are taken as finite (a non-finite float64 sum sends the layer to a masked follow-up
pass, see statistics.py); per-unit reductions run on contiguous rows (N, C, positions) in float32
and accumulate across rows in float64; the histogram bin is found with arithmetic that is exact
for power-of-two widths and corrected against the exact edges otherwise."""
from __future__ import annotations

import math
from typing import List, Optional, Tuple

import torch

from .histogram import BINS, HistogramRange, initial_range, widen_range
from .activations import SATURATION_TOLERANCE
from .statistics import Request


def accumulator_dtype(device: torch.device) -> torch.dtype:
    """float64 where the device has it (counts exact to 2^53); MPS has no float64."""
    return torch.float32 if device.type == "mps" else torch.float64


def _is_power_of_two(x: float) -> bool:
    m, _ = math.frexp(x)
    return x > 0 and m == 0.5


_MAGIC = 8388608.0  # 2^23: adding it to a float32 integer in [0, 2^22) puts that integer in the mantissa bits
_MAGIC_BITS = 0x4B000000


def bin_index(values: torch.Tensor, r: HistogramRange) -> torch.Tensor:
    """Per element, 0 for < lo, 1 + i for [e_i, e_{i+1}), B + 1 for ≥ hi — except hi itself, in
    the last bin of a closed range (flat integer tensor).
    Exact: with w = 2^k and lo/w an integer, x · 2^-k is exact and so is its floor; otherwise the
    float estimate is corrected once against the edges, which are exact in float32. NaN (only in
    an unmasked pass, whose histogram is then discarded) lands in bin 0 instead of breaking bincount.
    float32 bins become integers through the 2^23 trick (a view of the bits): float→int64
    conversion alone costs more than the rest of the histogram on CPU."""
    lo, w = r.lo, r.width
    offset = lo / w
    if _is_power_of_two(w) and offset == math.floor(offset):
        q = (values * (1.0 / w)).floor_().sub_(offset - 1.0)
    else:
        q = torch.floor((values - lo) / w).clamp_(-1, BINS)
        edge = q * w + lo
        q = q.sub_((values < edge).to(q.dtype)).add_((values >= edge + w).to(q.dtype)).add_(1.0)
    q = q.clamp_(0, BINS + 1).nan_to_num_(0.0)
    if r.closed:
        q.sub_((values == r.hi).to(q.dtype))  # a closed range's last bin holds hi itself
    if q.dtype == torch.float32:
        return (q.add_(_MAGIC).view(torch.int32) - _MAGIC_BITS).reshape(-1)
    return q.to(torch.int64).reshape(-1)


def summarise(
    output: torch.Tensor,
    unit_axis: int,
    units: int,
    alpha: Optional[float],
    request: Request,
    acc: torch.dtype,
) -> Tuple[torch.Tensor, torch.Tensor]:
    """(additive, extremes) for one output, in statistics.py's layout; runs under no_grad.
    Per-row partial sums (over the positions of one sample and unit) are float32 — exact for
    counts below 2^24, ~1e-7 relative for sums — and everything across rows accumulates in `acc`
    (float64 reductions straight from float32 data are an order of magnitude slower on CPU)."""
    x = output.detach()
    if not x.is_floating_point() or x.dtype in (torch.float16, torch.bfloat16):
        x = x.float()  # exact upcast: every statistic sees the values the layer produced
    if x.ndim == 1:
        x = x.unsqueeze(1)
        unit_axis = 1
    # Rows of (leading, units, trailing): per-unit sums reduce the contiguous trailing axis first.
    lead = math.prod(x.shape[:unit_axis])
    rows = x.reshape(lead, units, -1)
    device = x.device
    finite: Optional[torch.Tensor] = None
    values = rows
    if request.exact:
        finite = torch.isfinite(rows)
        values = torch.where(finite, rows, torch.zeros((), dtype=rows.dtype, device=device))
    parts: List[torch.Tensor] = []
    if request.core:
        numel = x.numel()
        nonfinite = numel - finite.sum() if finite is not None else torch.zeros((), dtype=acc, device=device)
        row_sum = values.sum(-1).to(acc)
        row_sq = torch.linalg.vector_norm(values, 2, dim=-1).to(acc).square()
        parts.append(
            torch.stack(
                [
                    torch.full((), numel, dtype=acc, device=device),
                    nonfinite.to(acc),
                    row_sum.sum(),
                    row_sq.sum(),
                ]
            )
        )
        # sign(x) clamped at 0 is 1 exactly where x > 0: a float count, much faster than a bool sum.
        parts.append(torch.sign(values).clamp_min_(0).sum(-1).to(acc).sum(0))
        parts.append(torch.linalg.vector_norm(values, 1, dim=-1).to(acc).sum(0))
        if alpha is not None:
            # −α(1 − tol) < 0, so a zeroed non-finite value never counts as saturated.
            saturated = (values <= -alpha * (1 - SATURATION_TOLERANCE)).to(values.dtype)
            parts.append(saturated.sum(-1).to(acc).sum(0))
    if request.exact:
        parts.append(torch.stack([torch.isposinf(rows).sum(), torch.isneginf(rows).sum()]).to(acc))
        assert finite is not None
        parts.append((~finite).sum(-1).to(acc).sum(0))
    if request.range is not None:
        parts.append(torch.bincount(bin_index(values, request.range), minlength=BINS + 2).to(acc))
    if finite is not None:
        inf = torch.tensor(math.inf, dtype=x.dtype, device=device)
        extremes = torch.stack([torch.where(finite, rows, inf).amin(), torch.where(finite, rows, -inf).amax()])
    else:
        extremes = torch.stack(list(torch.aminmax(values)))
    additive = torch.cat(parts) if parts else torch.zeros(0, dtype=acc, device=device)
    return additive, extremes.to(acc)


def first_range(output: torch.Tensor, activation: str, alpha: Optional[float]) -> HistogramRange:
    """The histogram range of a layer's first probe, from its min and max read back right away
    (non-finite extremes count as 0, as in statistics.py; such a layer is re-run masked anyway)."""
    x = output.detach()
    if not x.is_floating_point():
        x = x.float()
    lo, hi = (float(v) for v in torch.aminmax(x.reshape(-1)))
    lo = lo if math.isfinite(lo) else 0.0
    hi = hi if math.isfinite(hi) else 0.0
    r = initial_range(activation, alpha, lo, hi)
    return widen_range(r, lo, hi)[0]
