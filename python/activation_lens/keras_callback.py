"""Keras 3 (any backend; tf.keras in TensorFlow ≥ 2.16 is Keras 3): a callback that probes the
model during `fit`.

Taps: every top-level layer with a nonlinearity — Dense / Conv* / … with `activation=` other than
linear (the post-activation output), and Activation / ReLU / ELU / LeakyReLU / PReLU / Softmax
layers — through one multi-output model over the same layers (shared weights), called with
`training=False` on the probe set: dropout off, batch-norm statistics untouched, no randomness
drawn, so training is unchanged. Layers inside nested models are not tapped (listed as omitted).

Probe set: `probe=` (an array, or a list/dict of arrays for several inputs), else the first N
samples of what `fit` trains on — arrays/tensors: their first N rows (after validation_split);
a keras.utils.PyDataset: its first batches (NumPy and `random` states restored afterwards); a
tf.data.Dataset only when its pipeline draws no randomness (reading a reshuffling dataset ahead
of fit would change the order fit sees); generators cannot be read ahead: pass `probe=`.
Steps: one per training batch (`on_train_batch_end`); loss and accuracy from the batch logs
(Keras reports the epoch's running mean there); val_loss/val_accuracy at each epoch end."""
from __future__ import annotations

import inspect
import os
import random
import sys
import time
from typing import Any, Dict, List, Optional, Sequence, Tuple

from . import activations
from .options import Options, options_from_env
from .session import LiveSession
from .source_lines import keras_layer_sources
from .statistics import Application, ProbeRound, Request, parse_partial
from .statistics_keras import accumulator_dtype, summarise
from .wire import warn

ACTIVATION_LAYERS = {"ReLU", "ELU", "LeakyReLU", "PReLU", "Softmax", "ThresholdedReLU"}
WITH_ACTIVATION = {
    "Dense",
    "Conv1D",
    "Conv2D",
    "Conv3D",
    "DepthwiseConv2D",
    "SeparableConv1D",
    "SeparableConv2D",
    "Conv1DTranspose",
    "Conv2DTranspose",
    "Conv3DTranspose",
    "Activation",
    "EinsumDense",
}


def _activation_name(value: Any) -> Optional[str]:
    if isinstance(value, str):
        return activations.normalise(value)
    if isinstance(value, dict):
        inner = value.get("config", {}).get("name") if isinstance(value.get("config"), dict) else None
        return activations.normalise(str(inner or value.get("class_name", "")))
    name = getattr(value, "__name__", None)
    return activations.normalise(name) if name else None


def layer_activation(layer: Any) -> Optional[Tuple[str, Optional[float]]]:
    """(activation, α) for a layer whose output is post-activation; None for other layers. Same
    reading as src/model/activation-of.ts (a ReLU layer with max_value 6 is relu6)."""
    cls = type(layer).__name__
    try:
        config = layer.get_config()
    except Exception:
        config = {}
    if cls in ACTIVATION_LAYERS:
        if cls == "ReLU":
            return ("relu6" if config.get("max_value") == 6 else "relu"), None
        if cls == "ELU":
            return "elu", float(config.get("alpha", 1.0))
        return {"LeakyReLU": "leaky_relu", "PReLU": "prelu", "Softmax": "softmax", "ThresholdedReLU": "thresholded_relu"}[cls], None
    if cls in WITH_ACTIVATION:
        name = _activation_name(config.get("activation"))
        if name is None or name == "linear":
            return None
        return name, (1.0 if name == "elu" else None)
    return None


def _unit_axis(keras: Any, layer: Any, rank: int) -> int:
    try:
        data_format = layer.get_config().get("data_format")
    except Exception:
        data_format = None
    if data_format is None and rank >= 3 and type(layer).__name__ in ACTIVATION_LAYERS | {"Activation"}:
        data_format = keras.config.image_data_format()
    return 1 if data_format == "channels_first" and rank >= 3 else rank - 1


def _fit_locals() -> Optional[Dict[str, Any]]:
    """The running Model.fit's local variables (its `x` is the training data after validation_split)."""
    frame = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if code.co_name == "fit" and f"{os.sep}keras{os.sep}" in code.co_filename and "x" in frame.f_locals:
            return dict(frame.f_locals)
        frame = frame.f_back
    return None


class ProbeSetError(ValueError):
    """No probe set can be taken without changing the run; the message says what to pass instead."""


def _first_rows(keras: Any, data: Any, limit: int) -> Any:
    ops = keras.ops
    if isinstance(data, dict):
        return {k: _first_rows(keras, v, limit) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_first_rows(keras, v, limit) for v in data]
    return ops.convert_to_tensor(data[:limit])


def _concat_batches(keras: Any, batches: List[Any], limit: int) -> Any:
    import numpy as np

    first = batches[0]
    if isinstance(first, dict):
        return {k: _concat_batches(keras, [b[k] for b in batches], limit) for k in first}
    if isinstance(first, (list, tuple)):
        return [_concat_batches(keras, [b[i] for b in batches], limit) for i in range(len(first))]
    joined = np.concatenate([keras.ops.convert_to_numpy(b) for b in batches], axis=0)[:limit]
    return keras.ops.convert_to_tensor(joined)


def _rows(batch: Any) -> int:
    while isinstance(batch, (list, tuple, dict)):
        batch = next(iter(batch.values())) if isinstance(batch, dict) else batch[0]
    return int(batch.shape[0])


def _features(element: Any) -> Any:
    """(x, y[, w]) → x."""
    return element[0] if isinstance(element, tuple) else element


def _dataset_draws_randomness(dataset: Any) -> bool:
    seen = set()
    stack = [dataset]
    while stack:
        d = stack.pop()
        if id(d) in seen:
            continue
        seen.add(id(d))
        name = type(d).__name__
        if "Shuffle" in name or "Random" in name:
            return True
        for attr in ("_map_func", "_predicate", "_func", "_reduce_func", "_key_func"):
            func = getattr(d, attr, None)
            graph = getattr(getattr(func, "function", None), "graph", None)
            if graph is not None:
                ops = {op.type for op in graph.get_operations()}
                if any("Random" in t or "Stateful" in t or "Stateless" in t for t in ops):
                    return True
        try:
            stack.extend(d._inputs())
        except Exception:
            return True  # cannot look inside: assume it might
    return False


def probe_set_from_fit(keras: Any, fit_locals: Dict[str, Any], limit: int) -> Any:
    x = fit_locals.get("x")
    if x is None:
        raise ProbeSetError("fit() was called without x")
    if hasattr(x, "__getitem__") and hasattr(x, "shape") or isinstance(x, (list, dict, tuple)) and not hasattr(x, "element_spec"):
        return _first_rows(keras, x, limit)
    PyDataset = getattr(keras.utils, "PyDataset", None)
    if PyDataset is not None and isinstance(x, PyDataset) or type(x).__name__ == "Sequence":
        import numpy as np

        py_state, np_state = random.getstate(), np.random.get_state()
        try:
            batches, taken, i = [], 0, 0
            while taken < limit and i < len(x):
                batch = _features(x[i])
                batches.append(batch)
                taken += _rows(batch)
                i += 1
        finally:
            random.setstate(py_state)
            np.random.set_state(np_state)
        return _concat_batches(keras, batches, limit)
    if hasattr(x, "element_spec") and hasattr(x, "take"):
        if _dataset_draws_randomness(x):
            raise ProbeSetError(
                "fit() was given a tf.data.Dataset that draws randomness (shuffle or random augmentation); reading "
                "it ahead of fit would change the order and the augmentation fit sees"
            )
        batches, taken = [], 0
        for element in x:
            batch = _features(element)
            batches.append(batch)
            taken += _rows(batch)
            if taken >= limit:
                break
        return _concat_batches(keras, batches, limit)
    raise ProbeSetError(f"fit() was given a {type(x).__name__}, which cannot be read ahead without consuming it")


def _device(keras: Any, model: Any) -> str:
    for w in getattr(model, "weights", [])[:1]:
        value = getattr(w, "value", w)
        device = str(getattr(value, "device", "") or "")
        if "device:" in device.lower():  # TensorFlow: /job:localhost/replica:0/task:0/device:CPU:0
            kind, _, index = device.lower().rsplit("device:", 1)[1].partition(":")
            return "cpu" if kind == "cpu" else f"{kind}:{index or 0}"
        if device:
            return device.lower()
    return "cpu"


def _backend_version(keras: Any) -> str:
    name = keras.backend.backend()
    module = sys.modules.get(name)
    return f"{name} {getattr(module, '__version__', '')}".strip()


class KerasRun:
    """One live run of a Keras model: taps, probe set, steps, probes, the session."""

    def __init__(self, keras: Any, options: Options, extra_files: Sequence[str], probe: Any = None) -> None:
        self.keras = keras
        self.options = options
        self.extra_files = list(extra_files)
        self.given_probe = probe
        self.model: Any = None
        self.session: Optional[LiveSession] = None
        self.apps: List[Application] = []
        self.layers: List[Any] = []
        self.tap_model: Any = None
        self.probe_x: Any = None
        self.steps = 0
        self.epoch_base = 0
        self.first_probe_done = False
        self.last_probe_step: Optional[int] = None
        self.broken = False
        self.no_probe_set: Optional[str] = None
        self._mark: Optional[float] = None
        self.omitted: List[Dict[str, Any]] = []

    # ---- start ----

    def begin(self, model: Any, fit_locals: Optional[Dict[str, Any]]) -> None:
        keras = self.keras
        if self.model is None:
            self.model = model
            strategy = getattr(model, "distribute_strategy", None)
            world = int(getattr(strategy, "num_replicas_in_sync", 1) or 1)
            # MultiWorkerMirroredStrategy runs this callback on every worker: only the chief reports.
            resolver = getattr(strategy, "cluster_resolver", None)
            task_type, task_id = getattr(resolver, "task_type", None), getattr(resolver, "task_id", 0)
            rank = 0 if task_type in (None, "chief") or (task_type == "worker" and not task_id) else 1
            device = _device(keras, model)
            self.session = LiveSession(
                framework="keras",
                framework_version=str(keras.__version__),
                backend_detail=f"Keras {keras.__version__} ({_backend_version(keras)}) on {device}",
                device=device,
                world_size=world,
                rank=rank,
                options=self.options,
                model_name=str(getattr(model, "name", "model")),
                model_file=self.extra_files[0] if self.extra_files else None,
            )
            self._build_taps(fit_locals)
            self._take_probe_set(fit_locals)
        elif model is not self.model:
            return
        self._mark = time.perf_counter()
        if not self.first_probe_done and self.probe_x is not None:
            self.probe(self.steps)

    def _build_taps(self, fit_locals: Optional[Dict[str, Any]]) -> None:
        keras = self.keras
        model = self.model
        taps: List[Tuple[Any, str, Optional[float]]] = []
        for layer in getattr(model, "layers", []):
            if isinstance(layer, keras.Model):
                self.omitted.append(
                    {"what": layer.name, "reason": "a nested model: its layers are not tapped", "source": None}
                )
                continue
            found = layer_activation(layer)
            if found is not None:
                taps.append((layer, found[0], found[1]))
        if not taps:
            return
        try:
            outputs = [layer.output for layer, _, _ in taps]
            self.tap_model = keras.Model(inputs=model.inputs, outputs=outputs, name="activation_lens_taps")
        except Exception as e:
            self.no_probe_set = (
                f"the taps need a Sequential or functional model whose layers have known outputs "
                f"({type(model).__name__} does not: {e}); subclassed Keras models are not tapped yet"
            )
            return
        files = list(self.extra_files)
        caller = _script_file_of_fit()
        if caller and caller not in files:
            files.append(caller)
        sources = keras_layer_sources(
            [(layer.name, type(layer).__name__, True) for layer in model.layers], files
        )
        for layer, activation, alpha in taps:
            shape = [None if d is None else int(d) for d in layer.output.shape]
            axis = _unit_axis(keras, layer, len(shape))
            units = shape[axis]
            if units is None:
                continue
            self.layers.append(layer)
            self.apps.append(
                Application(
                    name=layer.name,
                    activation=activation,
                    class_name=type(layer).__name__,
                    alpha=activations.saturation_alpha(activation, alpha),
                    unit_axis=axis,
                    units=int(units),
                    output_shape=[None] + shape[1:],
                    params=int(layer.count_params()) if layer.built else 0,
                    source=sources.get(layer.name),
                )
            )
        if len(self.layers) != len(taps):
            self.tap_model = keras.Model(
                inputs=model.inputs, outputs=[layer.output for layer in self.layers], name="activation_lens_taps"
            )
        assert self.session is not None
        self.session.add_layers(
            [
                {
                    "name": a.name,
                    "className": a.class_name,
                    "activation": a.activation,
                    "outputShape": a.output_shape,
                    "units": a.units,
                    "params": a.params,
                    "tapped": True,
                    "source": a.source,
                }
                for a in self.apps
            ]
        )

    def _take_probe_set(self, fit_locals: Optional[Dict[str, Any]]) -> None:
        if self.tap_model is None:
            self.no_probe_set = self.no_probe_set or "the model has no layer with a nonlinearity to tap"
        else:
            try:
                if self.given_probe is not None:
                    self.probe_x = _first_rows(self.keras, self.given_probe, self.options.probe_size)
                elif fit_locals is not None:
                    self.probe_x = probe_set_from_fit(self.keras, fit_locals, self.options.probe_size)
                else:
                    raise ProbeSetError("the callback runs outside Model.fit")
            except ProbeSetError as e:
                self.no_probe_set = f"no probe set: {e}; pass one with activation_lens.keras.Callback(probe=x_sample)"
            except Exception as e:
                self.no_probe_set = (
                    f"no probe set ({type(e).__name__}: {e}); pass one with activation_lens.keras.Callback(probe=x_sample)"
                )
        if self.no_probe_set:
            assert self.session is not None
            warn(self.no_probe_set)
            self.session.error(self.no_probe_set)
            return
        assert self.session is not None
        self.session.probe_size = _rows(self.probe_x)
        if fit_locals is not None and self.session.batch_size is None:
            batch_size = fit_locals.get("batch_size")
            x = fit_locals.get("x")
            if isinstance(batch_size, int):
                self.session.batch_size = batch_size
            elif hasattr(x, "shape") and not hasattr(x, "element_spec"):
                self.session.batch_size = 32  # Keras' default for arrays

    # ---- steps ----

    def epoch_begin(self) -> None:
        self.epoch_base = self.steps

    def batch_end(self, batch: int, logs: Optional[Dict[str, Any]]) -> None:
        if self.session is None or self.broken:
            return
        self.steps = self.epoch_base + int(batch) + 1
        now = time.perf_counter()
        batch_size = (self.session.batch_size or 0)
        if self._mark is not None:
            self.session.record_step(now - self._mark, batch_size)
        self._mark = now
        logs = logs or {}
        loss = _number(logs.get("loss"))
        accuracy = _accuracy(logs)
        while len(self.session.losses) < self.steps - 1:
            self.session.losses.append(None)
            self.session.accuracy.append(None)
        self.session.losses.append(loss)
        self.session.accuracy.append(accuracy)
        if self.session.progress_due():
            self.session.progress(self.steps, loss, accuracy)
        if self.first_probe_done and self.last_probe_step is not None:
            if self.session.schedule.due(self.steps - self.last_probe_step):
                self.probe(self.steps)

    def epoch_end(self, logs: Optional[Dict[str, Any]]) -> None:
        if self.session is None or not logs or "val_loss" not in logs:
            return
        val = _number(logs.get("val_loss"))
        if val is not None:
            acc = next((_number(v) for k, v in logs.items() if k.startswith("val_") and k.endswith("acc" if k == "val_acc" else "accuracy")), None)
            self.session.validation(self.steps, val, acc)

    # ---- probes ----

    def probe(self, step: int) -> None:
        if self.broken or self.session is None or self.probe_x is None or self.tap_model is None:
            return
        keras = self.keras
        t0 = time.perf_counter()
        try:
            outputs = self.tap_model(self.probe_x, training=False)
            if not isinstance(outputs, (list, tuple)):
                outputs = [outputs]
            acc = accumulator_dtype(keras)
            by_name = dict(zip((a.name for a in self.apps), outputs))
            probe_round = ProbeRound(self.apps, self.session.ranges)
            requests: Dict[str, Request] = probe_round.first_requests()
            while requests:
                apps = [a for a in self.apps if a.name in requests]
                parts = [
                    summarise(keras, by_name[a.name], a.unit_axis, a.units, a.alpha, requests[a.name], acc) for a in apps
                ]
                flat = keras.ops.convert_to_numpy(
                    keras.ops.concatenate([keras.ops.concatenate([p[0], p[1]]) for p in parts])
                ).tolist()
                offset = 0
                for a, (additive, _extremes) in zip(apps, parts):
                    n = int(additive.shape[0])
                    partial = parse_partial(flat[offset : offset + n], flat[offset + n : offset + n + 2], a, requests[a.name])
                    offset += n + 2
                    probe_round.absorb(a.name, partial)
                requests = probe_round.next_requests()
            layers = probe_round.layer_probes(step, self.options.dormant_tau)
            del outputs, by_name
            self.session.record_probe(step, layers, time.perf_counter() - t0)
            for w in probe_round.warnings:
                self.session.log_message("warn", w)
            self.first_probe_done = True
            self.last_probe_step = step
        except Exception as e:  # the probe must never break training
            self.broken = True
            message = f"the probe at step {step} failed ({type(e).__name__}: {e}); taps are off for the rest of this run"
            warn(message)
            self.session.error(message)
        finally:
            if self._mark is not None:
                self._mark = time.perf_counter()

    # ---- the end ----

    def end_of_fit(self) -> None:
        if self.first_probe_done and self.last_probe_step != self.steps:
            self.probe(self.steps)

    def trained(self) -> bool:
        return self.steps > 0

    def finish(self, exit_code: Optional[int], never_trained: Optional[str] = None) -> None:
        if self.session is None:
            return
        problem = None if self.trained() or self.no_probe_set else never_trained
        if self.omitted and self.session.histories:
            self.session.log_message("info", f"not tapped: {', '.join(o['what'] for o in self.omitted)} (nested models)")
        self.session.finish(exit_code, problem)


def _number(value: Any) -> Optional[float]:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _accuracy(logs: Dict[str, Any]) -> Optional[float]:
    for key in ("accuracy", "acc", "sparse_categorical_accuracy", "categorical_accuracy", "binary_accuracy"):
        if key in logs:
            return _number(logs[key])
    return None


def _script_file_of_fit() -> Optional[str]:
    """The file whose code called fit (the model is usually defined there or imported into it)."""
    for frame_info in inspect.stack(context=0)[1:]:
        file = frame_info.filename
        if f"{os.sep}keras{os.sep}" in file or file.startswith("<") or os.path.dirname(os.path.abspath(__file__)) in file:
            continue
        if f"{os.sep}tensorflow{os.sep}" in file:
            continue
        return os.path.abspath(file)
    return None


_classes: Dict[int, type] = {}


def callback_class(keras: Any) -> type:
    """The Callback class for this keras module (subclassing its own keras.callbacks.Callback)."""
    cls = _classes.get(id(keras))
    if cls is not None:
        return cls

    class Callback(keras.callbacks.Callback):  # type: ignore[misc, name-defined]
        """Live taps on `model.fit`: `model.fit(x, y, callbacks=[activation_lens.keras.Callback()])`.

        probe: the probe set (an array, or a list/dict of arrays) — by default the first samples
        fit trains on. every: probe every K steps (default adaptive within the 3% budget). Each fit
        with this callback is one live run: the last probe, `live-ended` and the report come at
        the end of fit."""

        def __init__(
            self,
            probe: Any = None,
            every: Optional[int] = None,
            probe_size: Optional[int] = None,
            dormant_tau: Optional[float] = None,
            json_path: Optional[str] = None,
        ) -> None:
            super().__init__()
            self._al_options = options_from_env().with_overrides(
                every=every, probe_size=probe_size, dormant_tau=dormant_tau, json_path=json_path
            )
            self._al_probe = probe
            self._al_run: Optional[KerasRun] = None
            self._al_last_run: Optional[KerasRun] = None
            self._al_persistent = False
            caller = inspect.stack(context=0)[1].filename
            self._al_files = [os.path.abspath(caller)] if caller and not caller.startswith("<") else []

        def on_train_begin(self, logs: Optional[Dict[str, Any]] = None) -> None:
            try:
                if self._al_run is None:
                    self._al_run = KerasRun(keras, self._al_options, self._al_files, self._al_probe)
                self._al_run.begin(self.model, _fit_locals())
            except Exception as e:
                warn(f"the taps could not start ({type(e).__name__}: {e}); training continues")

        def on_epoch_begin(self, epoch: int, logs: Optional[Dict[str, Any]] = None) -> None:
            if self._al_run is not None:
                self._al_run.epoch_begin()

        def on_train_batch_end(self, batch: int, logs: Optional[Dict[str, Any]] = None) -> None:
            if self._al_run is not None:
                try:
                    self._al_run.batch_end(batch, logs)
                except Exception as e:
                    self._al_run.broken = True
                    warn(f"the taps stopped ({type(e).__name__}: {e}); training continues")

        def on_epoch_end(self, epoch: int, logs: Optional[Dict[str, Any]] = None) -> None:
            if self._al_run is not None:
                self._al_run.epoch_end(logs)

        def on_train_end(self, logs: Optional[Dict[str, Any]] = None) -> None:
            run = self._al_run
            if run is None:
                return
            run.end_of_fit()
            if not self._al_persistent:
                run.finish(None, "fit() ended before its first training step")
                self._al_last_run = run
                self._al_run = None

    Callback.__module__ = "activation_lens.keras"
    Callback.__qualname__ = "Callback"
    _classes[id(keras)] = Callback
    return Callback
