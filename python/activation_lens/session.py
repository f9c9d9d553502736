"""One live run, whatever the framework: the run id, the wire, the event log, the probe schedule,
the per-layer histories and the training record; it builds the events and, at the end, the report.

On a distributed run every rank has a session (they all compute and all-reduce statistics), but
only rank 0 reports: the other ranks send nothing and write nothing."""
from __future__ import annotations

import os
import secrets
import time
from typing import Any, Dict, List, Optional

from . import events as ev
from .endpoint import Endpoint, EndpointError, find_endpoint
from .histogram import HistogramRange
from .options import Options
from .report import NOTES, EventLog, LayerHistory, now_iso, prune_runs, report_paths, write_report
from .schedule import ProbeSchedule
from .wire import Sender, warn

#: Progress events at most this often (seconds): the dashboard's loss curve, not a per-step log.
PROGRESS_INTERVAL_S = 0.5


def process_start_time() -> Optional[float]:
    """The wall-clock time this process started (Linux /proc), for time-to-first-probe."""
    try:
        with open("/proc/self/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        start_ticks = int(fields[19])
        with open("/proc/uptime", "rb") as f:
            uptime = float(f.read().split()[0])
        return time.time() - uptime + start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


_PROCESS_START = process_start_time()


class LiveSession:
    def __init__(
        self,
        framework: Optional[str],
        framework_version: str,
        backend_detail: str,
        device: str,
        world_size: int,
        rank: int,
        options: Options,
        model_name: str = "model",
        model_file: Optional[str] = None,
    ) -> None:
        self.framework = framework
        self.framework_version = framework_version
        self.backend_detail = backend_detail
        self.device = device
        self.world_size = world_size
        self.rank = rank
        self.reporter = rank == 0
        self.options = options
        self.model_name = model_name
        self.model_file = model_file
        self.run_id = f"live-{os.getpid()}-{secrets.token_hex(4)}"
        self.schedule = ProbeSchedule(options.every, options.overhead_budget)
        self.ranges: Dict[str, HistogramRange] = {}
        self.histories: Dict[str, LayerHistory] = {}
        self.layer_order: List[str] = []
        self.started_event_sent = False
        self.finished = False
        self.losses: List[Optional[float]] = []
        self.accuracy: List[Optional[float]] = []
        self.val_loss: List[float] = []
        self.val_accuracy: List[float] = []
        self.val_steps: List[int] = []
        self.samples = 0
        self.probe_size = 0
        self.batch_size: Optional[int] = None
        self.probe_seconds = 0.0
        self.train_seconds = 0.0
        self.probes = 0
        self.last_probe_step: Optional[int] = None
        self.first_probe_after_start: Optional[float] = None
        self.wall_start = time.perf_counter()
        self._last_progress = 0.0
        self.sender: Optional[Sender] = None
        self.log: Optional[EventLog] = None
        self.endpoint: Optional[Endpoint] = None
        self.report_path, events_path = report_paths(options.json_path, self.run_id)
        if not self.reporter:
            return
        try:
            self.endpoint = find_endpoint()
        except EndpointError as e:
            warn(f"{e} — no dashboard for this run; the report is still written")
        if self.endpoint is not None:
            hello = ev.hello(
                self.endpoint.token, framework, framework_version, device, world_size, options.command
            )
            self.sender = Sender(self.endpoint, hello)
        if options.json_path is None:
            prune_runs()
        self.log = EventLog(events_path)

    # ---- events ----

    def emit(self, event: Dict[str, Any]) -> None:
        if not self.reporter:
            return
        if self.sender is not None:
            self.sender.send(event)
        if self.log is not None:
            self.log.write(event)

    def log_message(self, level: str, message: str) -> None:
        self.emit(ev.log_event(self.run_id, level, message))

    def error(self, message: str, file: Optional[str] = None, line: Optional[int] = None) -> None:
        self.emit(ev.error_event(self.run_id, message, file, line))

    def live_info(self, exit_code: Optional[int] = None) -> Dict[str, Any]:
        return ev.live_info(
            self.framework, self.framework_version, self.device, self.options.command, exit_code, self.world_size
        )

    def model_summary(self) -> Dict[str, Any]:
        return {
            "name": self.model_name,
            "origin": f"live-{self.framework}" if self.framework else "live",
            "file": self.model_file,
            "layers": [self.histories[n].summary for n in self.layer_order],
        }

    def add_layers(self, summaries: List[Dict[str, Any]]) -> None:
        for s in summaries:
            if s["name"] not in self.histories:
                self.histories[s["name"]] = LayerHistory(s)
                self.layer_order.append(s["name"])

    def run_started(self) -> None:
        if self.started_event_sent:
            return
        self.started_event_sent = True
        self.emit(
            ev.event(
                self.run_id,
                "run-started",
                backend=self.framework or "live",
                backendDetail=self.backend_detail,
                origin="live",
                live=self.live_info(),
                model=self.model_summary(),
                probeSize=self.probe_size,
                totalSteps=0,
                definitions=ev.DEFINITIONS,
            )
        )

    def record_probe(self, step: int, layers: List[Dict[str, Any]], seconds: float) -> None:
        self.probes += 1
        self.probe_seconds += seconds
        self.schedule.record_probe(seconds)
        self.last_probe_step = step
        for p in layers:
            h = self.histories.get(p["layer"])
            if h is not None:
                h.add(p)
        self.run_started()
        self.emit(ev.event(self.run_id, "probe", step=step, layers=layers))
        if self.first_probe_after_start is None:
            self.first_probe_after_start = time.time() - _PROCESS_START if _PROCESS_START else None
            if self.first_probe_after_start is not None:
                self.log_message("info", f"first probe {self.first_probe_after_start:.2f} s after the process started")

    def record_step(self, seconds: float, samples: int = 0) -> None:
        self.train_seconds += max(0.0, seconds)
        self.samples += samples
        self.schedule.record_step(seconds)

    def progress_due(self) -> bool:
        return time.perf_counter() - self._last_progress >= PROGRESS_INTERVAL_S

    def progress(self, step: int, loss: Optional[float], accuracy: Optional[float]) -> None:
        """A progress event; none before run-started (the dashboard starts a run from that), the
        losses of those steps are in the report's training summary."""
        self._last_progress = time.perf_counter()
        if not self.started_event_sent:
            return
        self.emit(
            ev.event(
                self.run_id,
                "progress",
                step=step,
                totalSteps=0,
                loss=loss,
                accuracy=accuracy,
                samplesPerSecond=self.samples_per_second(),
            )
        )

    def validation(self, step: int, val_loss: float, val_accuracy: Optional[float]) -> None:
        self.val_loss.append(val_loss)
        self.val_accuracy.append(val_accuracy if val_accuracy is not None else float("nan"))
        self.val_steps.append(step)
        self.emit(ev.event(self.run_id, "validation", step=step, valLoss=val_loss, valAccuracy=val_accuracy))

    def samples_per_second(self) -> float:
        return self.samples / self.train_seconds if self.train_seconds > 0 else 0.0

    # ---- the end ----

    def training_summary(self) -> Dict[str, Any]:
        """src/protocol.ts TrainingSummary; loss[i] is step i + 1's loss (null where not known)."""
        return {
            "steps": len(self.losses),
            "loss": list(self.losses),
            "accuracy": list(self.accuracy),
            "valLoss": list(self.val_loss),
            "valAccuracy": list(self.val_accuracy),
            "valSteps": list(self.val_steps),
            "samplesPerSecond": self.samples_per_second(),
            "wallSeconds": time.perf_counter() - self.wall_start,
            "probeSeconds": self.probe_seconds,
        }

    def report(self, exit_code: Optional[int]) -> Dict[str, Any]:
        layers = [r for r in (self.histories[n].layer_report() for n in self.layer_order) if r is not None]
        return {
            "schema": ev.REPORT_SCHEMA,
            "createdAt": now_iso(),
            "backend": self.framework or "live",
            "backendDetail": self.backend_detail,
            "origin": "live",
            "live": self.live_info(exit_code),
            "model": self.model_summary(),
            "data": {"name": "live", "train": self.samples, "probe": self.probe_size, "validation": 0},
            "config": {
                "file": self.model_file,
                "example": None,
                "data": "live",
                "steps": None,
                "epochs": None,
                "batch": self.batch_size,
                "probe": self.options.probe_size,
                "every": self.options.every,
                "overheadBudget": self.options.overhead_budget,
                "backend": "auto",
                "seed": None,
                "learningRate": None,
                "deadThreshold": 0.1,
                "dormantTau": self.options.dormant_tau,
                "whatIf": None,
                "whatIfLayers": None,
                "eluAlpha": 1,
            },
            "layers": layers,
            "findings": [],
            "training": self.training_summary(),
            "cancelled": False,
            "notes": NOTES,
        }

    def finish(self, exit_code: Optional[int], problem: Optional[str] = None) -> None:
        """Sends live-ended, writes the report and closes the wire. `problem`: why nothing was
        measured (a script that never trained), sent as an error event and printed once."""
        if self.finished:
            return
        self.finished = True
        if not self.reporter:
            return
        if problem:
            warn(problem)
            self.error(problem)
        self.emit(ev.event(self.run_id, "live-ended", exitCode=exit_code, training=self.training_summary()))
        if self.log is not None:
            self.log.close()
        connected = self.sender is not None and self.sender.close() and not self.sender.failed
        wrote = write_report(self.report_path, self.report(exit_code))
        if wrote and (not connected or self.options.json_path):
            warn(f"{self.probes} probe(s) of {len(self.layer_order)} layer(s); report: {self.report_path}")
