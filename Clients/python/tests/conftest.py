"""Shared fixtures: the package from this checkout, a short socket directory, and the real
daemon (infoplaned with the counting sink, or with the monitoring pipeline and its HTTP API),
skipped with a clear reason when not built."""

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
import urllib.parse
import urllib.request
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
             *self.sink_arguments(), *self.extra_args],
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

    def sink_arguments(self) -> list:
        """Where accepted snapshots go: the counting sink, its report, no HTTP."""
        return ["--sink", "counting", "--sink-report", self.report_path, "--no-http"]

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


class MonitoringDaemon(RealDaemon):
    """infoplaned with the monitoring pipeline (the real estimators and SQLite store in the
    state directory) and its HTTP API on a free loopback port (`http_address`, read from the
    log's `http listening address=` line once the daemon logs `ready`). `config` is the
    TOML configuration's text (empty: every default; the file also shields the daemon from
    /etc/infoplane/infoplaned.toml). `stop()` returns the daemon's exit status."""

    def __init__(self, binary: Path, directory: str, config: str = "", extra_args=()) -> None:
        super().__init__(binary, directory, extra_args)
        self.config_path = os.path.join(directory, "infoplaned.toml")
        Path(self.config_path).write_text(config)
        self.http_address = ""

    def sink_arguments(self) -> list:
        return ["--sink", "monitor", "--http", "127.0.0.1:0", "--config", self.config_path]

    def start(self, timeout: float = 20.0) -> None:
        super().start(timeout)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = Path(self.log_path).read_text(errors="replace")
            if "] ready" in text:
                for line in text.splitlines():
                    if "http listening" in line and "address=" in line:
                        self.http_address = line.split("address=", 1)[1].split()[0]
                        return
                break
            if self.process.poll() is not None:
                break
            time.sleep(0.02)
        self.kill()
        raise RuntimeError(f"infoplaned did not log its HTTP address within {timeout} s:\n{self.log()}")

    def get(self, path: str, **query) -> dict:
        """GET http://<http_address><path>?<query> and the decoded JSON body."""
        url = f"http://{self.http_address}{path}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.load(response)

    def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM, wait, and return the exit status."""
        if self.process is None or self.process.poll() is not None:
            raise RuntimeError(f"infoplaned is not running:\n{self.log()}")
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise RuntimeError(f"infoplaned did not exit within {timeout} s of SIGTERM:\n{self.log()}")


def require_daemon_binary() -> Path:
    """The daemon to test, or a skip saying how to build it."""
    binary = daemon_binary()
    if binary is None:
        pytest.skip(f"the real daemon is not built ({REPO_ROOT}/.build/debug/infoplaned missing): "
                    "run `swift build` first, or set INFOPLANED=/path/to/infoplaned")
    if not binary.exists():
        pytest.skip(f"INFOPLANED={binary} does not exist: build the daemon or fix the variable")
    return binary


@pytest.fixture
def start_daemon(socket_dir):
    """Factory: start_daemon(*extra_args) starts infoplaned (e.g. with "--credits", "2")."""
    binary = require_daemon_binary()
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


@pytest.fixture
def monitoring_daemon(socket_dir):
    """A fresh infoplaned with the monitoring pipeline (every default: all six estimates per
    layer, PCA to 5 dimensions) and its HTTP API; at teardown it must stop cleanly (exit
    status 0). The defaults, what a user runs, cost the integration tests nothing: their
    frames (at most 101 rows, 16 units) are all estimated before the client has closed."""
    binary = require_daemon_binary()
    d = MonitoringDaemon(binary, tempfile.mkdtemp(prefix="m", dir=socket_dir))
    try:
        d.start()
        yield d
        if d.process.poll() is None:
            assert d.stop() == 0, d.log()
    finally:
        d.kill()


@pytest.fixture
def frame_log(monkeypatch):
    """What infoplane.Monitor sent in this process (estimated.FrameLog)."""
    from estimated import FrameLog
    return FrameLog(monkeypatch)
