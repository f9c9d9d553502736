"""The probe set: the first N samples a root module was trained on, copied once (detached, on the
run's device) and kept fixed. A root's forward arguments are flattened (tuples, lists, dicts);
tensors whose leading size is the batch size are sliced and concatenated across calls until N
samples are held, everything else is kept from the first call. A later call with a different
structure ends the collection with what was taken so far."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import torch
from torch.utils import _pytree as pytree


class ProbeInputs:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.count = 0
        self.closed = False
        self._spec: Any = None
        self._batch_leaves: List[int] = []
        self._constant: Dict[int, Any] = {}
        self._parts: Dict[int, List[torch.Tensor]] = {}
        self._cached: Optional[Tuple[Tuple[Any, ...], Dict[str, Any]]] = None

    @property
    def complete(self) -> bool:
        return self.closed or self.count >= self.limit

    @property
    def usable(self) -> bool:
        return self.count > 0

    def add(self, args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> None:
        if self.complete:
            return
        leaves, spec = pytree.tree_flatten((tuple(args), dict(kwargs)))
        tensors = [i for i, leaf in enumerate(leaves) if isinstance(leaf, torch.Tensor) and leaf.ndim >= 1]
        if not tensors:
            self.closed = True
            return
        batch = int(leaves[tensors[0]].shape[0])
        batch_leaves = [i for i in tensors if int(leaves[i].shape[0]) == batch]
        if self._spec is None:
            self._spec = spec
            self._batch_leaves = batch_leaves
            for i, leaf in enumerate(leaves):
                if i not in batch_leaves:
                    self._constant[i] = leaf.detach().clone() if isinstance(leaf, torch.Tensor) else leaf
        elif spec != self._spec or batch_leaves != self._batch_leaves:
            self.closed = True
            return
        take = min(batch, self.limit - self.count)
        for i in batch_leaves:
            self._parts.setdefault(i, []).append(leaves[i].detach()[:take].clone())
        self.count += take
        self._cached = None

    def materialize(self) -> Tuple[Tuple[Any, ...], Dict[str, Any]]:
        """(args, kwargs) holding the probe set; built once, then reused at every probe."""
        if self._cached is None:
            leaves: List[Any] = []
            total = len(self._batch_leaves) + len(self._constant)
            for i in range(total):
                if i in self._constant:
                    leaves.append(self._constant[i])
                else:
                    parts = self._parts[i]
                    leaves.append(parts[0] if len(parts) == 1 else torch.cat(parts))
                    self._parts[i] = [leaves[-1]]
            args, kwargs = pytree.tree_unflatten(leaves, self._spec)
            self._cached = (tuple(args), dict(kwargs))
        return self._cached

    @staticmethod
    def given(probe: Any, limit: int) -> "ProbeInputs":
        """A probe set the person passed: a tensor (the model's one input), a tuple of positional
        arguments, or a dict of keyword arguments; the first `limit` samples are used."""
        inputs = ProbeInputs(limit)
        if isinstance(probe, dict):
            inputs.add((), probe)
        elif isinstance(probe, (tuple, list)):
            inputs.add(tuple(probe), {})
        else:
            inputs.add((probe,), {})
        inputs.closed = True
        return inputs
