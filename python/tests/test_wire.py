"""The wire: hello with the token first, events in order, progress dropped (never probes) when the
listener stalls, one message and no exception when the dashboard is unreachable; the endpoint
rules (loopback only, a 0600 endpoint file owned by the user, stale windows ignored)."""
from __future__ import annotations

import json
import os
import socket
import stat
import tempfile
import threading
import time
import unittest
from pathlib import Path

from support import FIXTURES  # noqa: F401

from activation_lens import wire
from activation_lens.endpoint import Endpoint, EndpointError, find_endpoint, from_file
from activation_lens.events import encode_line, hello, split_probe_event


class Listener:
    """A loopback listener that records every line; `hold` keeps it from reading."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.lines: list = []
        self.hold = threading.Event()
        self.stall = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.server.accept()
        if self.stall:
            self.hold.wait(30)
        buf = b""
        with conn:
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                buf += chunk
        self.lines = [json.loads(line) for line in buf.decode("utf-8").splitlines()]

    def close(self) -> None:
        self.server.close()


class Wire(unittest.TestCase):
    def test_hello_first_then_events_in_order(self) -> None:
        listener = Listener()
        endpoint = Endpoint("127.0.0.1", listener.port, "f" * 64, "test")
        sender = wire.Sender(endpoint, hello("f" * 64, "torch", "2.13", "cpu", 1, ["python", "t.py"]))
        for i in range(5):
            sender.send({"v": 1, "runId": "r", "type": "probe" if i % 2 else "progress", "step": i, "nan": float("nan")})
        self.assertTrue(sender.close())
        listener.thread.join(5)
        listener.close()
        first = listener.lines[0]
        self.assertEqual((first["type"], first["token"], first["framework"], first["pid"]), ("hello", "f" * 64, "torch", os.getpid()))
        self.assertEqual([e["step"] for e in listener.lines[1:]], [0, 1, 2, 3, 4])
        self.assertIsNone(listener.lines[1]["nan"], "NaN travels as null (strict JSON)")

    def test_a_stalled_listener_loses_progress_but_never_probes(self) -> None:
        listener = Listener()
        listener.stall = True
        endpoint = Endpoint("127.0.0.1", listener.port, "t", "test")
        sender = wire.Sender(endpoint, hello("t", "torch", "2", "cpu", 1, None))
        big = "x" * 200_000  # fills the socket buffers quickly
        for i in range(30):
            sender.send({"v": 1, "runId": "r", "type": "probe", "step": i, "pad": big})
            for _ in range(20):
                sender.send({"v": 1, "runId": "r", "type": "progress", "step": i})
        self.assertGreater(sender.dropped, 0)
        listener.hold.set()
        self.assertTrue(sender.close(timeout=60))
        listener.thread.join(30)
        listener.close()
        probes = [e["step"] for e in listener.lines if e["type"] == "probe"]
        self.assertEqual(probes, list(range(30)))

    def test_an_unreachable_dashboard_is_reported_once_and_sends_become_no_ops(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]  # closed again: nothing listens there
        messages: list = []
        sender = wire.Sender(Endpoint("127.0.0.1", port, "t", "environment"), hello("t", "keras", "3", "cpu", 1, None), messages.append)
        time.sleep(0.5)
        for i in range(10):
            sender.send({"v": 1, "runId": "r", "type": "probe", "step": i})
        self.assertFalse(sender.close())
        self.assertEqual(len(messages), 1)
        self.assertIn(f"127.0.0.1:{port}", messages[0])
        self.assertIn("training continues", messages[0])

    def test_oversized_probe_events_are_split_by_layer(self) -> None:
        layers = [{"layer": f"l{i}", "pad": "x" * 1_500_000} for i in range(8)]
        parts = split_probe_event({"v": 1, "runId": "r", "type": "probe", "step": 3, "layers": layers})
        self.assertGreater(len(parts), 1)
        self.assertEqual([l["layer"] for p in parts for l in p["layers"]], [f"l{i}" for i in range(8)])
        self.assertTrue(all(len(encode_line(p)) <= 8 * 1024 * 1024 for p in parts))


class EndpointRules(unittest.TestCase):
    def write(self, folder: str, data: dict, mode: int) -> Path:
        path = Path(folder) / "endpoint.json"
        path.write_text(json.dumps(data))
        os.chmod(path, mode)
        return path

    def test_environment_first_and_loopback_only(self) -> None:
        found = find_endpoint({"ACTIVATION_LENS_ADDRESS": "127.0.0.1:4321", "ACTIVATION_LENS_TOKEN": "abc"})
        self.assertEqual((found.host, found.port, found.token, found.origin), ("127.0.0.1", 4321, "abc", "environment"))
        with self.assertRaises(EndpointError):
            find_endpoint({"ACTIVATION_LENS_ADDRESS": "10.0.0.2:4321", "ACTIVATION_LENS_TOKEN": "abc"})
        with self.assertRaises(EndpointError):
            find_endpoint({"ACTIVATION_LENS_ADDRESS": "127.0.0.1:4321"})

    def test_the_endpoint_file_needs_mode_600_and_a_live_window(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            good = {"address": "127.0.0.1:5555", "token": "t0k", "pid": os.getpid()}
            path = self.write(folder, good, 0o600)
            self.assertEqual(from_file(path).address, "127.0.0.1:5555")
            self.assertEqual(find_endpoint({"ACTIVATION_LENS_ENDPOINT_FILE": str(path)}).token, "t0k")
            os.chmod(path, 0o644)
            with self.assertRaises(EndpointError) as refused:
                from_file(path)
            self.assertIn("mode 600", str(refused.exception))
            stale = self.write(folder, {**good, "pid": 2**22 + 12345}, 0o600)
            self.assertIsNone(from_file(stale))
            self.assertIsNone(from_file(Path(folder) / "absent.json"))
            bad = self.write(folder, {"address": "example.com:80", "token": "t", "pid": os.getpid()}, 0o600)
            with self.assertRaises(EndpointError):
                from_file(bad)
            self.assertEqual(stat.S_IMODE(os.stat(bad).st_mode), 0o600)


if __name__ == "__main__":
    unittest.main()
