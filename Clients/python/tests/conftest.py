"""Shared fixtures: the package from this checkout, a short socket directory, and the real
daemon (infoplaned with the counting sink), skipped with a clear reason when not built."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parents[1]
REPO_ROOT = PACKAGE_ROOT.parents[1]
sys.path.insert(0, str(PACKAGE_ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def daemon_binary() -> Optional[Path]:
    """$INFOPLANED, else the debug then the release build of this checkout."""
    if os.environ.get("INFOPLANED"):
        return Path(os.environ["INFOPLANED"])
    for candidate in (REPO_ROOT / ".build" / "debug" / "infoplaned", REPO_ROOT / ".build" / "release" / "infoplaned"):
        if candidate.exists():
            return candidate
    return None


@pytest.fixture
def socket_dir():
    """A short directory for Unix sockets (their paths are limited to 107 bytes)."""
    path = tempfile.mkdtemp(prefix="ipt-", dir="/tmp")
    yield path
    shutil.rmtree(path, ignore_errors=True)


class RealDaemon:
    """infoplaned on a private Unix socket with the counting sink. `stop()` sends SIGTERM and
    returns the sink's JSON report; `start()` may be called again (same socket) to restart."""

    def __init__(self, binary: Path, directory: str, extra_args=()) -> None:
        self.binary = binary
        self.extra_args = list(extra_args)
        self.directory = directory
        self.socket_path = os.path.join(directory, "d.sock")
        self.process: Optional[subprocess.Popen] = None
        self.generation = 0
        self.report_path = ""
        self.log_path = ""

    def start(self, timeout: float = 20.0) -> None:
        self.generation += 1
        state = os.path.join(self.directory, f"state{self.generation}")
        os.makedirs(state, exist_ok=True)
        self.report_path = os.path.join(self.directory, f"report{self.generation}.json")
        self.log_path = os.path.join(self.directory, f"daemon{self.generation}.log")
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [str(self.binary), "--socket", self.socket_path, *([] if "--tcp" in self.extra_args else ["--no-tcp"]), "--state-dir", state,
             "--sink", "counting", "--sink-report", self.report_path, "--no-http", *self.extra_args],
            stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"infoplaned exited with {self.process.returncode} at start:\n{self.log()}")
            if os.path.exists(self.socket_path):
                probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    probe.connect(self.socket_path)
                    return
                except OSError:
                    pass
                finally:
                    probe.close()
            time.sleep(0.02)
        self.kill()
        raise RuntimeError(f"infoplaned did not listen on {self.socket_path} within {timeout} s:\n{self.log()}")

    def log(self) -> str:
        try:
            return Path(self.log_path).read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def stop(self, timeout: float = 15.0) -> dict:
        """SIGTERM, wait, and return the counting sink's report."""
        if self.process is None or self.process.poll() is not None:
            raise RuntimeError(f"infoplaned is not running:\n{self.log()}")
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise RuntimeError(f"infoplaned did not exit within {timeout} s of SIGTERM:\n{self.log()}")
        try:
            with open(self.report_path) as f:
                return json.load(f)
        except (OSError, ValueError) as exc:
            raise RuntimeError(f"no readable sink report at {self.report_path} ({exc}):\n{self.log()}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=5)


@pytest.fixture
def start_daemon(socket_dir):
    """Factory: start_daemon(*extra_args) starts infoplaned (e.g. with "--credits", "2")."""
    binary = daemon_binary()
    if binary is None:
        pytest.skip(f"the real daemon is not built ({REPO_ROOT}/.build/debug/infoplaned missing): "
                    "run `swift build` first, or set INFOPLANED=/path/to/infoplaned")
    if not binary.exists():
        pytest.skip(f"INFOPLANED={binary} does not exist: build the daemon or fix the variable")
    started = []

    def start(*extra_args):
        d = RealDaemon(binary, tempfile.mkdtemp(prefix="d", dir=socket_dir), extra_args)
        started.append(d)
        d.start()
        return d

    yield start
    for d in started:
        d.kill()


@pytest.fixture
def daemon(start_daemon):
    """infoplaned with its default settings and the counting sink."""
    return start_daemon()
