"""Host side of the probe statistics, shared by both frameworks: the layout of the few numbers the
device sends back per activation application, and turning them into protocol LayerProbe objects
with the engine's definitions (src/probe/statistics.ts).

Each probe pass asks the device, per application, for a `Request`: `core` (per-unit fire counts,
|activation| sums, saturation counts, moments, counts), a histogram on a given range, and whether
to mask non-finite values (`exact`: zero them for every statistic, count ±∞, take min/max over the
finite values only). The device returns two flat vectors per application — additive numbers
(all-reduced with SUM across ranks) and extremes (MIN of [min, −max]) — concatenated over
applications and read back in one transfer.

The first pass assumes every value is finite (masking costs three passes over each output): a NaN
or ±∞ anywhere makes the float64 sum non-finite, and that layer gets a masked follow-up. Other
follow-ups: a histogram range not known yet (first probe), or values outside it (it doubles). A
follow-up runs the probe again for those layers only."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence

from .activations import CAN_DIE
from .histogram import BINS, HistogramRange, bin_of, initial_range, widen_range

#: Follow-up passes allowed per probe before a histogram is kept as is (only a device that gives
#: different values for the same input on a re-run could need more than one).
MAX_FOLLOWUPS = 3


@dataclass
class Application:
    """One application of an activation in the model's forward (a module used twice is two)."""

    name: str
    activation: str
    class_name: str
    #: Saturation level α (ELU family); None where saturation is not defined.
    alpha: Optional[float]
    #: The axis whose entries are the units (1 for channels-first conv outputs, else the last).
    unit_axis: int
    units: int
    #: Output shape with the batch axis as None.
    output_shape: List[Optional[int]]
    params: int = 0
    source: Optional[Dict[str, Any]] = None


@dataclass(frozen=True)
class Request:
    core: bool
    exact: bool
    range: Optional[HistogramRange]


def additive_length(units: int, saturating: bool, request: Request) -> int:
    n = 0
    if request.core:
        n += 4 + 2 * units + (units if saturating else 0)
    if request.exact:
        n += 2 + units
    if request.range is not None:
        n += BINS + 2
    return n


EXTREMES_LENGTH = 2


@dataclass
class Partial:
    """The numbers of one pass for one application, parsed from the read-back vectors."""

    request: Request
    minimum: float
    maximum: float
    numel: int = 0
    nonfinite: int = 0
    total: float = 0.0
    total_sq: float = 0.0
    fire: List[int] = field(default_factory=list)
    abs_sum: List[float] = field(default_factory=list)
    saturated: Optional[List[int]] = None
    posinf: int = 0
    neginf: int = 0
    #: Per unit: how many of its values were NaN or ±∞ (masked passes only).
    unit_nonfinite: List[int] = field(default_factory=list)
    below: int = 0
    above: int = 0
    counts: List[int] = field(default_factory=list)


def parse_partial(
    additive: Sequence[float], extremes: Sequence[float], app: Application, request: Request
) -> Partial:
    """Parses one application's slices (in the order the device kernels write them)."""
    i = 0

    def take(n: int) -> Sequence[float]:
        nonlocal i
        part = additive[i : i + n]
        i += n
        return part

    p = Partial(request=request, minimum=float(extremes[0]), maximum=float(extremes[1]))
    if request.core:
        numel, nonfinite, total, total_sq = take(4)
        p.numel, p.nonfinite, p.total, p.total_sq = int(numel), int(nonfinite), float(total), float(total_sq)
        p.fire = [int(v) for v in take(app.units)]
        p.abs_sum = [float(v) for v in take(app.units)]
        if app.alpha is not None:
            p.saturated = [int(v) for v in take(app.units)]
    if request.exact:
        posinf, neginf = take(2)
        p.posinf, p.neginf = int(posinf), int(neginf)
        p.unit_nonfinite = [int(v) for v in take(app.units)]
    if request.range is not None:
        hist = take(BINS + 2)
        p.below, p.above = int(hist[0]), int(hist[BINS + 1])
        p.counts = [int(v) for v in hist[1 : BINS + 1]]
    if i != len(additive):
        raise ValueError(f"{app.name}: {len(additive)} numbers for a layout of {i}")
    return p


class ProbeRound:
    """One probe of all applications: decides follow-up passes and assembles the LayerProbes.
    `ranges` is the session's per-layer histogram range, updated in place as ranges widen."""

    def __init__(self, apps: Sequence[Application], ranges: Dict[str, HistogramRange]) -> None:
        self.apps = {a.name: a for a in apps}
        self.order = [a.name for a in apps]
        self.ranges = ranges
        self.core: Dict[str, Partial] = {}
        self.exact: Dict[str, Partial] = {}
        self.hist: Dict[str, Partial] = {}
        self.followups = 0
        self.warnings: List[str] = []

    def first_requests(self) -> Dict[str, Request]:
        return {n: Request(core=True, exact=False, range=self.ranges.get(n)) for n in self.order}

    def absorb(self, name: str, partial: Partial) -> None:
        if partial.request.core:
            self.core[name] = partial
        if partial.request.exact:
            self.exact[name] = partial
        if partial.request.range is not None:
            self.hist[name] = partial

    def next_requests(self) -> Dict[str, Request]:
        """What still needs a pass: a masked pass where the unmasked one met non-finite values,
        a histogram on a (new) range. Empty when the probe is complete."""
        out: Dict[str, Request] = {}
        for name in self.order:
            core = self.core.get(name)
            if core is None:
                continue
            app = self.apps[name]
            masked = name in self.exact
            if not masked and not _all_finite(core):
                out[name] = Request(core=True, exact=True, range=self.ranges.get(name))
                continue
            new_range: Optional[HistogramRange] = None
            hist = self.hist.get(name)
            if hist is None:
                new_range = initial_range(app.activation, app.alpha, core.minimum, core.maximum)
                # Bounded activations start from their known range, which values may still exceed.
                new_range, _ = widen_range(new_range, core.minimum, core.maximum)
            elif hist.below or hist.above:
                if self.followups >= MAX_FOLLOWUPS:
                    self.warnings.append(
                        f"{name}: values kept falling outside the histogram after {MAX_FOLLOWUPS} re-runs; "
                        "its histogram leaves them out"
                    )
                    hist.below = hist.above = 0
                else:
                    assert hist.request.range is not None
                    new_range, _ = widen_range(hist.request.range, hist.minimum, hist.maximum)
            if new_range is not None:
                out[name] = Request(core=False, exact=masked, range=new_range)
        if out:
            self.followups += 1
        return out

    def layer_probes(self, step: int, dormant_tau: float) -> List[Dict[str, Any]]:
        probes: List[Dict[str, Any]] = []
        for name in self.order:
            core = self.core.get(name)
            hist = self.hist.get(name)
            if core is None or hist is None or hist.request.range is None:
                continue
            self.ranges[name] = hist.request.range
            probes.append(layer_probe(self.apps[name], step, core, hist, self.exact.get(name), dormant_tau))
        return probes


def _all_finite(p: Partial) -> bool:
    """An unmasked pass saw only finite values: NaN or ±∞ anywhere makes the float64 sums (or the
    extremes) non-finite, while float32 values cannot overflow a float64 sum."""
    return all(math.isfinite(v) for v in (p.total, p.total_sq, p.minimum, p.maximum))


def _unit_set(indices: List[int], units: int) -> Dict[str, Any]:
    return {"count": len(indices), "fraction": len(indices) / units if units else 0, "units": indices}


def layer_probe(
    app: Application, step: int, core: Partial, hist: Partial, exact: Optional[Partial], dormant_tau: float
) -> Dict[str, Any]:
    """A protocol LayerProbe with the engine's definitions (src/probe/statistics.ts summariseProbe)."""
    units = app.units
    numel, nonfinite = core.numel, core.nonfinite
    finite = numel - nonfinite
    observations = numel // units if units else 0
    unit_mean_abs = [a / observations if observations else 0.0 for a in core.abs_sum]
    layer_mean_abs = sum(unit_mean_abs) / units if units else 0.0
    can_die = app.activation in CAN_DIE
    # A unit with NaN/±∞ outputs never fired 0 of N "for real" (its zeroed values are not ≤ 0): it
    # is neither dead nor dormant, as in the engine (src/probe/statistics.ts).
    faulty = set(u for u, n in enumerate(exact.unit_nonfinite) if n) if exact is not None and nonfinite else set()
    dead = [u for u in range(units) if can_die and core.fire[u] == 0 and u not in faulty]
    dormant = [
        u
        for u in range(units)
        if u not in faulty and (layer_mean_abs == 0 or unit_mean_abs[u] < dormant_tau * layer_mean_abs)
    ]
    saturated = (
        [u for u in range(units) if core.saturated[u] == observations] if core.saturated is not None else None
    )
    mean = core.total / finite if finite else math.nan
    variance = max(0.0, core.total_sq / finite - mean * mean) if finite else math.nan
    if nonfinite == 0:
        minimum, maximum = core.minimum, core.maximum
    elif exact is not None and finite:
        minimum, maximum = exact.minimum, exact.maximum
    else:
        minimum = maximum = math.nan
    r = hist.request.range
    assert r is not None
    counts = list(hist.counts)
    # The kernels bin non-finite values as 0 (always inside the range): take them back out.
    if nonfinite:
        counts[bin_of(0.0, r)] -= nonfinite
    return {
        "layer": app.name,
        "step": step,
        "units": units,
        "observationsPerUnit": observations,
        "fireCount": list(core.fire),
        "dead": _unit_set(dead, units),
        "dormant": _unit_set(dormant, units),
        "saturated": _unit_set(saturated, units) if saturated is not None else None,
        "sparsity": (numel - sum(core.fire) - nonfinite) / numel if numel else 0,
        "mean": mean,
        "std": math.sqrt(variance) if finite else math.nan,
        "min": minimum,
        "max": maximum,
        "meanAbs": layer_mean_abs,
        "histogram": {
            "edges": r.edges(),
            "counts": counts,
            "underflow": exact.neginf if exact is not None else 0,
            "overflow": exact.posinf if exact is not None else 0,
        },
        "nonFinite": nonfinite,
    }
