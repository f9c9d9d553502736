"""`activation_lens.keras.Callback`: live taps for `Model.fit` (see keras_callback.py). Keras is
imported when the name is first used, so `import activation_lens` stays cheap."""
from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "Callback":
        import keras

        from .keras_callback import callback_class

        return callback_class(keras)
    raise AttributeError(f"module 'activation_lens.keras' has no attribute {name!r}")
