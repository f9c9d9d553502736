"""Where the dashboard listens: ACTIVATION_LENS_ADDRESS + ACTIVATION_LENS_TOKEN from the environment
(VS Code's integrated terminals, `activation-lens watch`), else the per-user endpoint file
~/.activation-lens/endpoint.json `{address, token, pid}` written by the running VS Code window —
trusted only if it is a regular file owned by this user that nobody else can read or write, and
its window is still running. Only loopback addresses are accepted: the token must never leave
the machine."""
from __future__ import annotations

import json
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional, Tuple

ENDPOINT_FILE = Path("~/.activation-lens/endpoint.json")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int
    token: str
    #: Where it came from, for messages: "environment" or the file's path.
    origin: str

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


class EndpointError(ValueError):
    """An endpoint was given but cannot be used; the message says what and what to do."""


def parse_address(address: str, origin: str) -> Tuple[str, int]:
    host, sep, port_text = address.strip().rpartition(":")
    if not sep or not port_text.isdigit():
        raise EndpointError(f"{origin}: address {address!r} is not HOST:PORT (expected 127.0.0.1:PORT)")
    port = int(port_text)
    if not 0 < port < 65536:
        raise EndpointError(f"{origin}: port {port} is out of range")
    if host not in LOOPBACK_HOSTS:
        raise EndpointError(
            f"{origin}: address {address!r} is not a loopback address; the taps only connect to 127.0.0.1"
        )
    return host.strip("[]"), port


def _check_token(token: object, origin: str) -> str:
    if not isinstance(token, str) or not token or len(token) > 1024 or not token.isprintable():
        raise EndpointError(f"{origin}: the token is missing or malformed")
    return token


def from_environment(env: Mapping[str, str]) -> Optional[Endpoint]:
    address = env.get("ACTIVATION_LENS_ADDRESS")
    if not address:
        return None
    host, port = parse_address(address, "ACTIVATION_LENS_ADDRESS")
    token = _check_token(env.get("ACTIVATION_LENS_TOKEN"), "ACTIVATION_LENS_TOKEN")
    return Endpoint(host, port, token, "environment")


def _pid_alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return sys.platform == "win32"
    return True


def from_file(path: Path) -> Optional[Endpoint]:
    """The endpoint file, if present and trustworthy; None when absent or stale."""
    path = path.expanduser()
    try:
        fd = os.open(str(path), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return None
    except OSError as e:
        raise EndpointError(f"{path}: cannot be opened ({e.strerror}); remove it or restart VS Code") from None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise EndpointError(f"{path}: is not a regular file; remove it")
        if hasattr(os, "getuid"):
            if info.st_uid != os.getuid():
                raise EndpointError(f"{path}: is owned by another user; remove it")
            if info.st_mode & 0o077:
                raise EndpointError(
                    f"{path}: other users can read or write it (mode {stat.S_IMODE(info.st_mode):o}); "
                    "the taps only trust a file with mode 600 — remove it and restart VS Code"
                )
        raw = f.read(64 * 1024)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise EndpointError(f"{path}: is not valid JSON; remove it or restart VS Code") from None
    if not isinstance(data, dict) or not isinstance(data.get("address"), str):
        raise EndpointError(f"{path}: has no address; remove it or restart VS Code")
    if not _pid_alive(data.get("pid")):
        return None  # the window that wrote it has gone: not an error, just no dashboard
    host, port = parse_address(data["address"], str(path))
    return Endpoint(host, port, _check_token(data.get("token"), str(path)), str(path))


def find_endpoint(env: Optional[Mapping[str, str]] = None, path: Path = ENDPOINT_FILE) -> Optional[Endpoint]:
    """The environment's endpoint, else the endpoint file's, else None (no dashboard)."""
    env = os.environ if env is None else env
    found = from_environment(env)
    if found is not None:
        return found
    override = env.get("ACTIVATION_LENS_ENDPOINT_FILE")
    return from_file(Path(override) if override else path)
