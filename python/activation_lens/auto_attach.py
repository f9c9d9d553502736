"""What the runner's zero-code-change attachments to PyTorch (torch_taps.TorchAutoAttach) and Keras
(keras_fit.KerasAutoAttach) share: the one run of the script they feed, and closing it exactly once —
the run finishes (final probe, `live-ended`, report), then the framework's hooks come off."""
from __future__ import annotations

from typing import Any, Optional


class AutoAttach:
    run: Any
    closed = False

    def trained(self) -> bool:
        return bool(self.run.trained())

    def started(self) -> bool:
        return self.run.session is not None

    def close(self, exit_code: Optional[int], never_trained: Optional[str]) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            self.run.finish(exit_code, never_trained)
        finally:
            self._detach()

    def _detach(self) -> None:
        """Takes the framework's hooks off again (each attachment its own)."""
        raise NotImplementedError
