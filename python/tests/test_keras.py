"""Keras 3 live taps: exact dead units by construction, statistics against the engine's
definitions, every activation of a functional model tapped and mapped to its line, identical
losses with and without taps, tf.data and tf.distribute behaviour."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import unittest

from support import FIXTURES, has, read_events, reference_probe, run_live

HAVE_KERAS = has("keras") and has("tensorflow")
if HAVE_KERAS:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import numpy as np
    import keras
    import tensorflow as tf
    from keras import layers

    import activation_lens.keras
    import activation_lens.keras_callback
    import activation_lens.options
    from activation_lens.histogram import HistogramRange, histogram_of

DEAD_CHANNELS = [1, 4]
DEAD_UNITS = [0, 5, 11, 12]


def dead_model() -> "keras.Model":
    keras.utils.set_random_seed(3)
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            layers.Conv2D(6, 3, activation="relu", name="conv"),
            layers.MaxPooling2D(2, name="pool"),
            layers.Flatten(name="flat"),
            layers.Dense(16, activation="relu", name="hidden"),
            layers.Dense(3, activation="softmax", name="out"),
        ]
    )
    conv, hidden = model.get_layer("conv"), model.get_layer("hidden")
    kernel, _ = conv.get_weights()
    # Non-negative weights, inputs in [0, 1]: a large negative bias never fires, a positive always does.
    conv.set_weights([np.abs(kernel) * 0.1, np.array([-100.0 if c in DEAD_CHANNELS else 0.5 for c in range(6)], "float32")])
    hk, _ = hidden.get_weights()
    hidden.set_weights([np.abs(hk), np.array([-1e4 if u in DEAD_UNITS else 50.0 for u in range(16)], "float32")])
    return model


def line_of(source: dict) -> str:
    with open(source["file"], encoding="utf-8") as f:
        return f.read().splitlines()[source["line"] - 1]


@unittest.skipUnless(HAVE_KERAS, "keras / tensorflow are not installed")
class KerasTaps(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.report = os.path.join(self.tmp.name, "r.json")

    def tearDown(self) -> None:
        self.tmp.cleanup()

    def fit(self, model, x, y, callback, **kwargs) -> dict:
        model.compile(optimizer=keras.optimizers.SGD(0.0), loss="sparse_categorical_crossentropy")
        model.fit(x, y, batch_size=10, epochs=1, verbose=0, callbacks=[callback], **kwargs)
        with open(self.report) as f:
            return json.load(f)

    def test_exactly_the_constructed_dead_units_and_channels(self) -> None:
        rng = np.random.default_rng(4)
        x = rng.random((20, 8, 8, 1), dtype=np.float32)
        y = rng.integers(0, 3, 20)
        report = self.fit(dead_model(), x, y, activation_lens.keras.Callback(probe=x, every=1, json_path=self.report))
        layers_ = {l["name"]: l for l in report["layers"]}
        self.assertEqual(sorted(layers_), ["conv", "hidden", "out"])
        self.assertEqual(layers_["conv"]["dead"]["units"], DEAD_CHANNELS)
        self.assertEqual(layers_["hidden"]["dead"]["units"], DEAD_UNITS)
        probes = [e for e in read_events(self.report.replace(".json", ".events.jsonl")) if e["type"] == "probe"]
        self.assertEqual([p["step"] for p in probes], [0, 1, 2])
        last = {l["layer"]: l for l in probes[-1]["layers"]}
        self.assertEqual(last["conv"]["observationsPerUnit"], 20 * 36)
        self.assertEqual(last["conv"]["fireCount"], [0 if c in DEAD_CHANNELS else 20 * 36 for c in range(6)])
        self.assertEqual(last["hidden"]["fireCount"], [0 if u in DEAD_UNITS else 20 for u in range(16)])
        self.assertEqual(last["out"]["dead"]["count"], 0, "softmax units never count as dead")

    def test_statistics_match_the_engine_definitions(self) -> None:
        rng = np.random.default_rng(5)
        inputs = keras.Input((7,))
        act = layers.LeakyReLU(negative_slope=1.0, name="identity")(inputs)  # output = input
        elu = layers.ELU(alpha=0.5, name="elu")(act)
        model = keras.Model(inputs, layers.Dense(2, name="head")(elu))
        x = (rng.standard_normal((50, 7)) * 3).astype("float32")
        x[:, 2] = -rng.random(50)
        x[:, 4] = -80.0  # ELU saturates at −α here
        x[3, 1], x[7, 5], x[9, 6] = np.nan, np.inf, -np.inf
        run = activation_lens.keras_callback.KerasRun(keras, activation_lens.options.Options(json_path=self.report), [], probe=x)
        run.begin(model, None)
        run.finish(None)
        probe = {l["layer"]: l for l in read_events(self.report.replace(".json", ".events.jsonl"))[1]["layers"]}
        got, ref = probe["identity"], reference_probe(x, activation="leaky_relu")
        for key in ("units", "observationsPerUnit", "fireCount", "nonFinite"):
            self.assertEqual(got[key], ref[key], key)
        self.assertEqual(got["dormant"]["units"], ref["dormant"])
        for key in ("sparsity", "mean", "std", "min", "max", "meanAbs"):
            self.assertAlmostEqual(got[key], ref[key], places=5, msg=key)
        hist = got["histogram"]
        r = HistogramRange(hist["edges"][0], hist["edges"][1] - hist["edges"][0])
        self.assertEqual(hist["counts"], histogram_of([float(v) for v in ref["finite"]], r)[0])
        self.assertEqual((hist["underflow"], hist["overflow"]), (1, 1))
        self.assertEqual(probe["elu"]["saturated"]["units"], [4])

    def test_a_relu_unit_with_a_nan_is_not_dead(self) -> None:
        inputs = keras.Input((5,))
        model = keras.Model(inputs, layers.Dense(2, name="head")(layers.ReLU(name="relu")(inputs)))
        x = np.random.default_rng(6).standard_normal((30, 5)).astype("float32")
        x[:, 1] = -1.0  # dead
        x[:, 3] = -1.0
        x[4, 3] = np.nan  # never fired, but one NaN: not dead
        run = activation_lens.keras_callback.KerasRun(keras, activation_lens.options.Options(json_path=self.report), [], probe=x)
        run.begin(model, None)
        run.finish(None)
        probe = {l["layer"]: l for l in read_events(self.report.replace(".json", ".events.jsonl"))[1]["layers"]}
        self.assertEqual(probe["relu"]["dead"]["units"], [1])
        self.assertEqual(probe["relu"]["dead"]["units"], reference_probe(np.maximum(x, 0) + 0 * x)["dead"])
        self.assertEqual(probe["relu"]["nonFinite"], 1)

    def test_a_reshuffling_dataset_is_not_read_ahead_and_training_is_unchanged(self) -> None:
        def train(with_taps: bool):
            keras.utils.set_random_seed(7)
            model = keras.Sequential([keras.Input((4,)), layers.Dense(8, activation="relu"), layers.Dense(2)])
            model.compile(optimizer="sgd", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
            data = tf.data.Dataset.from_tensor_slices((np.random.rand(64, 4).astype("float32"), np.arange(64) % 2)).shuffle(64).batch(8)
            callbacks = [activation_lens.keras.Callback(json_path=self.report)] if with_taps else []
            history = model.fit(data, epochs=2, verbose=0, callbacks=callbacks)
            return history.history["loss"]

        self.assertEqual(train(True), train(False))
        events = read_events(self.report.replace(".json", ".events.jsonl"))
        errors = [e["message"] for e in events if e["type"] == "error"]
        self.assertEqual(len(errors), 1)
        self.assertIn("Callback(probe=", errors[0])
        self.assertIn("shuffle", errors[0])

    def test_a_deterministic_dataset_gives_the_probe_set(self) -> None:
        keras.utils.set_random_seed(8)
        model = keras.Sequential([keras.Input((4,)), layers.Dense(8, activation="relu", name="h"), layers.Dense(2)])
        model.compile(optimizer="sgd", loss="mse")
        data = tf.data.Dataset.from_tensor_slices((np.random.rand(40, 4).astype("float32"), np.random.rand(40, 2).astype("float32"))).batch(16)
        model.fit(data, epochs=1, verbose=0, callbacks=[activation_lens.keras.Callback(probe_size=20, json_path=self.report)])
        with open(self.report) as f:
            report = json.load(f)
        self.assertEqual(report["data"]["probe"], 20)
        self.assertEqual(report["layers"][0]["name"], "h")

    def test_mirrored_strategy_with_one_cpu_replica(self) -> None:
        strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
        with strategy.scope():
            model = dead_model()
            model.compile(optimizer=keras.optimizers.SGD(0.0), loss="sparse_categorical_crossentropy")
        x = np.random.default_rng(4).random((20, 8, 8, 1), dtype=np.float32)
        model.fit(x, np.zeros(20), batch_size=10, epochs=1, verbose=0, callbacks=[activation_lens.keras.Callback(json_path=self.report)])
        with open(self.report) as f:
            report = json.load(f)
        self.assertEqual(report["live"]["worldSize"], 1)
        self.assertEqual({l["name"]: l["dead"]["units"] for l in report["layers"]}["hidden"], DEAD_UNITS)


@unittest.skipUnless(HAVE_KERAS, "keras / tensorflow are not installed")
class KerasHistogramKernel(unittest.TestCase):
    def test_bins_are_exact_at_every_edge(self) -> None:
        import math

        from activation_lens.histogram import BINS, bin_of, initial_range, widen_range
        from activation_lens.statistics_keras import bin_index

        ranges = [initial_range("relu", None, 0.0, 3.0), initial_range("leaky_relu", None, -1.0, 1.0)]
        ranges.append(initial_range("relu6", None, 0, 6))  # closed: 6 itself is in the last bin
        ranges.append(widen_range(initial_range("relu6", None, 0, 1), 0.0, 6.5)[0])
        r = ranges[1]
        for _ in range(6):
            r, _ = widen_range(r, r.lo - 1e-9, 0.0)
        ranges.append(r)
        for r in ranges:
            values = []
            for i in range(-1, BINS + 2):
                e = r.lo + i * r.width
                values += [e, math.nextafter(e, -math.inf), math.nextafter(e, math.inf)]
            x = np.array(values, dtype=np.float32)
            got = keras.ops.convert_to_numpy(bin_index(keras.ops, keras.ops.convert_to_tensor(x), r)).tolist()
            expected = [min(max(bin_of(float(v), r), -1), BINS) + 1 for v in x]
            self.assertEqual(got, expected, f"lo={r.lo} width={r.width}")


@unittest.skipUnless(HAVE_KERAS, "keras / tensorflow are not installed")
class KerasRunner(unittest.TestCase):
    def test_functional_model_every_activation_mapped_and_losses_identical(self) -> None:
        script = os.path.join(FIXTURES, "keras_functional.py")
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "LIVE_TEST_LOSSES": os.path.join(tmp, "bare.json")}
            bare = subprocess.run([sys.executable, script, "3"], env=env, capture_output=True, text=True, timeout=300)
            self.assertEqual(bare.returncode, 0, bare.stderr)
            report_path = os.path.join(tmp, "r.json")
            taps = run_live(["run", "--json", report_path, "--every", "1", script, "3"], {"HOME": tmp, "LIVE_TEST_LOSSES": os.path.join(tmp, "taps.json")})
            self.assertEqual(taps.returncode, 0, taps.stderr)
            with open(os.path.join(tmp, "bare.json")) as a, open(os.path.join(tmp, "taps.json")) as b:
                bare_losses, tap_losses = json.load(a), json.load(b)
            with open(report_path) as f:
                report = json.load(f)
        self.assertEqual(len(bare_losses), 30)
        self.assertEqual(tap_losses, bare_losses)
        expected = {
            "stem": 'name="stem"',
            "activation": 'layers.Activation("relu")',
            "re_lu": "layers.ReLU()",
            "conv2d_1": 'activation="elu"',
            "hidden": 'name="hidden"',
            "elu": "layers.ELU(alpha=0.5)",
            "probs": 'name="probs"',
        }
        layers_ = {l["name"]: l for l in report["model"]["layers"]}
        self.assertEqual(sorted(layers_), sorted(expected))
        for name, text in expected.items():
            self.assertEqual(layers_[name]["source"]["file"], script)
            self.assertIn(text, line_of(layers_[name]["source"]), name)
        self.assertEqual(report["live"]["framework"], "keras")
        self.assertEqual(report["training"]["loss"], bare_losses)
        self.assertEqual(len(report["layers"][0]["meanDrift"]), 31, "step 0 and after every step")


if __name__ == "__main__":
    unittest.main()
