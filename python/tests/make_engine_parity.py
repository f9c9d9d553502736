"""Writes one model the live Keras taps and the TF.js engine can both probe, with exact arithmetic:
inputs in quarters, weights and biases in eighths, so every pre-activation is a small dyadic number
that float32 holds exactly whatever the summation order — fire counts must agree exactly. Chosen
channels and units are dead by construction (large negative biases).

usage: python make_engine_parity.py OUT_DIR   → OUT_DIR/model.h5, data.npz, live-probe.json (our probe)"""
from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from support import PYTHON_DIR  # noqa: E402,F401

import keras  # noqa: E402
from keras import layers  # noqa: E402

PROBE = 16
DEAD_CHANNELS = [1, 4]
DEAD_UNITS = [0, 5, 11, 12]


def main(out: str) -> None:
    rng = np.random.default_rng(21)
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
    eighths = lambda shape: (rng.integers(-8, 9, shape) / 8).astype("float32")  # noqa: E731
    conv_bias = eighths((6,))
    conv_bias[DEAD_CHANNELS] = -100.0
    hidden_bias = eighths((16,))
    hidden_bias[DEAD_UNITS] = -1e4
    model.get_layer("conv").set_weights([eighths((3, 3, 1, 6)), conv_bias])
    model.get_layer("hidden").set_weights([eighths((54, 16)), hidden_bias])
    model.get_layer("out").set_weights([eighths((16, 3)), eighths((3,))])
    quarters = lambda n: (rng.integers(0, 5, (n, 8, 8, 1)) / 4).astype("float32")  # noqa: E731
    x_train, x_test = quarters(64), quarters(2 * PROBE)
    np.savez(
        os.path.join(out, "data.npz"),
        x_train=x_train,
        y_train=rng.integers(0, 3, 64),
        x_test=x_test,
        y_test=rng.integers(0, 3, 2 * PROBE),
    )
    model.save(os.path.join(out, "model.h5"))

    from activation_lens.keras_callback import KerasRun
    from activation_lens.options import Options

    # The engine's probe set is the first PROBE held-out samples (src/data/splits.ts): the same here.
    live = os.path.join(out, "live.json")
    run = KerasRun(keras, Options(json_path=live, probe_size=PROBE), [], probe=x_test[:PROBE])
    run.begin(model, None)
    run.finish(None)
    with open(os.path.join(out, "live.events.jsonl")) as f:
        probe = next(e for e in map(json.loads, f) if e["type"] == "probe")
    with open(os.path.join(out, "live-probe.json"), "w") as f:
        json.dump({"probe": probe, "deadChannels": DEAD_CHANNELS, "deadUnits": DEAD_UNITS}, f)


if __name__ == "__main__":
    main(sys.argv[1])
