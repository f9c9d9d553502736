"""PyTorch probes against the engine's definitions: statistics, unit axes, histogram exactness,
dead units by construction, and that a probe leaves the run exactly as it was."""
from __future__ import annotations

import json
import math
import os
import tempfile
import unittest

from support import has, reference_probe

if has("torch"):
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    import activation_lens
    from activation_lens.histogram import BINS, HistogramRange, bin_of, histogram_of, initial_range, widen_range
    from activation_lens.statistics_torch import bin_index
    from activation_lens.torch_probe import TorchProber
    from activation_lens.torch_taps import run_probe


def probe_module(module: "nn.Module", x: "torch.Tensor", ranges=None, tau: float = 0.025):
    prober = TorchProber(module, "", [])
    layers, apps, warnings = run_probe([(prober, ((x,), {}))], {} if ranges is None else ranges, 0, tau, torch.float64)
    return {l["layer"]: l for l in layers}, {a.name: a for a in apps}, warnings


@unittest.skipUnless(has("torch"), "torch is not installed")
class Statistics(unittest.TestCase):
    def assert_matches(self, probe, ref) -> None:
        for key in ("units", "observationsPerUnit", "fireCount", "nonFinite"):
            self.assertEqual(probe[key], ref[key], key)
        self.assertEqual(probe["dead"]["units"], ref["dead"])
        self.assertEqual(probe["dormant"]["units"], ref["dormant"])
        for key in ("sparsity", "mean", "std", "min", "max", "meanAbs"):
            self.assertAlmostEqual(probe[key], ref[key], places=5, msg=key)
        hist = probe["histogram"]
        r = HistogramRange(hist["edges"][0], hist["edges"][1] - hist["edges"][0])
        counts, below, above = histogram_of([float(v) for v in ref["finite"]], r)
        self.assertEqual((below, above), (0, 0))
        self.assertEqual(hist["counts"], counts)
        self.assertEqual((hist["underflow"], hist["overflow"]), (ref["neginf"], ref["posinf"]))

    def test_every_statistic_matches_the_engine_definitions_with_non_finite_values(self) -> None:
        g = torch.Generator().manual_seed(1)
        x = torch.randn(50, 7, generator=g) * 3
        x[:, 2] = -torch.rand(50, generator=g)  # never fires
        x[:, 4] *= 1e-4  # dormant
        x[3, 1], x[7, 5], x[9, 6] = math.nan, math.inf, -math.inf
        identity = nn.Sequential(nn.LeakyReLU(1.0))  # output = input, NaN and ±∞ included
        layers, apps, _ = probe_module(identity, x)
        probe = layers["0"]
        ref = reference_probe(x.numpy(), activation="leaky_relu")
        self.assert_matches(probe, ref)
        self.assertEqual(probe["dead"]["count"], 0, "leaky ReLU cannot die")
        self.assertEqual(apps["0"].activation, "leaky_relu")

    def test_a_relu_unit_with_a_nan_is_not_dead(self) -> None:
        g = torch.Generator().manual_seed(3)
        x = torch.randn(30, 5, generator=g)
        x[:, 1] = -1.0  # dead
        x[:, 3] = -1.0
        x[4, 3] = math.nan  # never fired, but one NaN: not dead (nor dormant)
        x[:, 0] *= 1e-5
        x[2, 0] = math.nan  # would be dormant, but has a NaN
        layers, _, _ = probe_module(nn.Sequential(nn.ReLU()), x)
        ref = reference_probe(torch.relu(x).numpy())
        self.assert_matches(layers["0"], ref)
        self.assertEqual(layers["0"]["dead"]["units"], [1])
        self.assertNotIn(0, layers["0"]["dormant"]["units"])
        self.assertEqual(layers["0"]["fireCount"][3], 0)

    def test_channels_first_outputs_count_channels_and_relu_units_die(self) -> None:
        g = torch.Generator().manual_seed(2)
        x = torch.randn(6, 5, 4, 3, generator=g)
        x[:, 3] = -1.0
        layers, apps, _ = probe_module(nn.Sequential(nn.ReLU()), x)
        ref = reference_probe(torch.relu(x).movedim(1, -1).numpy())
        self.assert_matches(layers["0"], ref)
        self.assertEqual(layers["0"]["dead"]["units"], [3])
        self.assertEqual(apps["0"].unit_axis, 1)

    def test_elu_saturation_and_selu(self) -> None:
        x = torch.randn(40, 4)
        x[:, 1] = -50.0  # ELU output −α(1 − e^−50) ≈ −α: saturated
        layers, _, _ = probe_module(nn.Sequential(nn.ELU(alpha=0.5), nn.Identity(), nn.SELU()), x)
        self.assertEqual(layers["0"]["saturated"]["units"], [1])
        self.assertEqual(layers["0"]["dead"]["count"], 0)
        self.assertIsNotNone(layers["2"]["saturated"])

    def test_rank_three_unit_axis_follows_convolutions(self) -> None:
        class Mixed(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.conv = nn.Conv1d(3, 5, 3)
                self.bn = nn.BatchNorm1d(5)
                self.proj = nn.Linear(3, 7)

            def forward(self, x):
                a = F.relu(self.bn(self.conv(x)) + 1.0)  # (N, 5, 8): channels → axis 1
                b = torch.tanh(self.proj(x.transpose(1, 2)))  # (N, 10, 7): features → last axis
                return a.mean() + b.mean()

        _, apps, _ = probe_module(Mixed(), torch.randn(4, 3, 10))
        by_fn = {a.activation: a for a in apps.values()}
        self.assertEqual((by_fn["relu"].unit_axis, by_fn["relu"].units), (1, 5))
        self.assertEqual((by_fn["tanh"].unit_axis, by_fn["tanh"].units), (2, 7))
        self.assertIn("Mixed.forward:", by_fn["relu"].name)

    def test_inplace_relu_is_read_before_later_inplace_edits(self) -> None:
        class Block(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.relu = nn.ReLU(inplace=True)

            def forward(self, x):
                out = self.relu(x.clone())
                out += 10.0  # modifies the ReLU's output tensor in place afterwards
                return out

        layers, _, _ = probe_module(Block(), torch.randn(20, 6))
        self.assertEqual(layers["relu"]["min"], 0.0)
        self.assertLess(layers["relu"]["max"], 10.0)

    def test_a_module_applied_twice_is_two_layers(self) -> None:
        class Twice(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.fc = nn.Linear(4, 4)
                self.act = nn.GELU()

            def forward(self, x):
                return self.act(self.fc(self.act(x)))

        layers, _, _ = probe_module(Twice(), torch.randn(8, 4))
        self.assertEqual(sorted(layers), ["act", "act/2"])


@unittest.skipUnless(has("torch"), "torch is not installed")
class HistogramKernel(unittest.TestCase):
    def check(self, r: "HistogramRange") -> None:
        values = []
        for i in range(-1, BINS + 2):
            e = r.lo + i * r.width
            values += [e, math.nextafter(e, -math.inf), math.nextafter(e, math.inf)]
        x = torch.tensor(values, dtype=torch.float32)
        values32 = [float(v) for v in x.tolist()]
        got = bin_index(x, r).tolist()
        expected = [min(max(bin_of(v, r), -1), BINS) + 1 for v in values32]
        self.assertEqual(got, expected, f"range lo={r.lo} width={r.width}")

    def test_bins_are_exact_at_every_edge(self) -> None:
        self.check(initial_range("relu", None, 0.0, 3.0))  # power of two, lo = 0
        self.check(initial_range("leaky_relu", None, -1.0, 1.0))  # symmetric
        self.check(initial_range("relu6", None, 0, 6))  # closed: 6 itself is in the last bin
        self.check(widen_range(initial_range("relu6", None, 0, 1), 0.0, 6.5)[0])  # 3·2^k widths
        r = initial_range("leaky_relu", None, -1.0, 1.0)
        for _ in range(6):  # lo/w is no longer an integer: the corrected path
            r, _ = widen_range(r, r.lo - 1e-9, 0.0)
        self.assertNotEqual(r.lo / r.width, math.floor(r.lo / r.width))
        self.check(r)


@unittest.skipUnless(has("torch"), "torch is not installed")
class DeadByConstruction(unittest.TestCase):
    DEAD_CHANNELS = [1, 4]
    DEAD_UNITS = [0, 5, 11, 12]

    def model(self) -> "nn.Module":
        torch.manual_seed(3)
        m = nn.Sequential(nn.Conv2d(1, 6, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(6 * 3 * 3, 16), nn.ReLU(), nn.Linear(16, 3))
        with torch.no_grad():
            # Non-negative weights, inputs in [0, 1]: a large negative bias can never be overcome,
            # a positive one always fires.
            m[0].weight.abs_().mul_(0.1)
            m[0].bias.copy_(torch.tensor([-100.0 if c in self.DEAD_CHANNELS else 0.5 for c in range(6)]))
            m[4].weight.abs_()
            m[4].bias.copy_(torch.tensor([-1e4 if u in self.DEAD_UNITS else 50.0 for u in range(16)]))
        return m

    def test_exactly_the_constructed_dead_units_and_channels_through_watch(self) -> None:
        m = self.model()
        x = torch.rand(20, 1, 8, 8, generator=torch.Generator().manual_seed(4))
        y = torch.randint(0, 3, (20,))
        optimizer = torch.optim.SGD(m.parameters(), lr=0.0)
        with tempfile.TemporaryDirectory() as tmp:
            report_path = os.path.join(tmp, "r.json")
            with activation_lens.watch(m, probe=x, every=1, json_path=report_path) as handle:
                for _ in range(3):
                    optimizer.zero_grad()
                    F.cross_entropy(m(x), y).backward()
                    optimizer.step()
            self.assertEqual(handle.report_path, report_path)
            with open(report_path) as f:
                report = json.load(f)
            with open(report_path.replace(".json", ".events.jsonl")) as f:
                probes = [json.loads(line) for line in f if '"type":"probe"' in line]
        layers = {l["name"]: l for l in report["layers"]}
        self.assertEqual(sorted(layers), ["1", "5"])
        conv, hidden = layers["1"], layers["5"]
        self.assertEqual(conv["dead"]["units"], self.DEAD_CHANNELS)
        self.assertEqual(hidden["dead"]["units"], self.DEAD_UNITS)
        self.assertEqual(report["training"]["steps"], 3)
        self.assertEqual([p["step"] for p in conv["deadFraction"]], [0, 1, 2, 3])
        last = {l["layer"]: l for l in probes[-1]["layers"]}
        self.assertEqual(last["1"]["observationsPerUnit"], 20 * 6 * 6)
        self.assertEqual(last["1"]["fireCount"], [0 if c in self.DEAD_CHANNELS else 20 * 36 for c in range(6)])
        self.assertEqual(last["5"]["observationsPerUnit"], 20)
        self.assertEqual(last["5"]["fireCount"], [0 if u in self.DEAD_UNITS else 20 for u in range(16)])


@unittest.skipUnless(has("torch"), "torch is not installed")
class LeavesTheRunAlone(unittest.TestCase):
    def test_rng_training_flags_and_grad_mode_are_restored(self) -> None:
        torch.manual_seed(0)
        m = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.ReLU(), nn.BatchNorm1d(8), nn.Linear(8, 2))
        m.train()
        m[3].eval()  # a frozen batch norm stays frozen
        x = torch.randn(16, 4)
        before = torch.get_rng_state()
        running = m[3].running_mean.clone()
        probe_module(m, x)
        self.assertTrue(torch.equal(before, torch.get_rng_state()))
        self.assertTrue(torch.equal(running, m[3].running_mean))
        self.assertEqual([mod.training for mod in m.modules()], [True, True, True, True, False, True])
        self.assertTrue(torch.is_grad_enabled())


if __name__ == "__main__":
    unittest.main()
