"""All-reduces of the taps' own small tensors under torch.distributed, handed back safely.

A gloo all-reduce returns as soon as the result is in, while the process group's worker thread
may still hold references to the tensors it was given (measured on torch 2.13 / gloo: right
after `all_reduce` returns, `tensor._use_count()` is 4 instead of 1 in about half the calls).
If the taps drop their last Python reference first, PyTorch keeps the Python object alive on the
C++ side, and the worker thread later needs the GIL to free it. When that happens while the
interpreter shuts down — a rank that exits right after the final probe's all-reduce — the worker
thread is torn down inside a destructor and the process aborts ("terminate called without an
active exception", SIGABRT; measured: 4 of 15 two-rank runs of a script whose last collective
precedes its exit, 0 of 15 with the wait below). So every collective here waits until the worker
has let go of the tensor before the taps move on."""
from __future__ import annotations

import time
from typing import Any, List

import torch

#: How long to wait for the worker thread to let go (it needs one scheduling slot: microseconds;
#: seconds only on a badly overloaded machine).
RELEASE_TIMEOUT_S = 10.0

#: Tensors whose worker never let go within the timeout: kept referenced for the life of the
#: process, so they are freed by Python (with the GIL) and never by the worker thread.
_unreleased: List[torch.Tensor] = []


def released(tensor: torch.Tensor, timeout: float = RELEASE_TIMEOUT_S) -> bool:
    """Waits until nothing but the caller holds `tensor` (the collective's worker is done with
    it); True if it was let go within `timeout`, else the tensor is kept alive for good."""
    deadline = time.monotonic() + timeout
    delay = 0.0001
    # One reference: the Python tensor's own (however many Python names point at it).
    while tensor._use_count() > 1:
        if time.monotonic() >= deadline:
            _unreleased.append(tensor)
            return False
        time.sleep(delay)
        delay = min(delay * 2, 0.01)
    return True


def all_reduce(tensor: torch.Tensor, op: Any) -> torch.Tensor:
    """`torch.distributed.all_reduce(tensor, op)` in place, returning once the process group's
    worker thread no longer references `tensor`."""
    torch.distributed.all_reduce(tensor, op)
    released(tensor)
    return tensor
