"""The taps report every activation by a name of FAMILIES (activations.py), the table a node test
compares with src/model/activation-families.ts: no module or functional call of torch_probe.py may
report a name outside it."""
from __future__ import annotations

import unittest

from support import has

from activation_lens.activations import FAMILIES, KNOWN_RANGES, SATURATES, normalise, saturation_alpha


class Table(unittest.TestCase):
    def test_ranges_and_saturation_come_from_the_table(self) -> None:
        self.assertTrue(set(KNOWN_RANGES) <= set(FAMILIES))
        self.assertEqual({n for n in FAMILIES if saturation_alpha(n, None) is not None}, set(SATURATES))
        self.assertEqual(normalise("hard_silu"), "hard_swish")


@unittest.skipUnless(has("torch"), "torch is not installed")
class TorchNames(unittest.TestCase):
    def test_every_tapped_module_and_function_reports_a_table_name(self) -> None:
        import torch.nn as nn

        from activation_lens.torch_probe import FUNCTIONAL, module_activation

        modules = [
            nn.ReLU(), nn.ReLU6(), nn.Hardtanh(), nn.Hardtanh(0.0, 6.0), nn.LeakyReLU(), nn.RReLU(),
            nn.ELU(), nn.CELU(), nn.SELU(), nn.GELU(), nn.SiLU(), nn.Mish(), nn.Tanh(), nn.Sigmoid(),
            nn.Hardsigmoid(), nn.Hardswish(), nn.PReLU(), nn.Softplus(), nn.Softsign(), nn.Softmax(dim=1),
            nn.Softmax2d(), nn.Threshold(0.1, 0.0), nn.Threshold(0.1, 5.0),
        ]
        names = {module_activation(m)[0] for m in modules}  # type: ignore[index]
        names |= {activation for activation, _ in FUNCTIONAL.values()}
        self.assertEqual(names - set(FAMILIES), set())
        self.assertEqual(len(names), len(FAMILIES))


if __name__ == "__main__":
    unittest.main()
