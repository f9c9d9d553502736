"""What a live run leaves on disk: the report (schema activation-lens/report@1, origin "live") and
the raw event stream beside it (JSON lines, the same events the wire carried, without the hello and
its token), so `activation-lens` and VS Code can re-open the run later.

Where: the path given by `--json OUT` / ACTIVATION_LENS_JSON (events in OUT minus `.json` plus
`.events.jsonl`), else ~/.activation-lens/runs/<runId>/report.json and events.jsonl (the last
RUNS_KEPT runs are kept)."""
from __future__ import annotations

import datetime
import json
import os
import shutil
from pathlib import Path
from typing import Any, Dict, IO, List, Optional

from .events import REPORT_SCHEMA, encode_line, json_safe
from .wire import warn

RUNS_DIR = Path("~/.activation-lens/runs")
RUNS_KEPT = 20

NOTES = [
    "Findings are computed by Activation Lens (VS Code, or `activation-lens watch` / `activation-lens report` "
    "in a terminal) from these statistics: the one advisor lives there, so `findings` is empty in a report "
    "written by the Python taps.",
]


def report_paths(json_path: Optional[str], run_id: str) -> "tuple[Path, Path]":
    if json_path:
        report = Path(json_path).expanduser().resolve()
        stem = report.name[: -len(".json")] if report.name.endswith(".json") else report.name
        return report, report.with_name(stem + ".events.jsonl")
    folder = RUNS_DIR.expanduser() / run_id
    return folder / "report.json", folder / "events.jsonl"


def prune_runs(keep: int = RUNS_KEPT) -> None:
    root = RUNS_DIR.expanduser()
    try:
        runs = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return
    for old in runs[keep:]:
        shutil.rmtree(old, ignore_errors=True)


class EventLog:
    """Appends events as they happen (a crash keeps what came before); never raises."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: Optional[IO[bytes]] = None
        self._failed = False

    def write(self, event: Dict[str, Any]) -> None:
        if self._failed:
            return
        try:
            if self._file is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._file = open(self.path, "wb")
            self._file.write(encode_line(event))
            self._file.flush()
        except OSError as e:
            self._failed = True
            warn(f"cannot write the event log {self.path}: {e.strerror}")

    def close(self) -> None:
        if self._file is not None:
            try:
                self._file.close()
            except OSError:
                pass
            self._file = None


class LayerHistory:
    def __init__(self, summary: Dict[str, Any]) -> None:
        self.summary = summary
        self.last: Optional[Dict[str, Any]] = None
        self.mean_drift: List[Dict[str, Any]] = []
        self.dead_fraction: List[Dict[str, Any]] = []

    def add(self, probe: Dict[str, Any]) -> None:
        self.last = probe
        self.mean_drift.append({"step": probe["step"], "mean": probe["mean"]})
        self.dead_fraction.append({"step": probe["step"], "fraction": probe["dead"]["fraction"]})

    def layer_report(self) -> Optional[Dict[str, Any]]:
        """src/protocol.ts LayerReport."""
        p = self.last
        if p is None:
            return None
        s = self.summary
        return {
            "name": s["name"],
            "className": s["className"],
            "activation": s["activation"],
            "units": p["units"],
            "source": s["source"],
            "dead": p["dead"],
            "dormant": p["dormant"],
            "saturated": p["saturated"],
            "sparsity": p["sparsity"],
            "mean": p["mean"],
            "std": p["std"],
            "min": p["min"],
            "max": p["max"],
            "meanDrift": self.mean_drift,
            "deadFraction": self.dead_fraction,
            "histogram": p["histogram"],
            "nonFinite": p["nonFinite"],
            "neverFires": None,
        }


def now_iso() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def write_report(path: Path, report: Dict[str, Any]) -> bool:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(json_safe(report), f, indent=1, allow_nan=False, ensure_ascii=False)
            f.write("\n")
        os.replace(tmp, path)
        return True
    except OSError as e:
        warn(f"cannot write the report {path}: {e.strerror}")
        return False
