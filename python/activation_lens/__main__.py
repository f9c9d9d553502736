"""Command line: `python -m activation_lens run [options] train.py [args…]`, `… check`, `… --version`.

Options come before the script; everything after the script (or after `--`) is the script's own."""
from __future__ import annotations

import json
import sys
from typing import List, Optional

from . import __version__
from .options import OptionError, options_from_env

USAGE = """usage: python -m activation_lens run [--json OUT] [--every K] [--probe N] [--dormant-tau T]
                                  [--overhead-budget B] [--] SCRIPT [ARGS...]
       python -m activation_lens check        (this Python, the package and the frameworks it has, as JSON)
       python -m activation_lens --version

Runs SCRIPT as `python SCRIPT ARGS...` would, with live taps on its PyTorch or Keras training:
dead units, dormant units, saturation and mean drift of every activation, sent to the Activation
Lens dashboard (ACTIVATION_LENS_ADDRESS/ACTIVATION_LENS_TOKEN, or ~/.activation-lens/endpoint.json)
and written as a report (--json OUT, ACTIVATION_LENS_JSON, else ~/.activation-lens/runs/). The
script's output and exit code are its own."""

FLAGS = {"--json": "json_path", "--every": "every", "--probe": "probe_size", "--dormant-tau": "dormant_tau", "--overhead-budget": "overhead_budget"}
KINDS = {"every": int, "probe_size": int, "dormant_tau": float, "overhead_budget": float, "json_path": str}


def check() -> int:
    """What the VS Code command and `activation-lens watch` ask before running a script: versions
    from package metadata, without importing the (slow) frameworks."""
    from importlib import metadata

    def version(name: str) -> Optional[str]:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return None

    info = {
        "python": sys.executable,
        "pythonVersion": ".".join(map(str, sys.version_info[:3])),
        "activationLens": __version__,
        "torch": version("torch"),
        "keras": version("keras"),
        "tensorflow": version("tensorflow") or version("tensorflow-cpu"),
        "supported": sys.version_info >= (3, 9),
    }
    print(json.dumps(info))
    return 0 if info["supported"] else 1


def main(argv: Optional[List[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0 if argv else 1
    if argv[0] == "--version":
        print(__version__)
        return 0
    if argv[0] == "check":
        return check()
    if argv[0] != "run":
        print(f"activation-lens: unknown command {argv[0]!r}\n{USAGE}", file=sys.stderr)
        return 1
    rest = argv[1:]
    given = {}
    while rest and rest[0].startswith("--"):
        flag = rest.pop(0)
        if flag == "--":
            break
        key, _, inline = flag.partition("=")
        if key not in FLAGS:
            print(f"activation-lens: unknown option {key!r} (options go before the script)\n{USAGE}", file=sys.stderr)
            return 1
        value = inline or (rest.pop(0) if rest else None)
        if value is None:
            print(f"activation-lens: {key} needs a value", file=sys.stderr)
            return 1
        field = FLAGS[key]
        try:
            given[field] = KINDS[field](value)
        except ValueError:
            print(f"activation-lens: {key} {value!r} is not a{'n integer' if KINDS[field] is int else ' number'}", file=sys.stderr)
            return 1
    if not rest:
        print(f"activation-lens: no script to run\n{USAGE}", file=sys.stderr)
        return 1
    if given.get("every") == 0:
        given["every"] = None
    try:
        options = options_from_env().with_overrides(**given)
    except OptionError as e:
        print(f"activation-lens: {e}", file=sys.stderr)
        return 1
    from .runner import run_script

    return run_script(rest[0], rest[1:], options)


if __name__ == "__main__":
    sys.exit(main())
