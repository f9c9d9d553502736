"""PyTorch: attaching to a training run, counting its steps and probing it on schedule.

Two ways in share `TorchRun`:
  - `TorchAutoAttach` (the runner, zero code change) installs global hooks: module forward pre/post
    hooks find the root module(s) — a forward with no enclosing module forward, in train mode with
    grad enabled, on the main thread — and copy their first N samples (the hooks come off once every
    root's probe set is full); optimizer step pre/post hooks count steps and probe; a thin wrapper on
    `Tensor.backward` keeps the scalar loss (a reference; read back only with progress and probes);
    `torch.distributed.destroy_process_group` first takes the final probe.
  - `watch(model, probe=…, every=K)` for notebooks and custom loops: the same, for one given model;
    steps from the optimizer (any torch.optim optimizer) or from `handle.step()`.
Everything installed is removed by `close()` / the end of the run (hooks return handles).

Steps are counted on the first optimizer that steps (a GAN's second optimizer does not add steps).
The first probe runs before the first update whose probe set is full (step 0 when the first batch
holds N samples), then on schedule after updates, and once more at the end."""
from __future__ import annotations

import atexit
import os
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn

from .auto_attach import AutoAttach
from .collectives import all_reduce
from .options import Options
from .probe_inputs import ProbeInputs
from .session import LiveSession
from .statistics import ProbeRound, Request, parse_partial
from .statistics_torch import accumulator_dtype
from .torch_probe import Summary, TorchProber, layer_summary
from .wire import warn

MIN_TORCH = (2, 1)


def torch_version_ok() -> Optional[str]:
    """None when this torch is supported, else the message to print."""
    parts = []
    for piece in torch.__version__.split("+")[0].split(".")[:2]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    if tuple(parts) < MIN_TORCH:
        return (
            f"PyTorch {torch.__version__} is older than {MIN_TORCH[0]}.{MIN_TORCH[1]}, which the live taps need "
            "(global forward hooks with always_call, optimizer step hooks); upgrade torch to use them"
        )
    return None


def distributed() -> Tuple[int, int]:
    """(world size, rank): from torch.distributed when initialised, else torchrun's environment."""
    d = torch.distributed
    if d.is_available() and d.is_initialized():
        return d.get_world_size(), d.get_rank()
    return int(os.environ.get("WORLD_SIZE", "1") or 1), int(os.environ.get("RANK", "0") or 0)


def _collective() -> bool:
    d = torch.distributed
    return d.is_available() and d.is_initialized() and d.get_world_size() > 1


def unwrap(module: nn.Module) -> nn.Module:
    """DistributedDataParallel / DataParallel → the model they wrap (probed locally, no collectives)."""
    from torch.nn.parallel import DataParallel, DistributedDataParallel

    while isinstance(module, (DataParallel, DistributedDataParallel)):
        module = module.module
    return module


def _has_parameters(module: nn.Module) -> bool:
    return next(module.parameters(), None) is not None


def _device_of(module: nn.Module) -> torch.device:
    p = next(module.parameters(), None)
    return p.device if p is not None else torch.device("cpu")


def _batch_size(args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> int:
    for value in list(args) + list(kwargs.values()):
        if isinstance(value, torch.Tensor) and value.ndim >= 1:
            return int(value.shape[0])
    return 0


class RootState:
    def __init__(self, module: nn.Module, inputs: ProbeInputs) -> None:
        self.module = module
        self.inputs = inputs
        self.prober: Optional[TorchProber] = None


class TorchRun:
    """Roots, probe sets, steps, losses, probes; one per process (auto) or per watched model."""

    def __init__(self, options: Options, extra_files: Sequence[str]) -> None:
        self.options = options
        self.extra_files = list(extra_files)
        self.roots: Dict[int, RootState] = {}
        self.session: Optional[LiveSession] = None
        self.steps = 0
        self.first_probe_done = False
        self.broken = False
        self.owner: Optional[Any] = None
        self.explicit_steps = False
        self.next_probe_step: Optional[int] = None
        self._mark: Optional[float] = None
        self._pending_loss: List[torch.Tensor] = []
        self._loss_buffer: List[Optional[torch.Tensor]] = []
        self._samples_since_step = 0
        self._last_probe_step: Optional[int] = None
        self._in_probe = False

    # ---- roots and the session ----

    def root_training_call(self, module: nn.Module, args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> None:
        if self.broken:
            return
        root = unwrap(module)
        if not _has_parameters(root):
            return  # a loss module or a parameter-free helper, not a model
        state = self.roots.get(id(root))
        if state is None:
            if self.first_probe_done and all(s.inputs.complete for s in self.roots.values()):
                return  # roots that appear after the first probe are not tracked
            state = RootState(root, ProbeInputs(self.options.probe_size))
            self.roots[id(root)] = state
        if state is next(iter(self.roots.values())):
            self._samples_since_step += _batch_size(args, kwargs)
        if not state.inputs.complete:
            state.inputs.add(args, kwargs)
        self.ensure_session(root)

    def ensure_session(self, root: nn.Module) -> LiveSession:
        if self.session is None:
            world, rank = distributed()
            device = str(_device_of(root))
            self.session = LiveSession(
                framework="torch",
                framework_version=torch.__version__,
                backend_detail=f"PyTorch {torch.__version__} on {device}",
                device=device,
                world_size=world,
                rank=rank,
                options=self.options,
                model_name=type(root).__name__,
                model_file=_model_file(root, self.extra_files),
            )
            self._mark = time.perf_counter()
        return self.session

    def ready(self) -> bool:
        return any(s.inputs.complete and s.inputs.usable for s in self.roots.values())

    # ---- steps ----

    def before_update(self) -> None:
        if self.first_probe_done or self.broken or not self.roots:
            return
        ready = self.ready()
        if _collective():
            flag = torch.tensor([1.0 if ready else 0.0], device=self._reduce_device())
            all_reduce(flag, torch.distributed.ReduceOp.MIN)
            ready = bool(flag.item())
        if ready:
            self.probe(self.steps)

    def after_update(self) -> None:
        if self.broken or self.session is None:
            return
        self.steps += 1
        now = time.perf_counter()
        if self.session.batch_size is None and self._samples_since_step:
            self.session.batch_size = self._samples_since_step
        # Once the global hooks are off, forward calls are no longer seen: count the first batch size.
        samples = self._samples_since_step or (self.session.batch_size or 0)
        if self._mark is not None:
            self.session.record_step(now - self._mark, samples)
        self._samples_since_step = 0
        self._mark = now
        self._take_loss()
        if self.session.reporter and self.session.progress_due():
            self._progress()
        if self.first_probe_done and self._due():
            self.probe(self.steps)

    def _due(self) -> bool:
        assert self.session is not None and self._last_probe_step is not None
        if _collective():
            return self.next_probe_step is not None and self.steps >= self.next_probe_step
        return self.session.schedule.due(self.steps - self._last_probe_step)

    # ---- losses ----

    def on_backward(self, tensor: torch.Tensor) -> None:
        if tensor.numel() == 1 and tensor.requires_grad:
            self._pending_loss.append(tensor.detach().reshape(()))

    def _take_loss(self) -> None:
        pending = self._pending_loss
        if not pending:
            self._loss_buffer.append(None)
        elif len(pending) == 1:
            self._loss_buffer.append(pending[0])
        else:  # gradient accumulation: the losses that went into this update
            self._loss_buffer.append(torch.stack([p.to(pending[0].device) for p in pending]).sum())
        self._pending_loss = []

    def _flush_losses(self) -> Optional[float]:
        """Reads the buffered losses back in one transfer; returns the latest."""
        if self.session is None or not self._loss_buffer:
            return None
        known = [t for t in self._loss_buffer if t is not None]
        values = torch.stack([t.float() for t in known]).cpu().tolist() if known else []
        it = iter(values)
        for t in self._loss_buffer:
            self.session.losses.append(next(it) if t is not None else None)
        self._loss_buffer = []
        return self.session.losses[-1]

    def _progress(self) -> None:
        assert self.session is not None
        loss = self._flush_losses() if self.session.reporter else None
        self.session.progress(self.steps, loss, None)

    # ---- probes ----

    def _reduce_device(self) -> torch.device:
        for s in self.roots.values():
            return _device_of(s.module)
        return torch.device("cpu")

    def probe(self, step: int, final: bool = False) -> None:
        if self.broken or self.session is None or self._in_probe:
            return
        states = [s for s in self.roots.values() if s.inputs.usable and (s.inputs.complete or final)]
        if not states:
            return
        self._in_probe = True
        t0 = time.perf_counter()
        try:
            layers, new_apps, warnings = self._probe_roots(states, step)
            seconds = time.perf_counter() - t0
            session = self.session
            if session.probe_size == 0:
                session.probe_size = states[0].inputs.count
            session.add_layers([layer_summary(a) for a in new_apps])
            session.record_probe(step, layers, seconds)
            for w in warnings:
                session.log_message("warn", w)
            self.first_probe_done = True
            self._last_probe_step = step
            if _collective():
                ahead = torch.tensor([float(step + session.schedule.steps_until_due())], device=self._reduce_device())
                all_reduce(ahead, torch.distributed.ReduceOp.MAX)
                self.next_probe_step = int(ahead.item())
            if session.reporter:
                self._flush_losses()
        except Exception as e:  # the probe must never break training
            self.broken = True
            message = f"the probe at step {step} failed ({type(e).__name__}: {e}); taps are off for the rest of this run"
            warn(message)
            if self.session is not None:
                self.session.error(message)
        finally:
            self._in_probe = False
            # Probe time is not training time.
            self._mark = time.perf_counter() if self._mark is not None else None

    def _probe_roots(self, states: List[RootState], step: int) -> Tuple[List[Dict[str, Any]], List[Any], List[str]]:
        assert self.session is not None
        for s in states:
            if s.prober is None:
                prefix = f"{type(s.module).__name__}." if len(self.roots) > 1 else ""
                s.prober = TorchProber(s.module, prefix, self.extra_files)
        pairs = [(s.prober, s.inputs.materialize()) for s in states if s.prober is not None]
        return run_probe(pairs, self.session.ranges, step, self.options.dormant_tau, accumulator_dtype(self._reduce_device()))

    # ---- the end ----

    def trained(self) -> bool:
        return self.steps > 0 or self.first_probe_done

    def finish(self, exit_code: Optional[int], never_trained: Optional[str] = None) -> None:
        if self.session is None:
            return
        problem = None
        if self.trained():
            if self._last_probe_step != self.steps or not self.first_probe_done:
                self.probe(self.steps, final=True)
            if self.session.reporter:
                self._flush_losses()
        else:
            problem = never_trained
        self.session.finish(exit_code, problem)


def run_probe(
    pairs: List[Tuple[TorchProber, Tuple[Tuple[Any, ...], Dict[str, Any]]]],
    ranges: Dict[str, Any],
    step: int,
    dormant_tau: float,
    acc: torch.dtype,
) -> Tuple[List[Dict[str, Any]], List[Any], List[str]]:
    """One probe of every (prober, probe set): the first pass computes every layer's statistics
    with the histogram ranges known so far; follow-up passes (first probe, a range that had to
    double, non-finite values) run only for the layers that need them. Returns the LayerProbes,
    the applications seen for the first time and any warnings."""
    known_before = {n for p, _ in pairs for n in p.apps}

    def run(request_for: Callable[[str], Optional[Request]], only: Optional[set] = None) -> List[Summary]:
        out: List[Summary] = []
        for prober, inputs in pairs:
            if only is not None and not (only & set(prober.apps)):
                continue
            out.extend(prober.run_pass(inputs, request_for, acc))
        return out

    def absorb(probe_round: ProbeRound, summaries: List[Summary]) -> None:
        for (app, request, _, _), (additive, extremes) in zip(summaries, read_back(summaries)):
            probe_round.absorb(app.name, parse_partial(additive, extremes, app, request))

    summaries = run(lambda n: Request(core=True, exact=False, range=ranges.get(n)))
    probe_round = ProbeRound([s[0] for s in summaries], ranges)
    absorb(probe_round, summaries)
    while True:
        requests = probe_round.next_requests()
        if not requests:
            break
        absorb(probe_round, run(requests.get, set(requests)))
    layers = probe_round.layer_probes(step, dormant_tau)
    new_apps = [p.apps[n] for p, _ in pairs for n in p.order if n not in known_before]
    warnings = probe_round.warnings + [w for p, _ in pairs for w in p.warnings]
    for p, _ in pairs:
        p.warnings = []
    return layers, new_apps, warnings


def read_back(summaries: List[Summary]) -> List[Tuple[List[float], List[float]]]:
    """All summaries' numbers in ONE device→host transfer, all-reduced first on a distributed run
    (SUM for counts and sums, MIN of [min, −max] for the extremes)."""
    if not summaries:
        return []
    additive = torch.cat([s[2] for s in summaries])
    extremes = torch.cat([s[3] for s in summaries])
    if _collective():
        d = torch.distributed
        sizes = torch.tensor([float(additive.numel()), -float(additive.numel())], device=additive.device)
        all_reduce(sizes, d.ReduceOp.MIN)
        if sizes[0].item() != -sizes[1].item():
            raise RuntimeError("ranks probed different layers (data-dependent control flow?)")
        all_reduce(additive, d.ReduceOp.SUM)
        pairs = extremes.reshape(-1, 2).clone()
        pairs[:, 1].neg_()
        all_reduce(pairs, d.ReduceOp.MIN)
        pairs[:, 1].neg_()
        extremes = pairs.reshape(-1)
    flat = torch.cat([additive, extremes]).cpu().tolist()
    out: List[Tuple[List[float], List[float]]] = []
    a, e = 0, additive.numel()
    for s in summaries:
        n = s[2].numel()
        out.append((flat[a : a + n], flat[e : e + 2]))
        a += n
        e += 2
    return out


def _model_file(root: nn.Module, extra_files: Sequence[str]) -> Optional[str]:
    from .source_lines import _class_code_location, _is_library_file

    location = _class_code_location(type(root))
    if location is not None and not _is_library_file(location[0]):
        return location[0]
    return extra_files[0] if extra_files else None


class _BackwardTap:
    """Wraps Tensor.backward to see the loss; one wrapper for every run in the process."""

    runs: List[TorchRun] = []
    original: Optional[Callable[..., Any]] = None

    @classmethod
    def add(cls, run: TorchRun) -> None:
        if cls.original is None:
            cls.original = torch.Tensor.backward
            original = cls.original

            def backward(self: torch.Tensor, *args: Any, **kwargs: Any) -> Any:
                for r in cls.runs:
                    try:
                        r.on_backward(self)
                    except Exception:
                        pass
                return original(self, *args, **kwargs)

            backward.__doc__ = original.__doc__
            torch.Tensor.backward = backward  # type: ignore[method-assign]
        cls.runs.append(run)

    @classmethod
    def remove(cls, run: TorchRun) -> None:
        if run in cls.runs:
            cls.runs.remove(run)
        if not cls.runs and cls.original is not None:
            torch.Tensor.backward = cls.original  # type: ignore[method-assign]
            cls.original = None


class TorchAutoAttach(AutoAttach):
    """The runner's zero-code-change attachment (see the module docstring)."""

    def __init__(self, options: Options, extra_files: Sequence[str]) -> None:
        from torch.nn.modules import module as module_hooks
        from torch.optim import optimizer as optimizer_hooks

        self.run = TorchRun(options, extra_files)
        self._local = threading.local()
        self._module_handles = [
            module_hooks.register_module_forward_pre_hook(self._on_pre),
            module_hooks.register_module_forward_hook(self._on_post, with_kwargs=True, always_call=True),
        ]
        self._step_handles = [
            optimizer_hooks.register_optimizer_step_pre_hook(self._on_step_pre),
            optimizer_hooks.register_optimizer_step_post_hook(self._on_step_post),
        ]
        _BackwardTap.add(self.run)
        self._destroy = None
        d = torch.distributed
        if d.is_available():
            original = d.destroy_process_group

            def destroy_process_group(*args: Any, **kwargs: Any) -> Any:
                # The final probe all-reduces: it has to run while the group still exists.
                self.final_probe()
                return original(*args, **kwargs)

            self._destroy = original
            d.destroy_process_group = destroy_process_group
        self.closed = False

    def _on_pre(self, module: nn.Module, _args: Any) -> None:
        if self.run._in_probe or threading.current_thread() is not threading.main_thread():
            return
        depth = getattr(self._local, "depth", 0)
        if depth == 0:
            self._local.root = module
            self._local.train = module.training and torch.is_grad_enabled()
        self._local.depth = depth + 1

    def _on_post(self, module: nn.Module, args: Any, kwargs: Any, _output: Any) -> None:
        if self.run._in_probe or threading.current_thread() is not threading.main_thread():
            return
        depth = getattr(self._local, "depth", 0) - 1
        self._local.depth = max(depth, 0)
        if depth != 0 or self._local.root is not module or not self._local.train:
            return
        try:
            self.run.root_training_call(module, tuple(args), dict(kwargs or {}))
            if self.run.first_probe_done and self.run.roots and all(s.inputs.complete for s in self.run.roots.values()):
                self._remove_module_hooks()  # every probe set is full: stop paying for per-call hooks
        except Exception as e:
            self._fail(e)

    def _on_step_pre(self, optimizer: Any, _args: Any, _kwargs: Any) -> None:
        if self.run.owner is None:
            self.run.owner = optimizer
        if optimizer is self.run.owner:
            try:
                self.run.before_update()
            except Exception as e:
                self._fail(e)

    def _on_step_post(self, optimizer: Any, _args: Any, _kwargs: Any) -> None:
        if optimizer is self.run.owner:
            try:
                self.run.after_update()
            except Exception as e:
                self._fail(e)

    def _fail(self, e: BaseException) -> None:
        if not self.run.broken:
            self.run.broken = True
            warn(f"the taps stopped ({type(e).__name__}: {e}); training continues")

    def _remove_module_hooks(self) -> None:
        for h in self._module_handles:
            h.remove()
        self._module_handles = []

    def final_probe(self) -> None:
        if self.run.trained() and self.run._last_probe_step != self.run.steps:
            self.run.probe(self.run.steps, final=True)

    def _detach(self) -> None:
        self._remove_module_hooks()
        for h in self._step_handles:
            h.remove()
        self._step_handles = []
        _BackwardTap.remove(self.run)
        if self._destroy is not None:
            torch.distributed.destroy_process_group = self._destroy
            self._destroy = None


class WatchHandle:
    """`activation_lens.watch(model, …)`: live taps on one model in a loop you write.

    Steps come from the first torch.optim optimizer that updates the model's parameters, or —
    once you call it — from `handle.step()` after each update. Close it (or use `with`) to take
    the final probe, send `live-ended` and write the report; it also closes at interpreter exit."""

    def __init__(self, model: nn.Module, probe: Any, options: Options, extra_files: Sequence[str]) -> None:
        from torch.optim import optimizer as optimizer_hooks

        message = torch_version_ok()
        if message:
            raise RuntimeError(message)
        self.model = model
        self.run = TorchRun(options, extra_files)
        root = unwrap(model)
        state = RootState(root, ProbeInputs(options.probe_size))
        if probe is not None:
            state.inputs = ProbeInputs.given(_to_device(probe, _device_of(root)), options.probe_size)
        self.run.roots[id(root)] = state
        self._params = {id(p) for p in root.parameters()}
        self._handles: List[Any] = []
        if probe is None:
            self._handles.append(model.register_forward_hook(self._on_forward, with_kwargs=True))
        self._handles += [
            optimizer_hooks.register_optimizer_step_pre_hook(self._on_step_pre),
            optimizer_hooks.register_optimizer_step_post_hook(self._on_step_post),
        ]
        _BackwardTap.add(self.run)
        self.closed = False
        atexit.register(self.close)

    def _on_forward(self, module: nn.Module, args: Any, kwargs: Any, _output: Any) -> None:
        if self.run._in_probe or not (module.training and torch.is_grad_enabled()):
            return
        state = next(iter(self.run.roots.values()))
        self.run._samples_since_step += _batch_size(tuple(args), dict(kwargs or {}))
        if not state.inputs.complete:
            state.inputs.add(tuple(args), dict(kwargs or {}))
        self.run.ensure_session(state.module)

    def _owns(self, optimizer: Any) -> bool:
        if self.run.explicit_steps:
            return False
        if self.run.owner is None:
            params = (id(p) for g in optimizer.param_groups for p in g["params"])
            if any(p in self._params for p in params):
                self.run.owner = optimizer
        return optimizer is self.run.owner

    def _on_step_pre(self, optimizer: Any, _args: Any, _kwargs: Any) -> None:
        if self._owns(optimizer):
            self._guarded(self.run.before_update)

    def _on_step_post(self, optimizer: Any, _args: Any, _kwargs: Any) -> None:
        if self._owns(optimizer):
            self._guarded(self.run.after_update)

    def _guarded(self, action: Callable[[], None]) -> None:
        try:
            self.run.ensure_session(next(iter(self.run.roots.values())).module)
            action()
        except Exception as e:
            if not self.run.broken:
                self.run.broken = True
                warn(f"the taps stopped ({type(e).__name__}: {e}); training continues")

    def step(self) -> None:
        """Call after each parameter update when no torch.optim optimizer does them."""
        self.run.explicit_steps = True
        self._guarded(self.run.after_update)
        if not self.run.first_probe_done:
            self._guarded(self.run.before_update)  # the first probe, labelled with the updates so far

    @property
    def run_id(self) -> Optional[str]:
        return self.run.session.run_id if self.run.session else None

    @property
    def report_path(self) -> Optional[str]:
        return str(self.run.session.report_path) if self.run.session else None

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            atexit.unregister(self.close)
            self.run.finish(
                None,
                "watch() saw no training step: no torch.optim optimizer updated the model and handle.step() "
                "was never called, so nothing was probed",
            )
        finally:
            for h in self._handles:
                h.remove()
            self._handles = []
            _BackwardTap.remove(self.run)

    def __enter__(self) -> "WatchHandle":
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.close()


def _to_device(probe: Any, device: torch.device) -> Any:
    if isinstance(probe, torch.Tensor):
        return probe.detach().to(device)
    if isinstance(probe, dict):
        return {k: _to_device(v, device) for k, v in probe.items()}
    if isinstance(probe, (tuple, list)):
        return type(probe)(_to_device(v, device) for v in probe)
    if hasattr(probe, "__array__"):
        return torch.as_tensor(probe).to(device)
    return probe
