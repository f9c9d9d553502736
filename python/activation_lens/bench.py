"""Overhead of the live taps, measured: the seed CNN (Conv2D 32 3×3 relu → MaxPool → Dropout 0.25 →
Conv2D 64 3×3 relu → MaxPool → Dropout 0.25 → Flatten → Dense 256 relu → Dense 10 softmax; Adam;
batch 250; MNIST-shaped random data) trained bare and instrumented (default settings: 256-sample
probe set, adaptive schedule within the 3% budget) in the same process, arms alternating, and the
time from process start to the first probe event on a listening socket.

    python -m activation_lens.bench --framework torch|keras [--steps S] [--repeats R] [--threads N] [--json OUT]

Prints a summary and, last, one JSON line: {framework, steps, repeats, ratios, median, min, max
(wall-clock instrumented/bare), cpuRatios, cpuMedian, cpuMin, cpuMax (process CPU time, which
other processes on a shared machine disturb far less), probeShares (probe time / training time
inside each instrumented arm), bareSecondsPerStep, probes, firstProbeSeconds, loadAverage}. Each
instrumented arm includes its first and its final probe; Keras arms leave out the first batch
(tf.function tracing), in both arms alike. A run shorter than about (first + final probe) / 3% of
training time cannot reach 1.03: those two probes are always taken."""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

from .options import Options

BATCH = 250


#: (wall seconds, CPU seconds of this process, probes, probe wall seconds)
Arm = Tuple[float, float, int, float]


def torch_arm(steps: int, instrumented: bool, folder: str) -> Arm:
    """Seconds for `steps` training steps (and the probes, when instrumented), the number of
    probes, and the seconds those probes took."""
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    from .torch_taps import TorchAutoAttach

    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Dropout(0.25),
        nn.Conv2d(32, 64, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Dropout(0.25),
        nn.Flatten(),
        nn.Linear(64 * 5 * 5, 256),
        nn.ReLU(),
        nn.Linear(256, 10),
        nn.Softmax(dim=1),
    )
    optimizer = torch.optim.Adam(model.parameters(), 1e-3)
    g = torch.Generator().manual_seed(1)
    x = torch.rand(8 * BATCH, 1, 28, 28, generator=g)
    y = torch.randint(0, 10, (8 * BATCH,), generator=g)
    attach = TorchAutoAttach(Options(json_path=os.path.join(folder, f"torch-{time.time_ns()}.json")), []) if instrumented else None
    t0, c0 = time.perf_counter(), time.process_time()
    for step in range(steps):
        i = (step % 8) * BATCH
        optimizer.zero_grad()
        loss = F.nll_loss(torch.log(model(x[i : i + BATCH]) + 1e-9), y[i : i + BATCH])
        loss.backward()
        optimizer.step()
    probes, probe_seconds = 0, 0.0
    if attach is not None:
        attach.close(0, None)
        session = attach.run.session
        if session is not None:
            probes, probe_seconds = session.probes, session.probe_seconds
    return time.perf_counter() - t0, time.process_time() - c0, probes, probe_seconds


def keras_arm(steps: int, instrumented: bool, folder: str) -> Arm:
    import numpy as np
    import keras
    from keras import layers

    from .keras_callback import callback_class

    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Dropout(0.25),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Dropout(0.25),
            layers.Flatten(),
            layers.Dense(256, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(1)
    x = rng.random((steps * BATCH, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, steps * BATCH)

    class FirstBatch(keras.callbacks.Callback):
        """The first batch traces the train function: left out of both arms alike."""

        def __init__(self) -> None:
            super().__init__()
            self.seconds = 0.0
            self._t = 0.0

            self.cpu = 0.0
            self._c = 0.0

        def on_train_batch_begin(self, batch: int, logs: Any = None) -> None:
            if batch == 0:
                self._t, self._c = time.perf_counter(), time.process_time()

        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            if batch == 0:
                self.seconds = time.perf_counter() - self._t
                self.cpu = time.process_time() - self._c

    first = FirstBatch()
    callbacks: List[Any] = [first]
    taps = None
    if instrumented:
        taps = callback_class(keras)(json_path=os.path.join(folder, f"keras-{time.time_ns()}.json"))
        callbacks.append(taps)
    t0, c0 = time.perf_counter(), time.process_time()
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, shuffle=False, callbacks=callbacks)
    seconds = time.perf_counter() - t0 - first.seconds
    cpu = time.process_time() - c0 - first.cpu
    probes, probe_seconds = 0, 0.0
    run = getattr(taps, "_al_last_run", None)
    if run is not None and run.session is not None:
        probes, probe_seconds = run.session.probes, run.session.probe_seconds
    return seconds, cpu, probes, probe_seconds


ARMS: Dict[str, Callable[[int, bool, str], Arm]] = {"torch": torch_arm, "keras": keras_arm}

FIRST_PROBE_SCRIPTS = {
    "torch": """
import torch, torch.nn as nn, torch.nn.functional as F
torch.manual_seed(0)
model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.25), nn.Conv2d(32, 64, 3), nn.ReLU(),
    nn.MaxPool2d(2), nn.Dropout(0.25), nn.Flatten(), nn.Linear(1600, 256), nn.ReLU(), nn.Linear(256, 10))
optimizer = torch.optim.Adam(model.parameters())
x, y = torch.rand(250, 1, 28, 28), torch.randint(0, 10, (250,))
for _ in range(3):
    optimizer.zero_grad(); F.cross_entropy(model(x), y).backward(); optimizer.step()
""",
    "keras": """
import numpy as np, keras
from keras import layers
model = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
    layers.Dropout(0.25), layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2), layers.Dropout(0.25),
    layers.Flatten(), layers.Dense(256, activation="relu"), layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(np.random.rand(750, 28, 28, 1).astype("float32"), np.random.randint(0, 10, 750), batch_size=250, verbose=0)
""",
}


def first_probe_seconds(framework: str, folder: str) -> Optional[float]:
    """From starting `python -m activation_lens run script.py` to its first probe event arriving on
    a loopback listener (the dashboard's view: interpreter and framework start-up included)."""
    script = os.path.join(folder, f"first_probe_{framework}.py")
    with open(script, "w") as f:
        f.write(FIRST_PROBE_SCRIPTS[framework])
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(300)
    arrived: List[float] = []

    def serve() -> None:
        try:
            conn, _ = server.accept()
            with conn:
                buffered = b""
                while not arrived:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    buffered += chunk
                    if b'"type":"probe"' in buffered:
                        arrived.append(time.perf_counter())
                while conn.recv(65536):
                    pass
        except OSError:
            pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    env = {
        **os.environ,
        "ACTIVATION_LENS_ADDRESS": f"127.0.0.1:{server.getsockname()[1]}",
        "ACTIVATION_LENS_TOKEN": "b" * 64,
        "PYTHONPATH": os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        "HOME": folder,
        "TF_CPP_MIN_LOG_LEVEL": "3",
    }
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "activation_lens", "run", script], env=env, capture_output=True, timeout=600)
    thread.join(10)
    server.close()
    return arrived[0] - t0 if arrived else None


def _load_average() -> Optional[List[float]]:
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return None


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m activation_lens.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--framework", choices=sorted(ARMS), required=True)
    parser.add_argument("--steps", type=int, default=None, help="training steps per arm (default: torch 40, keras 120)")
    parser.add_argument("--repeats", type=int, default=3, help="bare/instrumented pairs, alternating order")
    parser.add_argument("--json", help="also write the result here")
    parser.add_argument("--threads", type=int, default=None, help="intra-op threads (default: the framework's)")
    parser.add_argument("--no-first-probe", action="store_true", help="skip the time-to-first-probe run")
    args = parser.parse_args(argv)
    steps = args.steps or (150 if args.framework == "torch" else 300)
    if args.threads:
        # Before the framework starts its thread pools; the time-to-first-probe child inherits it.
        for name in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
            os.environ[name] = str(args.threads)
        if args.framework == "torch":
            import torch

            torch.set_num_threads(args.threads)
    arm = ARMS[args.framework]
    ratios: List[float] = []
    cpu_ratios: List[float] = []
    shares: List[float] = []
    bare_times: List[float] = []
    probes: List[int] = []
    with tempfile.TemporaryDirectory() as folder:
        arm(min(steps, 5), True, folder)  # warm-up: imports, allocator, kernels
        for r in range(args.repeats):
            order = [False, True] if r % 2 == 0 else [True, False]
            wall: Dict[bool, float] = {}
            cpu: Dict[bool, float] = {}
            for instrumented in order:
                wall[instrumented], cpu[instrumented], n, probe_seconds = arm(steps, instrumented, folder)
                if instrumented:
                    probes.append(n)
                    shares.append(probe_seconds / max(1e-9, wall[True] - probe_seconds))
            ratios.append(wall[True] / wall[False])
            cpu_ratios.append(cpu[True] / cpu[False])
            bare_times.append(wall[False] / steps)
            print(
                f"{args.framework} repeat {r + 1}: bare {wall[False]:.2f} s ({cpu[False]:.2f} s CPU), instrumented "
                f"{wall[True]:.2f} s ({cpu[True]:.2f} s CPU; {probes[-1]} probes, {shares[-1] * 100:.2f}% of its "
                f"training time) → ratio {ratios[-1]:.4f}, CPU ratio {cpu_ratios[-1]:.4f}",
                flush=True,
            )
        first = None if args.no_first_probe else first_probe_seconds(args.framework, folder)
    result = {
        "framework": args.framework,
        "steps": steps,
        "repeats": args.repeats,
        "ratios": ratios,
        "median": statistics.median(ratios),
        "min": min(ratios),
        "max": max(ratios),
        "cpuRatios": cpu_ratios,
        "cpuMedian": statistics.median(cpu_ratios),
        "cpuMin": min(cpu_ratios),
        "cpuMax": max(cpu_ratios),
        "threads": args.threads,
        "bareSecondsPerStep": statistics.median(bare_times),
        "probes": probes,
        "probeShares": shares,
        "probeShareMedian": statistics.median(shares),
        "firstProbeSeconds": first,
        "loadAverage": _load_average(),
        "cpuCount": os.cpu_count(),
    }
    print(
        f"{args.framework}: overhead ratio median {result['median']:.4f} (range {result['min']:.4f}–{result['max']:.4f}) "
        f"over {args.repeats} repeats of {steps} steps; CPU-time ratio median {result['cpuMedian']:.4f} "
        f"(range {result['cpuMin']:.4f}–{result['cpuMax']:.4f}); probes took {result['probeShareMedian'] * 100:.2f}% of training "
        f"time (median); bare {result['bareSecondsPerStep'] * 1000:.0f} ms/step; first probe "
        + (f"{first:.2f} s after start" if first is not None else "not measured")
    )
    print(json.dumps(result))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
