"""`python -m activation_lens run train.py [args…]`: runs the script as `python train.py args…`
would (runpy, `sys.argv`, `sys.path[0]`, its exit code), attaching to PyTorch or Keras when the
script imports them, and closing the run — final probe, `live-ended`, report — when it ends."""
from __future__ import annotations

import os
import runpy
import sys
import traceback
import types
from typing import Any, Dict, Optional

from .import_hooks import PostImportHooks
from .options import Options
from .session import LiveSession
from .wire import warn

FRAMEWORK_MODULES = {"torch": "torch", "keras": "keras", "tensorflow": "keras", "tf_keras": "keras"}


class Attachments:
    """What the runner attached to, created as the script imports the frameworks."""

    def __init__(self, options: Options, script: str) -> None:
        self.options = options
        self.script = script
        self.torch: Any = None
        self.keras: Any = None
        self.refused: Dict[str, str] = {}
        self.hooks = PostImportHooks({"torch": self._on_torch, "keras": self._on_keras})

    def _on_torch(self, _module: types.ModuleType) -> None:
        from .torch_taps import TorchAutoAttach, torch_version_ok

        message = torch_version_ok()
        if message:
            self.refused["torch"] = message
            warn(message)
            return
        self.torch = TorchAutoAttach(self.options, [self.script])

    def _on_keras(self, module: types.ModuleType) -> None:
        from .keras_fit import KerasAutoAttach, keras_version_problem

        message = keras_version_problem(module)
        if message:
            self.refused["keras"] = message
            warn(message)
            return
        self.keras = KerasAutoAttach(module, self.options, [self.script])

    def close(self, exit_code: Optional[int], missing_module: Optional[str]) -> None:
        self.hooks.uninstall()
        attached = [a for a in (self.torch, self.keras) if a is not None]
        trained = any(a.trained() for a in attached)
        script = os.path.basename(self.script)
        problem = self._never_trained(script, missing_module) if not trained else None
        for a in attached:
            a.close(exit_code, problem)
        if not trained and not any(a.started() for a in attached):
            # Nothing attached started a run: say so on the wire (hello, error, live-ended) and stderr.
            framework = "torch" if "torch" in sys.modules else "keras" if "keras" in sys.modules else None
            version = ""
            if framework is not None:
                version = str(getattr(sys.modules[framework], "__version__", ""))
            session = LiveSession(
                framework=framework,
                framework_version=version,
                backend_detail="no training seen",
                device="cpu",
                world_size=int(os.environ.get("WORLD_SIZE", "1") or 1),
                rank=int(os.environ.get("RANK", "0") or 0),
                options=self.options,
                model_name=script,
                model_file=self.script,
            )
            session.finish(exit_code, problem)

    def _never_trained(self, script: str, missing_module: Optional[str]) -> str:
        if missing_module:
            return (
                f"{script} needs the module '{missing_module}', which {sys.executable} cannot import; "
                "install it there, or run with the Python that has it"
            )
        for framework in ("torch", "keras"):
            if framework in self.refused:
                return self.refused[framework]
        if self.torch is not None:
            return (
                f"{script} finished without a training step: no torch.optim optimizer stepped, so nothing was "
                "probed (with an update rule of your own, use activation_lens.watch(model) and call "
                "handle.step() after each update)"
            )
        if self.keras is not None:
            return (
                f"{script} finished without calling Model.fit(), so nothing was probed (with a training loop of "
                "your own, add activation_lens.keras.Callback and call its on_train_batch_end yourself)"
            )
        if "tensorflow" in sys.modules:
            return (
                f"{script} imported TensorFlow but trained nothing through Keras 3 (legacy tf_keras and "
                "hand-written tf.GradientTape loops are not tapped), so there was nothing to attach to"
            )
        return f"{script} finished without importing torch or keras, so there was nothing to attach to"


def _exit_code(e: SystemExit) -> int:
    code = e.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _print_exception(e: BaseException) -> None:
    """The script's traceback, without the runner's own frames above it."""
    tb = e.__traceback__
    here = os.path.dirname(os.path.abspath(__file__))
    while tb is not None and (tb.tb_frame.f_code.co_filename.startswith(here) or tb.tb_frame.f_code.co_filename.endswith(("runpy.py", "<frozen runpy>"))):
        tb = tb.tb_next
    traceback.print_exception(type(e), e, tb)


def run_script(script: str, args: list, options: Options) -> int:
    path = os.path.abspath(script)
    if not os.path.isfile(path):
        print(f"{sys.executable}: can't open file {script!r}: no such file", file=sys.stderr)
        return 2
    options = options.with_overrides(command=[sys.executable, script, *args])
    sys.argv = [script, *args]
    sys.path[0] = os.path.dirname(path)
    attachments = Attachments(options, path)
    attachments.hooks.install()
    exit_code = 0
    missing: Optional[str] = None
    try:
        runpy.run_path(path, run_name="__main__")
    except SystemExit as e:
        exit_code = _exit_code(e)
    except KeyboardInterrupt as e:
        _print_exception(e)
        exit_code = 130
    except BaseException as e:  # the script's own failure: report it as Python would, then close the run
        if isinstance(e, ModuleNotFoundError) and (e.name or "").split(".")[0] in FRAMEWORK_MODULES:
            missing = e.name
        _print_exception(e)
        exit_code = 1
    finally:
        try:
            sys.stdout.flush()
        except (OSError, ValueError):
            pass
        try:
            attachments.close(exit_code, missing)
        except Exception as e:
            warn(f"closing the live run failed ({type(e).__name__}: {e})")
    return exit_code
