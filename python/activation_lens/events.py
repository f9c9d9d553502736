"""The protocol events the taps send (src/protocol.ts EngineEvent, plus the wire's own `hello` and
`live-ended`), as plain dicts, and their strict-JSON encoding (NaN and ±∞ become null, as
JSON.stringify does on the engine side)."""
from __future__ import annotations

import json
import math
import os
from typing import Any, Dict, List, Optional

PROTOCOL_VERSION = 1
REPORT_SCHEMA = "activation-lens/report@1"

#: src/protocol.ts DEFINITIONS, word for word, except the probe set: a live run's probe set is the
#: first samples the run trained on, not held-out ones (a node test keeps the rest in sync).
DEFINITIONS: Dict[str, str] = {
    "probeSet": "The first N samples the run trained on, copied once and kept fixed: the same at every probe step.",
    "dead": 'A Dense unit or conv channel whose post-activation output is ≤ 0 for every sample and every spatial position of the probe set ("fired 0 of N"). ReLU, ReLU6 and thresholded ReLU only; a unit with any NaN or ±∞ output is not counted.',
    "saturated": "ELU, CELU and SELU: a unit whose output is within 1% of the floor (−α; −λα for SELU) for every probe observation.",
    "dormant": "A unit whose mean |activation| is below τ × the layer's mean |activation| (τ = 0.025 default, Sokar et al. 2023).",
    "sparsity": "The share of output elements that are ≤ 0. Sparsity is not death.",
    "meanDrift": "The layer's mean post-activation value on the probe set, tracked from step 0.",
    "neverFires": "A unit whose largest possible pre-activation over the input range is ≤ 0 (static, before any data).",
}

#: The wire's line limit (CONTRACTS.md): the listener drops longer lines.
MAX_LINE_BYTES = 8 * 1024 * 1024


def json_safe(value: Any) -> Any:
    """NaN/±∞ → None, tuples → lists, recursively (the wire and the report are strict JSON)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def encode_line(event: Dict[str, Any]) -> bytes:
    return (json.dumps(json_safe(event), separators=(",", ":"), allow_nan=False, ensure_ascii=False) + "\n").encode(
        "utf-8"
    )


def hello(
    token: str,
    framework: Optional[str],
    framework_version: str,
    device: str,
    world_size: int,
    command: Optional[List[str]],
) -> Dict[str, Any]:
    return {
        "v": PROTOCOL_VERSION,
        "type": "hello",
        "token": token,
        "pid": os.getpid(),
        "framework": framework,
        "frameworkVersion": framework_version,
        "device": device,
        "worldSize": world_size,
        "command": command,
    }


def live_info(
    framework: Optional[str],
    framework_version: str,
    device: str,
    command: Optional[List[str]],
    exit_code: Optional[int],
    world_size: int,
) -> Dict[str, Any]:
    """src/protocol.ts LiveRunInfo."""
    return {
        "framework": framework,
        "frameworkVersion": framework_version,
        "device": device,
        "command": command,
        "exitCode": exit_code,
        "worldSize": world_size,
    }


def event(run_id: str, kind: str, **fields: Any) -> Dict[str, Any]:
    return {"v": PROTOCOL_VERSION, "runId": run_id, "type": kind, **fields}


def log_event(run_id: str, level: str, message: str) -> Dict[str, Any]:
    return event(run_id, "log", level=level, message=message)


def error_event(run_id: str, message: str, file: Optional[str] = None, line: Optional[int] = None) -> Dict[str, Any]:
    return event(run_id, "error", message=message, file=file, line=line)


def split_probe_event(probe: Dict[str, Any]) -> List[Dict[str, Any]]:
    """A probe event whose line would pass the limit, as several probe events of the same step,
    each with some of the layers in order (only models with millions of units get there; the
    listener merges them). A single layer over the limit still travels alone."""
    envelope = len(encode_line({**probe, "layers": []}))
    parts: List[List[Any]] = []
    current: List[Any] = []
    size = envelope
    for layer in probe["layers"]:
        n = len(encode_line(layer))
        if current and size + n + 1 > MAX_LINE_BYTES:
            parts.append(current)
            current, size = [], envelope
        current.append(layer)
        size += n + 1
    parts.append(current)
    return [{**probe, "layers": p} for p in parts]
