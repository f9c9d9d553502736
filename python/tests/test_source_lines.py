"""Which line defines a tapped layer: PyTorch attributes, containers and helpers; Keras layer calls."""
from __future__ import annotations

import importlib.util
import os
import tempfile
import textwrap
import unittest

from support import FIXTURES, has

from activation_lens.source_lines import keras_layer_sources

DEFINITIONS = os.path.join(FIXTURES, "torch_definitions.py")


def text_at(ref: dict) -> str:
    with open(ref["file"], encoding="utf-8") as f:
        return f.read().splitlines()[ref["line"] - 1][ref["column"] - 1 :]


@unittest.skipUnless(has("torch"), "torch is not installed")
class TorchDefinitions(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        spec = importlib.util.spec_from_file_location("torch_definitions", DEFINITIONS)
        cls.module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(cls.module)

    def finder(self, model):
        from activation_lens.source_lines import TorchSourceFinder

        return TorchSourceFinder(dict(model.named_modules()), [DEFINITIONS])

    def test_every_way_of_defining_a_module_maps_to_its_constructor_call(self) -> None:
        finder = self.finder(self.module.Net())
        expected = {
            "features.1": "ReLU(),",
            "features.3": "nn.Tanh(),",
            "named.gelu": 'nn.GELU())]))',
            "blocks.0": "nn.SiLU() for _ in range(2)])",
            "blocks.1": "nn.SiLU() for _ in range(2)])",
            "built.1": "nn.LeakyReLU(0.1)]",
            "built.3": "nn.LeakyReLU(0.1)]",
            "block.act": "nn.ELU())",
            "late": 'nn.Sigmoid())',
        }
        for path, text in expected.items():
            ref = finder.source_ref(path)
            self.assertIsNotNone(ref, path)
            self.assertEqual(text_at(ref), text, path)
            self.assertEqual(ref["file"], DEFINITIONS)

    def test_a_sequential_written_at_module_level(self) -> None:
        ref = self.finder(self.module.top_level).source_ref("1")
        self.assertEqual(text_at(ref), "nn.ReLU6(),")

    def test_columns_count_utf16_code_units(self) -> None:
        from activation_lens.source_lines import call_site_ref

        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "m.py")
            with open(path, "w", encoding="utf-8") as f:
                f.write('x = "é😀"; y = F.relu(x)\n')
            col_bytes = 'x = "é😀"; y = '.encode("utf-8").__len__()
            ref = call_site_ref(path, 1, col_bytes)
            self.assertEqual(ref["column"], len('x = "é😀"; y = '.encode("utf-16-le")) // 2 + 1)


class KerasCalls(unittest.TestCase):
    def test_named_layers_by_name_and_unnamed_ones_in_order(self) -> None:
        source = textwrap.dedent(
            """
            model = keras.Sequential([
                layers.Dense(64, activation="relu"),
                layers.Dense(64, activation="relu", name="second"),
                layers.Dense(32, activation="relu"),
            ])
            for units in [8, 8]:
                x = layers.Conv2D(units, 3, activation="relu")(x)
            """
        )
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "train.py")
            with open(path, "w") as f:
                f.write(source)
            refs = keras_layer_sources(
                [("dense", "Dense", False), ("second", "Dense", True), ("dense_1", "Dense", False), ("conv2d", "Conv2D", False), ("conv2d_1", "Conv2D", False)],
                [path],
            )
        self.assertEqual(refs["dense"]["line"], 3)
        self.assertEqual(refs["second"]["line"], 4)
        self.assertEqual(refs["dense_1"]["line"], 5)
        self.assertEqual(refs["conv2d"]["line"], 8, "one call in a loop: every layer it made")
        self.assertEqual(refs["conv2d_1"]["line"], 8)
        self.assertEqual(refs["dense"]["column"], 5)


if __name__ == "__main__":
    unittest.main()
