"""Writes test/fixtures/live/histogram-cases.json: the adaptive-histogram cases the TypeScript twin
(src/histogram.ts) must reproduce exactly — per case, each probe's values (float32-representable),
the range Python chose (lo, width, edges), the doublings taken and the counts, plus every earlier
histogram re-binned onto the final range."""
from __future__ import annotations

import json
import math
import random
import struct
import sys
from typing import Any, Dict, List

from support import FIXTURES

from activation_lens.histogram import histogram_of, initial_range, rebin, widen_range


def f32(x: float) -> float:
    return struct.unpack("f", struct.pack("f", x))[0]


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
    ]
    cases = []
    for activation, make, scales in specs:
        probes = []
        r = None
        for scale in scales:
            values = [f32(v) for v in make(scale)]
            lo, hi = min(values), max(values)
            if r is None:
                r = initial_range(activation, None, lo, hi)
                first = r
                r, directions = widen_range(r, lo, hi)
                start = {"lo": first.lo, "width": first.width}
            else:
                start = {"lo": r.lo, "width": r.width}
                r, directions = widen_range(r, lo, hi)
            counts, below, above = histogram_of(values, r)
            assert below == above == 0
            probes.append({"values": values, "start": start, "directions": directions, "lo": r.lo, "width": r.width, "edges": r.edges(), "counts": counts})
        final = probes[-1]
        from activation_lens.histogram import HistogramRange

        target = HistogramRange(final["lo"], final["width"])
        for p in probes:
            p["rebinnedToFinal"] = rebin(p["counts"], HistogramRange(p["lo"], p["width"]), target)
        cases.append({"activation": activation, "probes": probes})
    return cases


if __name__ == "__main__":
    path = sys.argv[1] if len(sys.argv) > 1 else f"{FIXTURES}/histogram-cases.json"
    with open(path, "w", encoding="utf-8") as f:
        json.dump(build_cases(), f, separators=(",", ":"))
        f.write("\n")
    print(path)
