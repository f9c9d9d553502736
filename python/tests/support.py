"""Shared by the tests: paths, the package on sys.path, which frameworks this Python has, and a
NumPy reference of the engine's statistics (src/probe/statistics.ts) to check the kernels against."""
from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys
from typing import Any, Dict, List, Optional, Sequence

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(PYTHON_DIR)
FIXTURES = os.path.join(REPO, "test", "fixtures", "live")
if PYTHON_DIR not in sys.path:
    sys.path.insert(0, PYTHON_DIR)


def has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def run_live(args: Sequence[str], env: Optional[Dict[str, str]] = None, cwd: Optional[str] = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """`python -m activation_lens …` in a fresh process with the package importable."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = PYTHON_DIR + os.pathsep + full_env.get("PYTHONPATH", "")
    full_env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    full_env.pop("ACTIVATION_LENS_ADDRESS", None)
    full_env.pop("ACTIVATION_LENS_TOKEN", None)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "activation_lens", *args],
        env=full_env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def read_events(path: str) -> List[Dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def reference_probe(values: Any, tau: float = 0.025, activation: str = "relu", alpha: Optional[float] = None) -> Dict[str, Any]:
    """The engine's definitions on a NumPy array whose LAST axis is the units."""
    import numpy as np

    v = np.asarray(values, dtype=np.float64)
    units = v.shape[-1]
    rows = v.reshape(-1, units)
    finite = np.isfinite(rows)
    clean = np.where(finite, rows, 0.0)
    observations = rows.shape[0]
    fire = (clean > 0).sum(0)
    unit_mean_abs = np.abs(clean).sum(0) / observations
    layer_mean_abs = unit_mean_abs.mean()
    n_finite = int(finite.sum())
    mean = clean.sum() / n_finite if n_finite else math.nan
    fin = rows[finite]
    return {
        "units": units,
        "observationsPerUnit": observations,
        "fireCount": [int(c) for c in fire],
        # A unit with any NaN/±∞ output is neither dead nor dormant.
        "dead": [
            u
            for u in range(units)
            if activation in ("relu", "relu6", "thresholded_relu") and fire[u] == 0 and finite[:, u].all()
        ],
        "dormant": [
            u
            for u in range(units)
            if finite[:, u].all() and (layer_mean_abs == 0 or unit_mean_abs[u] < tau * layer_mean_abs)
        ],
        "saturated": None
        if alpha is None
        else [u for u in range(units) if (clean[:, u] <= -alpha * 0.99).sum() == observations],
        "sparsity": float(((clean <= 0) & finite).sum() / rows.size),
        "mean": mean,
        "std": float(np.sqrt(max(0.0, (clean**2).sum() / n_finite - mean * mean))) if n_finite else math.nan,
        "min": float(fin.min()) if fin.size else math.nan,
        "max": float(fin.max()) if fin.size else math.nan,
        "meanAbs": float(layer_mean_abs),
        "nonFinite": int(rows.size - n_finite),
        "posinf": int(np.isposinf(rows).sum()),
        "neginf": int(np.isneginf(rows).sum()),
        "finite": fin,
    }
