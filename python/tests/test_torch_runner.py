"""`python -m activation_lens run` on PyTorch scripts: every activation tapped and mapped to its
line, identical losses with and without taps, the script's exit code and output kept, and one
clear message when there is nothing to probe."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import unittest

from support import FIXTURES, has, read_events, run_live


def line_of(source: dict) -> str:
    with open(source["file"], encoding="utf-8") as f:
        return f.read().splitlines()[source["line"] - 1]


@unittest.skipUnless(has("torch"), "torch is not installed")
class TorchRunner(unittest.TestCase):
    bare_losses: list = []
    bare_stdout = ""

    @classmethod
    def setUpClass(cls) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            losses = os.path.join(tmp, "bare.json")
            bare = subprocess.run(
                [sys.executable, os.path.join(FIXTURES, "torch_resnet.py"), "30"],
                env={**os.environ, "LIVE_TEST_LOSSES": losses},
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert bare.returncode == 0, bare.stderr
            with open(losses) as f:
                cls.bare_losses = json.load(f)
            cls.bare_stdout = bare.stdout

    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.env = {"HOME": self.tmp.name}

    def tearDown(self) -> None:
        self.tmp.cleanup()

    def path(self, name: str) -> str:
        return os.path.join(self.tmp.name, name)

    def test_resnet_every_activation_is_tapped_mapped_and_losses_are_identical(self) -> None:
        script = os.path.join(FIXTURES, "torch_resnet.py")
        taps = run_live(["run", "--json", self.path("r.json"), "--every", "1", script, "30"], {**self.env, "LIVE_TEST_LOSSES": self.path("taps.json")})
        self.assertEqual(taps.returncode, 0, taps.stderr)
        self.assertEqual(taps.stdout, self.bare_stdout, "the script's own output is unchanged")
        bare_losses = self.bare_losses
        with open(self.path("taps.json")) as b:
            tap_losses = json.load(b)
        self.assertEqual(len(bare_losses), 30)
        self.assertEqual(tap_losses, bare_losses, "a probe after every step changes no loss")
        with open(self.path("r.json")) as f:
            report = json.load(f)
        expected = {
            "SmallResNet.forward:50:relu": "F.relu(",
            "layer1.0.relu": "nn.ReLU(inplace=True)",
            "layer1.0.relu/2": "nn.ReLU(inplace=True)",
            "layer1.1.relu": "nn.ReLU(inplace=True)",
            "layer1.1.relu/2": "nn.ReLU(inplace=True)",
            "head.1": "nn.GELU()",
            "SmallResNet.forward:53:relu": ".relu()",
        }
        layers = {l["name"]: l for l in report["model"]["layers"]}
        self.assertEqual(sorted(layers), sorted(expected))
        for name, text in expected.items():
            source = layers[name]["source"]
            self.assertEqual(source["file"], script)
            self.assertIn(text, line_of(source), name)
        self.assertEqual(line_of(layers["head.1"]["source"])[layers["head.1"]["source"]["column"] - 1 :], "nn.GELU(),")
        self.assertEqual({l["units"] for n, l in layers.items() if "relu" in n and "53" not in n}, {8})
        self.assertEqual(layers["head.1"]["units"], 32)
        self.assertEqual(report["origin"], "live")
        self.assertEqual(report["live"]["framework"], "torch")
        self.assertEqual(report["live"]["exitCode"], 0)
        self.assertEqual(report["training"]["loss"], bare_losses)
        self.assertEqual(report["findings"], [])
        self.assertTrue(report["notes"])
        steps = [p["step"] for p in report["layers"][0]["meanDrift"]]
        self.assertEqual(steps, list(range(3, 31)), "first probe when 256 samples were seen, then every step")

    def test_adaptive_schedule_also_leaves_losses_identical(self) -> None:
        script = os.path.join(FIXTURES, "torch_resnet.py")
        taps = run_live(["run", "--json", self.path("r.json"), script, "30"], {**self.env, "LIVE_TEST_LOSSES": self.path("taps.json")})
        self.assertEqual(taps.returncode, 0, taps.stderr)
        with open(self.path("taps.json")) as b:
            self.assertEqual(json.load(b), self.bare_losses)
        events = read_events(self.path("r.events.jsonl"))
        probe_steps = [e["step"] for e in events if e["type"] == "probe"]
        self.assertEqual(probe_steps[0], 3)
        self.assertEqual(probe_steps[-1], 30, "the end of the run always probes")

    def test_exit_codes_and_failures_are_the_scripts_own_and_a_dead_socket_breaks_nothing(self) -> None:
        script = os.path.join(FIXTURES, "torch_exit.py")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]  # closed again: nothing listens there
        unreachable = {**self.env, "ACTIVATION_LENS_ADDRESS": f"127.0.0.1:{port}", "ACTIVATION_LENS_TOKEN": "0" * 64}
        r = run_live(["run", "--json", self.path("a.json"), script, "exit", "3"], unreachable)
        self.assertEqual(r.returncode, 3)
        self.assertEqual(r.stdout, "trained\n")
        self.assertEqual(r.stderr.count("cannot be reached"), 1, r.stderr)
        ended = read_events(self.path("a.events.jsonl"))[-1]
        self.assertEqual((ended["type"], ended["exitCode"], ended["training"]["steps"]), ("live-ended", 3, 3))
        r = run_live(["run", script, "raise"], self.env)
        self.assertEqual(r.returncode, 1)
        self.assertIn("RuntimeError: the script failed after training", r.stderr)
        self.assertNotIn("runpy", r.stderr)
        self.assertNotIn("activation_lens/runner.py", r.stderr)
        runs = os.path.join(self.tmp.name, ".activation-lens", "runs")
        [run] = os.listdir(runs)  # no --json and no dashboard: the report goes to the runs folder
        with open(os.path.join(runs, run, "report.json")) as f:
            report = json.load(f)
        self.assertEqual(report["live"]["exitCode"], 1)
        self.assertEqual(len(report["layers"]), 1)
        self.assertEqual(report["training"]["steps"], 3)

    def test_a_script_that_never_trains_says_so_once(self) -> None:
        r = run_live(["run", "--json", self.path("n.json"), os.path.join(FIXTURES, "torch_never_trains.py")], self.env)
        self.assertEqual(r.returncode, 0)
        lines = [l for l in r.stderr.splitlines() if l.startswith("activation-lens:")]
        self.assertEqual(len(lines), 2, r.stderr)  # the problem, then where the report is
        self.assertIn("finished without a training step", lines[0])
        events = read_events(self.path("n.events.jsonl"))
        self.assertEqual([e["type"] for e in events], ["error", "live-ended"])
        self.assertIn("watch(model)", events[0]["message"])

    def test_a_missing_framework_is_named(self) -> None:
        r = run_live(["run", "--json", self.path("m.json"), os.path.join(FIXTURES, "missing_framework.py")], self.env)
        self.assertEqual(r.returncode, 1)
        self.assertIn("needs the module 'torch'", r.stderr)
        self.assertIn(sys.executable, r.stderr)


if __name__ == "__main__":
    unittest.main()
