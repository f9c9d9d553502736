"""DistributedDataParallel on two CPU processes (gloo, torchrun): statistics are all-reduced, so a
unit is dead only if it is dead on every rank's probe shard; only rank 0 connects and reports."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import unittest

from support import FIXTURES, PYTHON_DIR, has


def torchrun() -> str:
    candidate = os.path.join(os.path.dirname(sys.executable), "torchrun")
    return candidate if os.path.exists(candidate) else shutil.which("torchrun") or ""


@unittest.skipUnless(has("torch") and torchrun(), "torch / torchrun are not installed")
class Distributed(unittest.TestCase):
    def test_two_gloo_ranks_reduce_fire_counts_and_only_rank_0_reports(self) -> None:
        server = socket.create_server(("127.0.0.1", 0))
        server.settimeout(120)
        connections: list = []

        def serve() -> None:
            try:
                while True:
                    conn, _ = server.accept()
                    with conn:
                        data = b""
                        while chunk := conn.recv(65536):
                            data += chunk
                    connections.append([json.loads(l) for l in data.decode().splitlines()])
            except OSError:
                pass

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        with tempfile.TemporaryDirectory() as tmp:
            report_path = os.path.join(tmp, "r.json")
            env = {
                **os.environ,
                "PYTHONPATH": PYTHON_DIR,
                "HOME": tmp,
                "OMP_NUM_THREADS": "1",
                "ACTIVATION_LENS_ADDRESS": f"127.0.0.1:{server.getsockname()[1]}",
                "ACTIVATION_LENS_TOKEN": "d" * 64,
                "ACTIVATION_LENS_PROBE": "40",
            }
            run = subprocess.run(
                [torchrun(), "--nproc-per-node", "2", "--master-port", str(free_port()), "-m", "activation_lens", "run", "--every", "2", "--json", report_path, os.path.join(FIXTURES, "torch_ddp.py")],
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            self.assertEqual(run.returncode, 0, run.stderr[-3000:])
            self.assertIn("rank 0 done", run.stdout)
            self.assertIn("rank 1 done", run.stdout)
            with open(report_path) as f:
                report = json.load(f)
            self.assertEqual(sorted(os.listdir(tmp)), ["r.events.jsonl", "r.json"], "rank 1 writes nothing")
        server.close()
        thread.join(5)
        self.assertEqual(len(connections), 1, "only rank 0 connects")
        events = connections[0]
        self.assertEqual((events[0]["type"], events[0]["worldSize"]), ("hello", 2))
        self.assertEqual(report["live"]["worldSize"], 2)
        [hidden] = report["layers"]
        self.assertEqual(hidden["name"], "1")
        self.assertEqual(hidden["dead"]["units"], [5], "unit 3 fires on rank 1 only: not dead")
        probes = [e for e in events if e["type"] == "probe"]
        self.assertEqual([p["step"] for p in probes], [1, 3, 5, 6])
        last = probes[-1]["layers"][0]
        self.assertEqual(last["observationsPerUnit"], 80, "40 probe samples on each of 2 ranks")
        self.assertEqual(last["fireCount"][3], 40, "every rank-1 sample, no rank-0 sample")
        self.assertEqual(last["fireCount"][5], 0)
        self.assertEqual(last["fireCount"][0], 80)
        self.assertEqual(events[-1]["type"], "live-ended")

    def test_collectives_hand_their_tensors_back_before_the_taps_let_go(self) -> None:
        # Why rank 1 once aborted at exit under load (activation_lens/collectives.py): gloo returns
        # from all_reduce while its worker still holds the tensor. The taps' all-reduce waits.
        env = {**os.environ, "PYTHONPATH": PYTHON_DIR, "OMP_NUM_THREADS": "1"}
        run = subprocess.run(
            [torchrun(), "--nproc-per-node", "2", "--master-port", str(free_port()), os.path.join(FIXTURES, "torch_collective_release.py")],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        self.assertEqual(run.returncode, 0, run.stderr[-3000:])
        for rank in (0, 1):
            self.assertRegex(run.stdout, rf"rank {rank}: still held after return: bare \d+/300, ours 0/300")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


if __name__ == "__main__":
    unittest.main()
