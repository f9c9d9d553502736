"""The wire to the dashboard: JSON lines over a loopback TCP socket, `hello` (with the token) first.

Sends never block the training loop: events go into a queue that a daemon thread encodes and
writes. When the queue is long (a slow or stuck listener), new `progress` and `log` events are
dropped; `run-started`, `probe`, `error` and `live-ended` never are. A socket that fails is
reported once on stderr and abandoned: training goes on and the report is still written."""
from __future__ import annotations

import collections
import socket
import sys
import threading
from typing import Any, Callable, Deque, Dict, Optional, Tuple

from .endpoint import Endpoint
from .events import MAX_LINE_BYTES, encode_line, split_probe_event

#: Droppable events (progress, log) allowed in the queue before new ones are dropped.
MAX_QUEUED_DROPPABLE = 256
CONNECT_TIMEOUT_S = 3.0
SEND_TIMEOUT_S = 10.0
DROPPABLE = frozenset({"progress", "log"})


def warn(message: str) -> None:
    """One line on stderr, prefixed so it is told apart from the script's own output."""
    try:
        sys.stderr.write(f"activation-lens: {message}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


class Sender:
    def __init__(
        self,
        endpoint: Endpoint,
        hello: Dict[str, Any],
        on_failure: Callable[[str], None] = warn,
        connect: Optional[Callable[[Tuple[str, int], float], socket.socket]] = None,
    ) -> None:
        self.endpoint = endpoint
        self._hello = hello
        self._on_failure = on_failure
        self._connect = connect or (lambda address, timeout: socket.create_connection(address, timeout=timeout))
        self._queue: Deque[Optional[Dict[str, Any]]] = collections.deque()
        self._droppable = 0
        self._lock = threading.Condition()
        self._failed = False
        self.dropped = 0
        self.sent = 0
        self._thread = threading.Thread(target=self._run, name="activation-lens-sender", daemon=True)
        self._thread.start()

    @property
    def failed(self) -> bool:
        return self._failed

    def send(self, event: Dict[str, Any]) -> None:
        with self._lock:
            if self._failed:
                return
            if event.get("type") in DROPPABLE:
                if self._droppable >= MAX_QUEUED_DROPPABLE:
                    self.dropped += 1
                    return
                self._droppable += 1
            self._queue.append(event)
            self._lock.notify()

    def close(self, timeout: float = 5.0) -> bool:
        """Flushes what is queued (up to `timeout` seconds) and closes; True if everything went."""
        with self._lock:
            self._queue.append(None)
            self._lock.notify()
        self._thread.join(timeout)
        return not self._thread.is_alive() and not self._failed

    def _next(self) -> Optional[Dict[str, Any]]:
        with self._lock:
            while not self._queue:
                self._lock.wait()
            item = self._queue.popleft()
            if item is not None and item.get("type") in DROPPABLE:
                self._droppable -= 1
            return item

    def _fail(self, what: str, error: BaseException) -> None:
        with self._lock:
            self._failed = True
            self._queue.clear()
            self._droppable = 0
        self._on_failure(
            f"the dashboard at {self.endpoint.address} ({self.endpoint.origin}) {what}: {error}; "
            "training continues and the report is still written"
        )

    def _run(self) -> None:
        try:
            sock = self._connect((self.endpoint.host, self.endpoint.port), CONNECT_TIMEOUT_S)
        except OSError as e:
            self._fail("cannot be reached", e)
            return
        try:
            sock.settimeout(SEND_TIMEOUT_S)
            sock.sendall(encode_line(self._hello))
            while True:
                item = self._next()
                if item is None:
                    break
                line = encode_line(item)
                lines = [line]
                if len(line) > MAX_LINE_BYTES and item.get("type") == "probe":
                    lines = [encode_line(part) for part in split_probe_event(item)]
                for part in lines:
                    sock.sendall(part)
                    self.sent += 1
            try:
                sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        except OSError as e:
            self._fail("stopped accepting events", e)
        finally:
            sock.close()
