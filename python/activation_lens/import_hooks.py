"""Run code right after a module finishes importing (the taps attach to torch / keras only once the
script imports them, so a torch script never pays for importing keras and vice versa)."""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
from typing import Callable, Dict, Optional, Sequence, Set

from .wire import warn

Callback = Callable[[types.ModuleType], None]


class _Loader(importlib.abc.Loader):
    def __init__(self, inner: importlib.abc.Loader, callback: Callback) -> None:
        self.inner = inner
        self.callback = callback

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> Optional[types.ModuleType]:
        return self.inner.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        # The module's own loader stays in charge of how it is read (resources, reload).
        module.__loader__ = self.inner
        if module.__spec__ is not None:
            module.__spec__.loader = self.inner
        self.inner.exec_module(module)  # type: ignore[attr-defined]
        try:
            self.callback(module)
        except Exception as e:  # attaching must never break the script's import
            warn(f"could not attach to {module.__name__} ({type(e).__name__}: {e}); the script runs without taps")


class PostImportHooks(importlib.abc.MetaPathFinder):
    def __init__(self, callbacks: Dict[str, Callback]) -> None:
        self.callbacks = dict(callbacks)
        self._busy: Set[str] = set()

    def find_spec(
        self, fullname: str, path: Optional[Sequence[str]], target: Optional[types.ModuleType] = None
    ) -> Optional[importlib.machinery.ModuleSpec]:
        callback = self.callbacks.get(fullname)
        if callback is None or fullname in self._busy:
            return None
        self._busy.add(fullname)
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self._busy.discard(fullname)
        if spec is None or spec.loader is None:
            return None
        del self.callbacks[fullname]
        spec.loader = _Loader(spec.loader, callback)
        return spec

    def install(self) -> None:
        for name, callback in list(self.callbacks.items()):
            module = sys.modules.get(name)
            if module is not None:  # imported before us: attach now
                del self.callbacks[name]
                try:
                    callback(module)
                except Exception as e:
                    warn(f"could not attach to {name} ({type(e).__name__}: {e}); the script runs without taps")
        sys.meta_path.insert(0, self)

    def uninstall(self) -> None:
        if self in sys.meta_path:
            sys.meta_path.remove(self)
