"""Activation Lens live taps: dead ReLU units, dormant units, saturation and mean drift measured on
your own PyTorch or Keras training run, with the same definitions as the Activation Lens engine,
sent live to the VS Code dashboard (or `activation-lens watch`) and written to a report.

    python -m activation_lens run train.py [args…]          # zero code change
    handle = activation_lens.watch(model)                    # PyTorch loops and notebooks
    model.fit(..., callbacks=[activation_lens.keras.Callback()])   # Keras

Only the standard library and the framework the script already imports are used."""
from __future__ import annotations

import inspect
import os
from typing import Any, Optional

__version__ = "0.1.0"

__all__ = ["watch", "__version__"]


def watch(
    model: Any,
    probe: Any = None,
    every: Optional[int] = None,
    probe_size: Optional[int] = None,
    dormant_tau: Optional[float] = None,
    json_path: Optional[str] = None,
) -> Any:
    """Live taps on a PyTorch model in a loop you write; returns a handle (`.step()`, `.close()`,
    a context manager). `probe`: the probe set (a tensor, a tuple of forward arguments or a dict of
    keyword arguments; the first `probe_size` samples are used) — by default the first samples the
    model is trained on. `every`: probe every K steps (default: adaptive within the 3% budget)."""
    from .options import options_from_env
    from .torch_taps import WatchHandle

    options = options_from_env().with_overrides(
        every=every, probe_size=probe_size, dormant_tau=dormant_tau, json_path=json_path
    )
    caller = inspect.stack(context=0)[1].filename
    files = [os.path.abspath(caller)] if caller and not caller.startswith("<") else []
    return WatchHandle(model, probe, options, files)
