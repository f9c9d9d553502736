"""The runner's zero-code-change attachment to Keras: `keras.Model.fit` is wrapped so that every fit
gets an Activation Lens callback (one live run for the whole script: the first model that trains
is the one tapped). Removed at the end of the run."""
from __future__ import annotations

import functools
import inspect
import types
from typing import Any, Optional, Sequence

from .auto_attach import AutoAttach
from .keras_callback import KerasRun, callback_class
from .options import Options
from .wire import warn


def keras_version_problem(keras: types.ModuleType) -> Optional[str]:
    version = str(getattr(keras, "__version__", "0"))
    major = version.split(".")[0]
    if not major.isdigit() or int(major) < 3:
        return (
            f"Keras {version} is older than 3, which the live taps need (tf.keras in TensorFlow ≥ 2.16 is Keras 3; "
            "legacy tf_keras is not tapped)"
        )
    return None


class KerasAutoAttach(AutoAttach):
    def __init__(self, keras: types.ModuleType, options: Options, extra_files: Sequence[str]) -> None:
        self.keras = keras
        self.run = KerasRun(keras, options, extra_files)
        self.callback_type = callback_class(keras)
        model_class = keras.Model
        self._model_class = model_class
        self._own_fit = model_class.__dict__.get("fit")
        original = model_class.fit
        signature = inspect.signature(original)
        attach = self

        @functools.wraps(original)
        def fit(model: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                bound = signature.bind_partial(model, *args, **kwargs)
                given = bound.arguments.get("callbacks")
                callbacks = list(given) if isinstance(given, (list, tuple)) else given
                if callbacks is None or isinstance(callbacks, list):
                    callbacks = list(callbacks or [])
                    if not any(isinstance(c, attach.callback_type) for c in callbacks):
                        callbacks.append(attach.callback(model))
                    bound.arguments["callbacks"] = callbacks
                    return original(*bound.args, **bound.kwargs)
            except TypeError:
                pass  # arguments fit itself will reject: let it say so
            except Exception as e:
                warn(f"could not add the taps to fit ({type(e).__name__}: {e}); training continues without them")
            return original(model, *args, **kwargs)

        model_class.fit = fit
        self.closed = False

    def callback(self, model: Any) -> Any:
        cb = self.callback_type()
        cb._al_run = self.run
        cb._al_persistent = True  # the run lasts as long as the script, across fits
        if self.run.model is not None and model is not self.run.model:
            warn(f"fit() of a second model ({getattr(model, 'name', '?')}) is not tapped: one model per run")
        return cb

    def _detach(self) -> None:
        if self._own_fit is not None:
            self._model_class.fit = self._own_fit
        else:
            del self._model_class.fit

