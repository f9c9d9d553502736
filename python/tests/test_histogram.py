"""The adaptive histogram rule (docs/architecture.md "Histograms"), exactly: initial ranges, doubling, exact re-binning."""
from __future__ import annotations

import json
import math
import os
import random
import unittest

from support import FIXTURES  # noqa: F401  (puts the package on sys.path)

from activation_lens.histogram import (
    BINS,
    HistogramRange,
    bin_of,
    doubling_directions,
    histogram_of,
    initial_range,
    rebin,
    widen_range,
)

CASES_FILE = os.path.join(FIXTURES, "histogram-cases.json")


class InitialRange(unittest.TestCase):
    def test_non_negative_values_start_at_zero_with_the_smallest_power_of_two_width(self) -> None:
        r = initial_range("relu", None, 0.0, 3.0)
        self.assertEqual((r.lo, r.width), (0.0, 2.0**-4))  # 64 · 2^-5 = 2 ≤ 3 < 64 · 2^-4 = 4
        self.assertEqual(initial_range("relu", None, 0.0, 4.0).width, 2.0**-3)  # M < hi is strict

    def test_negative_values_make_it_symmetric(self) -> None:
        r = initial_range("leaky_relu", None, -0.5, 0.1)
        self.assertEqual((r.lo, r.width), (-32 * 2.0**-6, 2.0**-6))
        self.assertTrue(r.contains(-0.5, 0.1))
        self.assertFalse(HistogramRange(-32 * 2.0**-7, 2.0**-7).contains(-0.5, 0.1))
        elu = initial_range("elu", 1.0, -1.0, 7.9)
        self.assertEqual((elu.lo, elu.hi), (-8.0, 8.0))

    def test_bounded_activations_keep_their_known_range(self) -> None:
        for activation, lo, hi in [("softmax", 0, 1), ("sigmoid", 0, 1), ("hard_sigmoid", 0, 1), ("tanh", -1, 1), ("softsign", -1, 1), ("relu6", 0, 6)]:
            r = initial_range(activation, None, 0.3, 0.4)
            self.assertEqual((r.lo, r.hi), (lo, hi), activation)

    def test_tiny_and_empty_ranges_stop_at_two_to_the_minus_24(self) -> None:
        self.assertEqual(initial_range("relu", None, 0.0, 0.0).width, 2.0**-24)
        self.assertEqual(initial_range("relu", None, None, None).width, 2.0**-24)
        self.assertEqual(initial_range("relu", None, math.nan, math.inf).width, 2.0**-24)


class Widening(unittest.TestCase):
    def test_above_keeps_lo_and_doubles_the_width(self) -> None:
        r, dirs = widen_range(HistogramRange(0.0, 1.0), 0.0, 200.0)
        self.assertEqual((r.lo, r.width, dirs), (0.0, 4.0, ["above", "above"]))

    def test_below_keeps_hi(self) -> None:
        r, dirs = widen_range(HistogramRange(0.0, 1.0), -10.0, 5.0)
        self.assertEqual((r.lo, r.hi, dirs), (-64.0, 64.0, ["below"]))

    def test_both_sides_go_larger_excess_first(self) -> None:
        r, dirs = widen_range(HistogramRange(-32.0, 1.0), -40.0, 100.0)
        self.assertEqual(dirs[0], "above")  # 100 − 32 = 68 > −32 − (−40) = 8
        self.assertTrue(r.contains(-40.0, 100.0))
        self.assertEqual(doubling_directions(HistogramRange(-32.0, 1.0), r), dirs)

    def test_a_value_equal_to_hi_overflows(self) -> None:
        r, dirs = widen_range(HistogramRange(0.0, 1 / 64), 0.0, 1.0)
        self.assertEqual((r.hi, dirs), (2.0, ["above"]))

    def test_unreachable_targets_are_refused(self) -> None:
        with self.assertRaises(ValueError):
            rebin([0] * BINS, HistogramRange(0.0, 1.0), HistogramRange(1.0, 2.0))
        with self.assertRaises(ValueError):
            rebin([0] * BINS, HistogramRange(0.0, 1.0), HistogramRange(0.0, 3.0))


class GrowingRun(unittest.TestCase):
    def test_values_growing_100x_stay_in_range_and_rebin_exactly(self) -> None:
        rng = random.Random(11)
        probes = []
        for step in range(12):
            scale = 100 ** (step / 11)  # ×100 over the run
            values = [rng.gauss(0.3, 1.0) * scale for _ in range(2000)]
            if step % 3 == 1:
                values += [math.inf, -math.inf, math.nan]
            probes.append(values)
        r = None
        history = []
        for values in probes:
            finite = [v for v in values if math.isfinite(v)]
            lo, hi = min(finite), max(finite)
            r = initial_range("leaky_relu", None, lo, hi) if r is None else widen_range(r, lo, hi)[0]
            counts, below, above = histogram_of(values, r)
            self.assertEqual((below, above), (0, 0), "every finite value is inside the range")
            self.assertEqual(sum(counts), len(finite))
            history.append((values, r, counts))
        final = history[-1][1]
        self.assertGreater(final.width, history[0][1].width * 64)
        for values, old_range, counts in history:
            fresh, _, _ = histogram_of(values, final)
            self.assertEqual(rebin(counts, old_range, final), fresh)

    def test_relu6_widths_that_are_not_powers_of_two_still_bin_exactly(self) -> None:
        r, dirs = widen_range(initial_range("relu6", None, 0.0, 6.0), 0.0, 6.5)  # beyond its bound
        self.assertEqual((r.lo, r.hi, r.closed, dirs), (0.0, 12.0, False, ["above"]))
        for i in range(BINS + 1):
            e = r.lo + i * r.width
            self.assertEqual(bin_of(e, r), min(i, BINS))
            self.assertEqual(bin_of(math.nextafter(e, -math.inf), r), i - 1 if i > 0 else -1)


class BoundedRanges(unittest.TestCase):
    """A bounded activation's known range is closed: relu6 = 6, sigmoid/softmax = 1 and tanh = ±1
    are common outputs, and must not double the range."""

    def test_values_at_the_bound_stay_in_the_last_bin(self) -> None:
        for activation, lo, hi in (("relu6", 0.0, 6.0), ("sigmoid", 0.0, 1.0), ("softmax", 0.0, 1.0), ("tanh", -1.0, 1.0)):
            r = initial_range(activation, None, lo, hi)
            self.assertTrue(r.closed)
            widened, dirs = widen_range(r, lo, hi)
            self.assertEqual((widened, dirs), (r, []), activation)
            self.assertEqual(bin_of(hi, r), BINS - 1)
            self.assertEqual(bin_of(lo, r), 0)
            counts, below, above = histogram_of([lo, hi, hi], r)
            self.assertEqual((counts[0], counts[-1], below, above), (1, 2, 0, 0))

    def test_beyond_the_bound_doubles_and_the_doubled_range_is_half_open(self) -> None:
        r = initial_range("sigmoid", None, 0.0, 1.0)
        widened, dirs = widen_range(r, 0.0, 1.25)
        self.assertEqual((widened.lo, widened.hi, widened.closed, dirs), (0.0, 2.0, False, ["above"]))
        self.assertEqual(bin_of(1.0, widened), 32)
        # Below: the first doubling leaves the range half-open, so a value at the old bound doubles above too.
        widened, dirs = widen_range(initial_range("tanh", None, -1.0, 1.0), -1.5, 1.0)
        self.assertEqual((widened.lo, widened.hi, dirs), (-3.0, 5.0, ["below", "above"]))

    def test_other_ranges_stay_half_open(self) -> None:
        r = initial_range("relu", None, 0.0, 0.9)
        self.assertFalse(r.closed)
        self.assertEqual(bin_of(r.hi, r), BINS)


class CrossEngineCases(unittest.TestCase):
    """test/fixtures/live/histogram-cases.json: values, the ranges each probe chose and the counts,
    for src/histogram.ts to reproduce. Regenerate with make_histogram_cases.py if the rule changes."""

    def test_the_committed_cases_are_what_this_rule_computes(self) -> None:
        from make_histogram_cases import build_cases

        with open(CASES_FILE, encoding="utf-8") as f:
            committed = json.load(f)
        self.assertEqual(committed, json.loads(json.dumps(build_cases())))


if __name__ == "__main__":
    unittest.main()
