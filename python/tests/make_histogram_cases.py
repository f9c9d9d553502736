"""Writes test/fixtures/live/histogram-cases.json: the adaptive-histogram cases the TypeScript twin
(src/histogram.ts, and the engine's device kernel in src/probe/statistics.ts) must reproduce
exactly — per case, each probe's values (float32-representable), the range Python chose (lo,
width, closed, edges), the doublings taken and the counts, plus every earlier histogram re-binned
onto the final range. Besides random values: bounded activations at their bounds (relu6 = 6,
softmax/sigmoid = 1, tanh = ±1: a closed range holds them), a bound exceeded, and every edge with
its float32 neighbours on ranges whose widths are not powers of two or whose lo/w is not an
integer (where a float floor((v − lo)/w) misplaces values within an ulp of an edge)."""
from __future__ import annotations

import json
import math
import random
import struct
import sys
from typing import Any, Dict, List

from support import FIXTURES

from activation_lens.histogram import BINS, HistogramRange, histogram_of, initial_range, rebin, widen_range


def f32(x: float) -> float:
    return struct.unpack("f", struct.pack("f", x))[0]


def f32_next(x: float, up: bool) -> float:
    """The float32 neighbour of float32 `x` toward +∞ (up) or −∞."""
    if x == 0:
        tiny = struct.unpack("f", struct.pack("I", 1))[0]
        return tiny if up else -tiny
    bits = struct.unpack("I", struct.pack("f", x))[0]
    bits += 1 if (x > 0) == up else -1
    return struct.unpack("f", struct.pack("I", bits))[0]


def edge_values(r: HistogramRange) -> List[float]:
    """Every edge of `r` and its two float32 neighbours, those inside the range."""
    out: List[float] = []
    for i in range(BINS + 1):
        e = f32(r.lo + i * r.width)
        for v in (f32_next(e, False), e, f32_next(e, True)):
            if r.lo <= v and (v <= r.hi if r.closed else v < r.hi):
                out.append(v)
    return out


def below_doublings(start: HistogramRange, n: int) -> HistogramRange:
    r = start
    for _ in range(n):
        r, _ = widen_range(r, r.lo - 1e-9, 0.0)
    return r


def build_cases() -> List[Dict[str, Any]]:
    rng = random.Random(5)
    specs = [
        ("relu", lambda s: [max(0.0, rng.gauss(0.2, 1.0)) * s for _ in range(300)], [1, 3, 10, 100]),
        ("leaky_relu", lambda s: [rng.gauss(0.1, 1.0) * s for _ in range(300)], [1, 2, 50, 100]),
        ("elu", lambda s: [max(-1.0, rng.gauss(0.0, 2.0)) * s for _ in range(300)], [1, 4]),
        ("softmax", lambda s: [rng.random() for _ in range(200)] + [1.0], [1]),
        ("tanh", lambda s: [math.tanh(rng.gauss(0, 3)) for _ in range(200)], [1]),
        ("relu6", lambda s: [min(6.0, max(0.0, rng.gauss(3, 3))) for _ in range(200)], [1]),
        ("linear", lambda s: [-(2.0**-3) * s, 0.0, 2.0**-3 * s, -1e-7, 1e-7], [1, 1000]),
        # Bounds reached: a closed known range holds them without doubling.
        ("relu6", lambda s: [6.0] * 20 + [0.0] * 20 + [rng.uniform(0, 6) for _ in range(50)], [1]),
        ("sigmoid", lambda s: [1.0, 0.0, 0.5] + [rng.random() for _ in range(50)], [1]),
        ("tanh", lambda s: [1.0, -1.0] * 5 + [math.tanh(rng.gauss(0, 9)) for _ in range(50)], [1]),
        # A bound exceeded (a mislabelled activation): the closed range doubles, half-open after.
        ("sigmoid", lambda s: [0.0, 1.0, 0.25] + [1.0 + 0.5 * s * rng.random() for _ in range(10)], [1, 2]),
        # Every edge with its float32 neighbours.
        ("leaky_relu", lambda s: edge_values(HistogramRange(-1.0, 1 / 32)), [1]),
        ("relu6", lambda s: edge_values(HistogramRange(0.0, 6 / 64, closed=True)), [1]),
        ("relu6", lambda s: edge_values(HistogramRange(0.0, 12 / 64)) + [6.5], [1]),
        (
            "linear",
            lambda s: [-1.0, 0.5] if s == 1 else edge_values(below_doublings(HistogramRange(-1.0, 1 / 32), 6)),
            [1, 2],
        ),
    ]
    cases = []
    for activation, make, scales in specs:
        probes = []
        r = None
        for scale in scales:
            values = [f32(v) for v in make(scale)]
            lo, hi = min(values), max(values)
            start_range = r if r is not None else initial_range(activation, None, lo, hi)
            start = {"lo": start_range.lo, "width": start_range.width, "closed": start_range.closed}
            r, directions = widen_range(start_range, lo, hi)
            counts, below, above = histogram_of(values, r)
            assert below == above == 0
            probes.append(
                {
                    "values": values,
                    "start": start,
                    "directions": directions,
                    "lo": r.lo,
                    "width": r.width,
                    "closed": r.closed,
                    "edges": r.edges(),
                    "counts": counts,
                }
            )
        final = probes[-1]
        target = HistogramRange(final["lo"], final["width"], final["closed"])
        for p in probes:
            p["rebinnedToFinal"] = rebin(p["counts"], HistogramRange(p["lo"], p["width"], p["closed"]), target)
        cases.append({"activation": activation, "probes": probes})
    return cases


if __name__ == "__main__":
    path = sys.argv[1] if len(sys.argv) > 1 else f"{FIXTURES}/histogram-cases.json"
    with open(path, "w", encoding="utf-8") as f:
        json.dump(build_cases(), f, separators=(",", ":"))
        f.write("\n")
    print(path)
