"""The taps' settings: keyword arguments win over ACTIVATION_LENS_* environment variables, which win
over the defaults (the same defaults as the engine's RunConfig and the VS Code settings)."""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any, List, Mapping, Optional

DEFAULT_PROBE_SIZE = 256
DEFAULT_DORMANT_TAU = 0.025
DEFAULT_OVERHEAD_BUDGET = 0.03
DEFAULT_DEAD_THRESHOLD = 0.1


class OptionError(ValueError):
    """A setting the person gave that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class Options:
    probe_size: int = DEFAULT_PROBE_SIZE
    #: Probe every K steps; None = adaptive within `overhead_budget`.
    every: Optional[int] = None
    overhead_budget: float = DEFAULT_OVERHEAD_BUDGET
    dormant_tau: float = DEFAULT_DORMANT_TAU
    #: Where to write the report@1 JSON (the event log goes beside it); None = see report.py.
    json_path: Optional[str] = None
    #: The command that started the run (runner only).
    command: Optional[List[str]] = None

    def with_overrides(self, **kwargs: Any) -> "Options":
        given = {k: v for k, v in kwargs.items() if v is not None}
        merged = replace(self, **given)
        merged.validate()
        return merged

    def validate(self) -> None:
        if not isinstance(self.probe_size, int) or self.probe_size < 1:
            raise OptionError(f"probe size must be an integer ≥ 1, got {self.probe_size!r}")
        if self.every is not None and (not isinstance(self.every, int) or self.every < 0):
            raise OptionError(f"every must be an integer ≥ 0 (0 = adaptive), got {self.every!r}")
        if not 0 < self.overhead_budget <= 1:
            raise OptionError(f"overhead budget must be in (0, 1], got {self.overhead_budget!r}")
        if not 0 <= self.dormant_tau <= 1:
            raise OptionError(f"dormant τ must be in [0, 1], got {self.dormant_tau!r}")


def _number(env: Mapping[str, str], name: str, kind: type) -> Any:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return None
    try:
        return kind(raw)
    except ValueError:
        raise OptionError(f"{name}={raw!r} is not a{'n integer' if kind is int else ' number'}") from None


def options_from_env(env: Optional[Mapping[str, str]] = None) -> Options:
    """ACTIVATION_LENS_PROBE, _EVERY (0 = adaptive), _OVERHEAD_BUDGET, _DORMANT_TAU, _JSON."""
    env = os.environ if env is None else env
    every = _number(env, "ACTIVATION_LENS_EVERY", int)
    options = Options().with_overrides(
        probe_size=_number(env, "ACTIVATION_LENS_PROBE", int),
        every=every if every else None,
        overhead_budget=_number(env, "ACTIVATION_LENS_OVERHEAD_BUDGET", float),
        dormant_tau=_number(env, "ACTIVATION_LENS_DORMANT_TAU", float),
        json_path=env.get("ACTIVATION_LENS_JSON") or None,
    )
    return options
