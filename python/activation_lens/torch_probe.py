"""One probe of a PyTorch model: the fixed probe set through the root module in eval mode under
no_grad, with taps on every activation application, statistics on the device, one read-back.

During the probe only (all removed before it returns):
  - global module forward pre/post hooks keep the stack of running modules and read each
    activation module's output after it returns (so `inplace=True` is handled);
  - a TorchFunctionMode sees functional calls (`F.relu`, `torch.relu`, `x.relu()`, `F.gelu` …) made
    outside activation modules, names them by call site from the stack, and — on the first probe —
    follows which tensors descend from convolutions, to tell a conv1d's (N, C, L) from a
    sequence's (N, L, F).
Unit axis rule: rank ≥ 4 outputs (N, C, H, W…) → axis 1; rank 3 → axis 1 when the tensor descends
(through ops that keep that axis) from a convolution, pooling, batch/instance/group norm or
interpolation, else the last axis; rank 2 → axis 1; rank 1 → one unit.
The module's training flags, the RNG states and the grad mode are restored afterwards."""
from __future__ import annotations

import os
import re
import sys
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.overrides import TorchFunctionMode
from torch.utils.weak import WeakIdKeyDictionary

from . import activations
from .source_lines import TorchSourceFinder, call_site_ref, frame_position
from .statistics import Application, Request
from .statistics_torch import first_range, summarise

_TORCH_DIR = os.path.dirname(torch.__file__) + os.sep
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_NAME_UNSAFE = re.compile(r"[^\w./:-]")


def module_activation(module: nn.Module) -> Optional[Tuple[str, Optional[float]]]:
    """(activation name, α or None) for an activation module; None for every other module."""
    if isinstance(module, nn.ReLU6):
        return "relu6", None
    if isinstance(module, nn.Hardtanh):
        return ("relu6" if (module.min_val, module.max_val) == (0.0, 6.0) else "hard_tanh"), None
    if isinstance(module, nn.ELU):
        return "elu", float(module.alpha)
    if isinstance(module, nn.CELU):
        return "celu", float(module.alpha)
    if isinstance(module, nn.Threshold):
        thresholded = module.value == 0 and module.threshold >= 0
        return ("thresholded_relu" if thresholded else "threshold"), None
    if isinstance(module, (nn.Softmax, nn.Softmax2d)):
        return "softmax", None
    simple = (
        (nn.ReLU, "relu"),
        (nn.LeakyReLU, "leaky_relu"),
        (nn.RReLU, "rrelu"),
        (nn.SELU, "selu"),
        (nn.GELU, "gelu"),
        (nn.SiLU, "silu"),
        (nn.Mish, "mish"),
        (nn.Tanh, "tanh"),
        (nn.Sigmoid, "sigmoid"),
        (nn.Hardsigmoid, "hard_sigmoid"),
        (nn.Hardswish, "hard_swish"),
        (nn.PReLU, "prelu"),
        (nn.Softplus, "softplus"),
        (nn.Softsign, "softsign"),
    )
    for cls, name in simple:
        if isinstance(module, cls):
            return name, None
    return None


def _arg(args: Sequence[Any], kwargs: Dict[str, Any], index: int, name: str, default: Any) -> Any:
    if name in kwargs:
        return kwargs[name]
    return args[index] if len(args) > index else default


def _functional_table() -> Dict[Any, Tuple[str, str]]:
    """Function object → (activation, display prefix). Tensor methods arrive as the method
    descriptor, torch.* builtins and F.* Python functions as themselves."""
    table: Dict[Any, Tuple[str, str]] = {}

    def add(owner: Any, prefix: str, names: Sequence[str], activation: str) -> None:
        for n in names:
            f = getattr(owner, n, None)
            if f is not None:
                table.setdefault(f, (activation, prefix))

    add(F, "F", ["relu", "relu_"], "relu")
    add(torch, "torch", ["relu", "relu_"], "relu")
    add(torch.Tensor, "Tensor", ["relu", "relu_"], "relu")
    add(F, "F", ["relu6"], "relu6")
    add(F, "F", ["hardtanh", "hardtanh_"], "hard_tanh")
    add(F, "F", ["leaky_relu", "leaky_relu_"], "leaky_relu")
    add(F, "F", ["elu", "elu_"], "elu")
    add(F, "F", ["celu", "celu_"], "celu")
    add(F, "F", ["selu", "selu_"], "selu")
    add(torch, "torch", ["selu", "selu_"], "selu")
    add(F, "F", ["gelu"], "gelu")
    add(F, "F", ["silu"], "silu")
    add(F, "F", ["mish"], "mish")
    add(F, "F", ["hardswish"], "hard_swish")
    add(F, "F", ["hardsigmoid"], "hard_sigmoid")
    add(F, "F", ["softplus"], "softplus")
    add(F, "F", ["softsign"], "softsign")
    add(F, "F", ["prelu"], "prelu")
    add(F, "F", ["threshold", "threshold_"], "threshold")
    add(F, "F", ["sigmoid"], "sigmoid")
    add(torch, "torch", ["sigmoid", "sigmoid_"], "sigmoid")
    add(torch.Tensor, "Tensor", ["sigmoid", "sigmoid_"], "sigmoid")
    add(F, "F", ["tanh"], "tanh")
    add(torch, "torch", ["tanh", "tanh_"], "tanh")
    add(torch.Tensor, "Tensor", ["tanh", "tanh_"], "tanh")
    add(F, "F", ["softmax"], "softmax")
    add(torch, "torch", ["softmax"], "softmax")
    add(torch.Tensor, "Tensor", ["softmax"], "softmax")
    return table


FUNCTIONAL = _functional_table()


def functional_activation(func: Any, args: Sequence[Any], kwargs: Dict[str, Any]) -> Optional[Tuple[str, Optional[float]]]:
    entry = FUNCTIONAL.get(func)
    if entry is None:
        return None
    activation = entry[0]
    if activation == "hard_tanh":
        lo, hi = _arg(args, kwargs, 1, "min_val", -1.0), _arg(args, kwargs, 2, "max_val", 1.0)
        return ("relu6" if (lo, hi) == (0.0, 6.0) else "hard_tanh"), None
    if activation in ("elu", "celu"):
        return activation, float(_arg(args, kwargs, 1, "alpha", 1.0))
    if activation == "threshold":
        th, value = _arg(args, kwargs, 1, "threshold", 0.0), _arg(args, kwargs, 2, "value", 0.0)
        return ("thresholded_relu" if value == 0 and th >= 0 else "threshold"), None
    return activation, None


_CHANNELS_FIRST_OPS = frozenset(
    "conv1d conv_transpose1d max_pool1d _max_pool1d max_pool1d_with_indices avg_pool1d "
    "adaptive_avg_pool1d adaptive_max_pool1d adaptive_max_pool1d_with_indices lp_pool1d batch_norm "
    "instance_norm group_norm interpolate upsample local_response_norm dropout1d".split()
)
_LAST_AXIS_OPS = frozenset(
    "linear matmul __matmul__ bmm baddbmm addmm embedding layer_norm rms_norm einsum "
    "scaled_dot_product_attention multi_head_attention_forward".split()
)
_AXIS_MOVING_OPS = frozenset(
    "view reshape permute transpose transpose_ movedim moveaxis flatten unflatten swapaxes swapdims "
    "unsqueeze squeeze view_as reshape_as expand expand_as t T mT".split()
)


def _is_dispatch_frame(file: str) -> bool:
    if file.startswith(_PACKAGE_DIR):
        return True
    return file.startswith(_TORCH_DIR) and file.endswith(("overrides.py", os.sep + "nn" + os.sep + "functional.py"))


def unit_axis(output: torch.Tensor, layout: Optional[str]) -> Optional[int]:
    if output.ndim == 0:
        return None
    if output.ndim <= 2:
        return output.ndim - 1
    if output.ndim == 3:
        return 1 if layout == "channels_first" else 2
    return 1


def _qualname(frame: Any) -> str:
    code = frame.f_code
    name = getattr(code, "co_qualname", None)
    if name is None:  # Python < 3.11
        owner = frame.f_locals.get("self")
        name = f"{type(owner).__qualname__}.{code.co_name}" if owner is not None else code.co_name
    return name


def sanitise(name: str) -> str:
    cleaned = _NAME_UNSAFE.sub("_", name.replace("<", "").replace(">", ""))
    return cleaned[:200] or "layer"


class _TapMode(TorchFunctionMode):
    def __init__(self, prober: "TorchProber") -> None:
        super().__init__()
        self.prober = prober

    def __torch_function__(self, func: Any, types: Any, args: Sequence[Any] = (), kwargs: Optional[Dict[str, Any]] = None) -> Any:
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        p = self.prober
        if p.busy:
            return out
        if p.tracking and isinstance(out, torch.Tensor) and out.ndim == 3:
            p.tag(func, args, out)
        if func in FUNCTIONAL and isinstance(out, torch.Tensor):
            p.functional_application(func, args, kwargs, out, sys._getframe(1))
        return out


RequestFor = Callable[[str], Optional[Request]]
Summary = Tuple[Application, Request, torch.Tensor, torch.Tensor]


class TorchProber:
    """Probes one root module. Applications are discovered on the first pass and kept by name."""

    def __init__(self, root: nn.Module, prefix: str, extra_files: Sequence[str]) -> None:
        self.root = root
        self.prefix = prefix
        self.named = dict(root.named_modules())
        self.paths = {id(m): p for p, m in self.named.items()}
        self.finder = TorchSourceFinder(self.named, extra_files)
        self.apps: Dict[str, Application] = {}
        self.order: List[str] = []
        self.busy = False
        self.tracking = False
        self._tags: Any = None
        self._stack: List[nn.Module] = []
        self._counts: Dict[str, int] = {}
        self._request_for: RequestFor = lambda _n: None
        self._summaries: List[Summary] = []
        self._acc = torch.float64
        self.warnings: List[str] = []

    # ---- one pass ----

    def run_pass(self, inputs: Tuple[Tuple[Any, ...], Dict[str, Any]], request_for: RequestFor, acc: torch.dtype) -> List[Summary]:
        from torch.nn.modules import module as module_hooks

        self._request_for = request_for
        self._summaries = []
        self._counts = {}
        self._stack = []
        self._acc = acc
        self.tracking = not self.apps
        self._tags = WeakIdKeyDictionary() if self.tracking else None
        args, kwargs = inputs
        flags = [(m, m.training) for m in self.root.modules()]
        rng = _RngState.save()
        pre = module_hooks.register_module_forward_pre_hook(self._on_pre)
        post = module_hooks.register_module_forward_hook(self._on_post, always_call=True)
        try:
            # Set the flags directly: calling .eval() would run any train() override of theirs.
            for m, _ in flags:
                m.training = False
            with torch.no_grad(), _TapMode(self):
                self.root(*args, **kwargs)
        finally:
            pre.remove()
            post.remove()
            for m, was in flags:
                m.training = was
            rng.restore()
            self._tags = None
            self.tracking = False
        return self._summaries

    # ---- hooks ----

    def _on_pre(self, module: nn.Module, _args: Any) -> None:
        self._stack.append(module)

    def _on_post(self, module: nn.Module, _args: Any, output: Any) -> None:
        if self._stack and self._stack[-1] is module:
            self._stack.pop()
        if self.busy or not isinstance(output, torch.Tensor):
            return
        found = module_activation(module)
        if found is None:
            return
        path = self.paths.get(id(module))
        base = path if path else type(module).__name__
        params = sum(p.numel() for p in module.parameters(recurse=False))
        self._application(base, found[0], found[1], type(module).__name__, output, params, ("module", path))

    def tag(self, func: Any, args: Sequence[Any], out: torch.Tensor) -> None:
        name = getattr(func, "__name__", "")
        if name in _CHANNELS_FIRST_OPS:
            self._tags[out] = "channels_first"
        elif name in _LAST_AXIS_OPS:
            self._tags[out] = "last"
        elif name not in _AXIS_MOVING_OPS:
            for a in args:
                if isinstance(a, torch.Tensor) and a.ndim == 3:
                    t = self._tags.get(a)
                    if t == "channels_first" and a.shape[1] == out.shape[1]:
                        self._tags[out] = t
                        return
                    if t == "last" and a.shape[-1] == out.shape[-1]:
                        self._tags[out] = t
                        return

    def functional_application(self, func: Any, args: Sequence[Any], kwargs: Dict[str, Any], out: torch.Tensor, frame: Any) -> None:
        top = self._stack[-1] if self._stack else None
        if top is not None and module_activation(top) is not None:
            return  # the module's own hook reads this output
        found = functional_activation(func, args, kwargs)
        if found is None:
            return
        fn = getattr(func, "__name__", "act").rstrip("_")
        # Walk past our own frames, torch's dispatch (overrides.py) and the F.* wrapper to the caller.
        while frame is not None and _is_dispatch_frame(frame.f_code.co_filename):
            frame = frame.f_back
        if frame is None:
            return
        display = f"{FUNCTIONAL[func][1]}.{fn}"
        if frame.f_code.co_filename.startswith(_TORCH_DIR):
            # Called inside a torch module (e.g. TransformerEncoderLayer's activation): name it by
            # the innermost running module, whose definition line is the person's.
            path = self.paths.get(id(top)) if top is not None else ""
            base = f"{path or (type(top).__name__ if top is not None else 'model')}:{fn}"
            self._application(base, found[0], found[1], display, out, 0, ("module", path))
            return
        line, column = frame_position(frame)
        base = f"{_qualname(frame)}:{line}:{fn}"
        self._application(base, found[0], found[1], display, out, 0, ("call", (frame.f_code.co_filename, line, column)))

    # ---- applications ----

    def _application(
        self, base: str, activation: str, alpha: Optional[float], class_name: str, output: torch.Tensor, params: int, where: Tuple[str, Any]
    ) -> None:
        base = sanitise(self.prefix + base)
        k = self._counts.get(base, 0) + 1
        self._counts[base] = k
        name = base if k == 1 else f"{base}/{k}"
        if output.ndim == 0 or output.numel() == 0:
            return
        self.busy = True
        try:
            app = self.apps.get(name)
            if app is None:
                layout = self._tags.get(output) if self._tags is not None else None
                axis = unit_axis(output, layout)
                if axis is None:
                    return
                units = 1 if output.ndim == 1 else int(output.shape[axis])
                app = Application(
                    name=name,
                    activation=activation,
                    class_name=class_name,
                    alpha=activations.saturation_alpha(activation, alpha),
                    unit_axis=axis,
                    units=units,
                    output_shape=[None] + [int(s) for s in output.shape[1:]],
                    params=params,
                    source=self._source(where),
                )
                self.apps[name] = app
                self.order.append(name)
            elif output.ndim != len(app.output_shape) or (
                output.ndim > 1 and int(output.shape[app.unit_axis]) != app.units
            ):
                self.warnings.append(f"{name}: its output shape changed to {tuple(output.shape)}; skipped this probe")
                return
            request = self._request_for(name)
            if request is None:
                return
            if request.core and request.range is None:
                # A layer's first probe: read its min/max now (once per layer, ever) and bin in this
                # same pass, instead of running the whole forward again for the histogram.
                request = Request(core=True, exact=request.exact, range=first_range(output, app.activation, app.alpha))
            additive, extremes = summarise(output, app.unit_axis, app.units, app.alpha, request, self._acc)
            self._summaries.append((app, request, additive, extremes))
        finally:
            self.busy = False

    def _source(self, where: Tuple[str, Any]) -> Optional[Dict[str, Any]]:
        kind, value = where
        try:
            if kind == "module":
                return self.finder.source_ref(value) if value else None
            file, line, column = value
            return call_site_ref(file, line, column)
        except Exception:  # mapping is best effort; the probe goes on
            return None


class _RngState:
    """The CPU and accelerator generator states, so a probe consumes no randomness of the run's."""

    def __init__(self, cpu: torch.Tensor, cuda: Optional[List[torch.Tensor]], mps: Optional[torch.Tensor]) -> None:
        self.cpu, self.cuda, self.mps = cpu, cuda, mps

    @staticmethod
    def save() -> "_RngState":
        cuda = torch.cuda.get_rng_state_all() if torch.cuda.is_available() and torch.cuda.is_initialized() else None
        mps = None
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            try:
                mps = torch.mps.get_rng_state()
            except Exception:
                mps = None
        return _RngState(torch.get_rng_state(), cuda, mps)

    def restore(self) -> None:
        torch.set_rng_state(self.cpu)
        if self.cuda is not None:
            torch.cuda.set_rng_state_all(self.cuda)
        if self.mps is not None:
            torch.mps.set_rng_state(self.mps)


def layer_summary(app: Application) -> Dict[str, Any]:
    """src/protocol.ts LayerSummary of one application."""
    return {
        "name": app.name,
        "className": app.class_name,
        "activation": app.activation,
        "outputShape": app.output_shape,
        "units": app.units,
        "params": app.params,
        "tapped": True,
        "source": app.source,
    }
