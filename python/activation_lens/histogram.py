"""Adaptive histogram edges (docs/architecture.md "Histograms"; the TS twin is src/histogram.ts).
B = 64 equal bins [e_i, e_{i+1}), e_i = lo + i·w. The first probe picks the range; later probes only
ever DOUBLE it toward the side that overflowed, so every new edge is an old edge and earlier
histograms re-bin exactly (counts summed, never estimated).

A bounded activation's known range is CLOSED: its last bin is [e_63, hi] and holds the bound itself
(relu6 outputs of exactly 6, sigmoid/softmax 1.0, tanh ±1.0 are common), so such values never
double the range. Every other range — a doubled one included — is half-open.

All arithmetic here is exact: widths are powers of two (or a power of two times 3 for relu6, times
1 for the other known ranges) and lo is a multiple of the first width, so every edge is a dyadic
number that float64 (and float32, for the device-side binning) represents exactly."""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import List, Optional, Sequence, Tuple

from .activations import KNOWN_RANGES

BINS = 64
#: The smallest width the first probe may choose: 2^-24.
MIN_EXPONENT = -24


@dataclass(frozen=True)
class HistogramRange:
    lo: float
    width: float
    #: The known range of a bounded activation: the last bin also holds `hi`.
    closed: bool = False

    @property
    def hi(self) -> float:
        return self.lo + BINS * self.width

    def edges(self) -> List[float]:
        return [self.lo + i * self.width for i in range(BINS + 1)]

    def contains(self, minimum: float, maximum: float) -> bool:
        return minimum >= self.lo and (maximum <= self.hi if self.closed else maximum < self.hi)


def initial_range(
    activation: str, alpha: Optional[float], minimum: Optional[float], maximum: Optional[float]
) -> HistogramRange:
    """The range of a layer's first histogram. Bounded activations keep their known range (closed);
    others
    take the smallest power-of-two width 2^k (k ≥ −24) that holds the first probe's finite values,
    from 0 when they are all ≥ 0, else symmetric around 0. No finite value at all counts as [0, 0].
    `alpha` is unused by the rule (ELU/SELU values are ≥ −α·λ anyway) and kept for parity with
    initialRange(activation, alpha, min, max) in src/histogram.ts."""
    del alpha
    if activation in KNOWN_RANGES:
        lo, hi = KNOWN_RANGES[activation]
        return HistogramRange(lo, (hi - lo) / BINS, closed=True)
    m = minimum if minimum is not None and math.isfinite(minimum) else 0.0
    big = maximum if maximum is not None and math.isfinite(maximum) else 0.0
    symmetric = m < 0
    k = MIN_EXPONENT
    while True:
        w = math.ldexp(1.0, k)
        if symmetric:
            lo = -(BINS // 2) * w
            if lo <= m and big < (BINS // 2) * w:
                return HistogramRange(lo, w)
        elif big < BINS * w:
            return HistogramRange(0.0, w)
        k += 1


def widen_range(
    current: HistogramRange, minimum: Optional[float], maximum: Optional[float]
) -> Tuple[HistogramRange, List[str]]:
    """Doubles `current` until [minimum, maximum] fits: overflow above keeps lo and doubles w;
    below moves lo down by B·w and doubles w (hi kept). With both sides out, the side with the
    larger excess goes first (a tie goes above). A closed range holds its `hi`; a doubled range is
    half-open. Returns the new range and the directions taken ('above' / 'below'), in order."""
    directions: List[str] = []
    lo, w = current.lo, current.width
    m = minimum if minimum is not None and math.isfinite(minimum) else None
    big = maximum if maximum is not None and math.isfinite(maximum) else None
    while True:
        hi = lo + BINS * w
        closed = current.closed and not directions
        below = m is not None and m < lo
        above = big is not None and (big > hi if closed else big >= hi)
        if not below and not above:
            return HistogramRange(lo, w, closed), directions
        if below and above:
            direction = "above" if (big - hi) >= (lo - m) else "below"  # type: ignore[operator]
        else:
            direction = "above" if above else "below"
        if direction == "below":
            lo -= BINS * w
        w *= 2
        directions.append(direction)


def doubling_directions(source: HistogramRange, target: HistogramRange) -> List[str]:
    """The doublings that turn `source` into `target` (unique: the k-th doubling went below iff bit
    k of (source.lo − target.lo)/(B·source.width) is 1). Raises ValueError if there are none."""
    w0 = Fraction(source.width)
    ratio = Fraction(target.width) / w0
    if ratio.denominator != 1 or ratio.numerator & (ratio.numerator - 1):
        raise ValueError(f"width {target.width} is not {source.width} doubled")
    count = ratio.numerator.bit_length() - 1
    shift = (Fraction(source.lo) - Fraction(target.lo)) / (BINS * w0)
    if shift.denominator != 1 or shift < 0 or shift >= (1 << count):
        raise ValueError(f"[{target.lo}, {target.hi}) is not reachable from [{source.lo}, {source.hi}) by doublings")
    bits = int(shift)
    return ["below" if (bits >> k) & 1 else "above" for k in range(count)]


def rebin(counts: Sequence[int], source: HistogramRange, target: HistogramRange) -> List[int]:
    """Counts on `source`'s bins re-binned exactly onto `target`'s (reached by doublings): each
    doubling sums old bins pairwise into one half of the new bins and leaves the other half 0."""
    if len(counts) != BINS:
        raise ValueError(f"expected {BINS} counts, got {len(counts)}")
    out = list(counts)
    half = BINS // 2
    for direction in doubling_directions(source, target):
        pairs = [out[2 * j] + out[2 * j + 1] for j in range(half)]
        out = pairs + [0] * half if direction == "above" else [0] * half + pairs
    return out


def bin_of(value: float, r: HistogramRange) -> int:
    """The bin index holding `value` (−1 below lo, B above the range), by exact comparison with the
    edges: e_i ≤ value < e_{i+1}, and value = hi in the last bin of a closed range. The device
    kernels compute the same thing (floor, then one correction against the exact edges)."""
    if value < r.lo:
        return -1
    if r.closed and value == r.hi:
        return BINS - 1
    if value >= r.hi:
        return BINS
    q = math.floor((value - r.lo) / r.width)
    q = min(max(q, 0), BINS - 1)
    if value < r.lo + q * r.width:
        q -= 1
    elif value >= r.lo + (q + 1) * r.width:
        q += 1
    return q


def histogram_of(values: Sequence[float], r: HistogramRange) -> Tuple[List[int], int, int]:
    """Reference histogram (host, for tests and cross-checks): finite values into bins; returns
    (counts, finite below the range, finite above it). Non-finite values are skipped."""
    counts = [0] * BINS
    below = above = 0
    for v in values:
        if not math.isfinite(v):
            continue
        q = bin_of(v, r)
        if q < 0:
            below += 1
        elif q >= BINS:
            above += 1
        else:
            counts[q] += 1
    return counts, below, above
