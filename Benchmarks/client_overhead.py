#!/usr/bin/env python3
"""Overhead of the Python client on a real training job: the numpy Shwartz-Ziv & Tishby demo
(Clients/python/examples/szt_demo.py) with and without the monitor attached.

  python3 Benchmarks/client_overhead.py                     # 1000 epochs, 3 pairs of runs
  python3 Benchmarks/client_overhead.py --epochs 8000 --repeats 5 --skip-variants
  python3 Benchmarks/client_overhead.py --epochs 2000 --repeats 5 --sink monitor
  python3 Benchmarks/client_overhead.py --sink null     # an ack-only stand-in: the client's own cost

1. Overhead: starts infoplaned on a private socket, then runs the demo alternately with
   --no-monitor and with the monitor (default cadence: every epoch's train/held-out scalars,
   a 4096-pattern probe frame of inputs, labels, 5 hidden layers and the output at the
   log-spaced epochs plus every 250). Prints steps/s (wall clock over the training loop) and
   steps per CPU-second (all threads of the training process) of every run with the load
   average during it, each pair's ratio (with / without) and the median of those ratios.
   Goal: <= 5 % slower. Use >= 5 pairs (--repeats) on a quiet machine (load < 1.2).
2. Daemon absent: the demo pointed at a socket nobody listens on: steps/s and drops.
3. Daemon stopped mid-run: SIGTERM to the daemon when half the epochs are done; the
   demo's per-interval steps/s before and after, and the client's final counters.

Ends with one line `RESULT {json}`. Numpy is pinned to one BLAS thread in every run so that
both variants compete for the cores the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import List, Optional

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "Clients" / "python" / "examples" / "szt_demo.py"
PROGRESS = re.compile(r"^epoch\s+(\d+)/\d+ .*?([\d.]+) steps/s \((\d+) per CPU-s\)")


def find_daemon(explicit: Optional[str]) -> Path:
    candidates = [Path(explicit)] if explicit else [ROOT / ".build" / "release" / "infoplaned", ROOT / ".build" / "debug" / "infoplaned"]
    for candidate in candidates:
        if candidate.exists():
            return candidate
    sys.exit(f"infoplaned not found ({', '.join(map(str, candidates))}): build it with `swift build` or pass --daemon PATH")


class Daemon:
    def __init__(self, binary: Path, directory: str, sink: str, name: str) -> None:
        self.socket = os.path.join(directory, f"{name}.sock")
        state = os.path.join(directory, f"{name}-state")
        os.makedirs(state, exist_ok=True)
        self.report = os.path.join(directory, f"{name}-report.json")
        if sink == "null":
            # Not infoplaned: a few lines of Python that only acknowledge (see serve_null), to
            # tell the client's own cost from the daemon's.
            args = [sys.executable, str(Path(__file__).resolve()), "--serve-null", self.socket]
        else:
            args = [str(binary), "--socket", self.socket, "--no-tcp", "--no-http", "--state-dir", state, "--sink", sink]
        if sink == "counting":
            args += ["--sink-report", self.report]
        self.log = open(os.path.join(directory, f"{name}.log"), "wb")
        self.process = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while not os.path.exists(self.socket):
            if self.process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"infoplaned did not start; see {self.log.name}")
            time.sleep(0.02)

    def cpu_seconds(self) -> float:
        """User + system CPU time the daemon has used so far (Linux /proc)."""
        try:
            with open(f"/proc/{self.process.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return float("nan")

    def stop(self) -> Optional[dict]:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        try:
            with open(self.report) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None


def demo_command(args, extra: List[str]) -> List[str]:
    command = [sys.executable, "-u", str(DEMO), "--epochs", str(args.epochs), "--seed", str(args.seed), "--result-json"]
    if args.every:
        command += ["--every", str(args.every)]
    return command + extra


def demo_environment() -> dict:
    env = dict(os.environ)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    return env


def run_demo(args, extra: List[str]) -> dict:
    completed = subprocess.run(demo_command(args, extra + ["--quiet"]), capture_output=True, text=True, env=demo_environment())
    if completed.returncode != 0:
        sys.exit(f"the demo failed:\n{completed.stdout}\n{completed.stderr}")
    for line in completed.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    sys.exit(f"the demo printed no RESULT line:\n{completed.stdout}")


def load_average() -> float:
    return os.getloadavg()[0]


def overhead(args, binary: Path, directory: str) -> dict:
    """`args.repeats` pairs of runs, each pair one run without and one with the monitor, in
    alternating order (without-with, with-without, ...) so that a drift of the machine's speed
    (another build, thermal state) affects both variants alike. Each pair gives a ratio
    (with / without); the figure reported is the median of those per-pair ratios."""
    daemon = Daemon(binary, directory, args.sink, "overhead")
    runs = {"without": [], "with": []}
    pairs = []
    try:
        for repeat in range(args.repeats):
            order = ("without", "with") if repeat % 2 == 0 else ("with", "without")
            pair = {}
            for variant in order:
                extra = ["--no-monitor"] if variant == "without" else ["--address", daemon.socket, "--run", f"overhead-{repeat}"]
                daemon_cpu = daemon.cpu_seconds()
                load_before = load_average()
                result = run_demo(args, extra)
                result["daemon_cpu_seconds"] = daemon.cpu_seconds() - daemon_cpu
                result["load_average"] = (load_before + load_average()) / 2
                runs[variant].append(result)
                pair[variant] = result
                stats = result.get("stats", {})
                detail = f"  sent {stats.get('sent')} acked {stats.get('acked')} dropped {stats.get('dropped')} errors {stats.get('errors')}" if stats else ""
                print(f"  pair {repeat + 1} {variant:>7} monitor: {result['steps_per_second']:8.1f} steps/s  "
                      f"{result['steps_per_cpu_second']:8.1f} steps/CPU-s  daemon CPU {result['daemon_cpu_seconds']:5.2f} s "
                      f"of {result['train_seconds']:5.1f} s  load {result['load_average']:.2f}{detail}", flush=True)
            ratio = pair["with"]["steps_per_second"] / pair["without"]["steps_per_second"]
            cpu_ratio = pair["with"]["steps_per_cpu_second"] / pair["without"]["steps_per_cpu_second"]
            pairs.append({"ratio": ratio, "cpu_ratio": cpu_ratio,
                          "load_average": max(pair["with"]["load_average"], pair["without"]["load_average"])})
            print(f"  pair {repeat + 1}: ratio {ratio:.3f} ({(1 - ratio) * 100:+.1f} % slower), per CPU-s {cpu_ratio:.3f}", flush=True)
    finally:
        report = daemon.stop()
    median = {v: statistics.median(r["steps_per_second"] for r in runs[v]) for v in runs}
    median_cpu = {v: statistics.median(r["steps_per_cpu_second"] for r in runs[v]) for v in runs}
    ratio = statistics.median(p["ratio"] for p in pairs)
    ratio_cpu = statistics.median(p["cpu_ratio"] for p in pairs)
    received = None
    if report is not None:
        received = {"snapshot_chunks": sum(t["chunks"] for t in report["tallies"]), "scalars": len(report["scalars"])}
    return {"median_steps_per_second": median, "median_steps_per_cpu_second": median_cpu,
            "ratio": ratio, "slowdown_percent": (1 - ratio) * 100, "cpu_ratio": ratio_cpu,
            "cpu_slowdown_percent": (1 - ratio_cpu) * 100, "goal_met": ratio >= 0.95, "cpu_goal_met": ratio_cpu >= 0.95,
            "pair_ratios": [p["ratio"] for p in pairs], "pair_cpu_ratios": [p["cpu_ratio"] for p in pairs],
            "pair_load_averages": [p["load_average"] for p in pairs],
            "runs": {v: [r["steps_per_second"] for r in runs[v]] for v in runs},
            "monitored_stats": [r.get("stats") for r in runs["with"]], "daemon_received": received,
            "daemon_cpu_seconds_per_monitored_run": statistics.median(r["daemon_cpu_seconds"] for r in runs["with"]),
            "train_seconds_per_monitored_run": statistics.median(r["train_seconds"] for r in runs["with"])}


def absent(args, directory: str) -> dict:
    result = run_demo(args, ["--address", os.path.join(directory, "nobody-listens.sock")])
    return {"steps_per_second": result["steps_per_second"], "steps_per_cpu_second": result["steps_per_cpu_second"],
            "stats": result["stats"]}


def stopped_mid_run(args, binary: Path, directory: str) -> dict:
    daemon = Daemon(binary, directory, args.sink, "midrun")
    progress = max(1, args.epochs // 10)
    command = demo_command(args, ["--address", daemon.socket, "--run", "midrun", "--progress", str(progress)])
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=demo_environment())
    before, after, result, stopped_at = [], [], None, None
    for line in process.stdout:
        match = PROGRESS.match(line)
        if match:
            epoch, rate, cpu_rate = int(match.group(1)), float(match.group(2)), float(match.group(3))
            (after if stopped_at is not None else before).append((rate, cpu_rate))
            if stopped_at is None and epoch >= args.epochs // 2:
                daemon.stop()
                stopped_at = epoch
                print(f"  daemon stopped (SIGTERM) after epoch {epoch}", flush=True)
        if line.startswith("RESULT "):
            result = json.loads(line[len("RESULT "):])
    process.wait()
    if result is None or process.returncode != 0:
        sys.exit("the demo did not finish after the daemon was stopped")
    # The first interval includes the start-up probe frames; compare like with like.
    before = before[1:] or before
    return {"stopped_after_epoch": stopped_at, "epochs": args.epochs,
            "steps_per_second_before": statistics.median(r for r, _ in before),
            "steps_per_second_after": statistics.median(r for r, _ in after),
            "steps_per_cpu_second_before": statistics.median(c for _, c in before),
            "steps_per_cpu_second_after": statistics.median(c for _, c in after),
            "stats": result["stats"], "finished": True}


def serve_null(path: str) -> None:
    """A stand-in for the daemon that only acknowledges: Hello gets a Welcome (16 credits),
    every Snapshot/Scalars/Goodbye an Ack, read and answered in batches. Its CPU use is a
    small fraction of infoplaned's, so `--sink null` measures what the client itself costs."""
    import socket
    import threading
    sys.path.insert(0, str(ROOT / "Clients" / "python"))
    from infoplane._framing import FrameReader, encode_varint
    from infoplane._proto.infoplane.v1 import infoplane_pb2 as pb

    def varint(buffer, i):
        value = shift = 0
        while True:
            byte = buffer[i]
            i += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return value, i

    def serve(conn):
        frames = FrameReader(conn)
        hello = pb.ClientMessage.FromString(frames.read())
        welcome = pb.ServerMessage(welcome=pb.Welcome(
            protocol_version=1, session_id=1, run_id=hello.hello.run_name, run_name=hello.hello.run_name,
            max_message_bytes=64 << 20, credits=16, heartbeat_interval_ms=5000, idle_timeout_ms=30000,
            server_version="null")).SerializeToString()
        conn.sendall(encode_varint(len(welcome)) + welcome)
        buffer = bytearray(frames._buffer)
        while True:
            data = conn.recv(1 << 20)
            if not data:
                return
            buffer += data
            i, acks = 0, []
            while i < len(buffer):
                try:
                    length, start = varint(buffer, i)
                    if start + length > len(buffer):
                        break
                    sequence, field = varint(buffer, start + 1)
                except IndexError:
                    break
                kind = buffer[field] >> 3
                if kind in (11, 12, 14):
                    ack = pb.ServerMessage(ack=pb.Ack(sequence=sequence, credits=0 if kind == 14 else 1)).SerializeToString()
                    acks.append(encode_varint(len(ack)) + ack)
                i = start + length
            del buffer[:i]
            if acks:
                conn.sendall(b"".join(acks))

    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(16)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--serve-null":
        serve_null(sys.argv[2])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=1000, help="epochs per demo run (default 1000, 13 steps each)")
    parser.add_argument("--repeats", type=int, default=3, help="pairs of runs (with, without; alternating order) for the median ratio (default 3; use >= 5)")
    parser.add_argument("--every", type=int, default=0, help="probe frame every K epochs (default: the demo's log-spaced cadence)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sink", default="counting", help="daemon sink: counting (default) or monitor (estimation pipeline); "
                        "null: no daemon, a stand-in that only acknowledges (the client's own cost)")
    parser.add_argument("--daemon", help="path of infoplaned (default .build/release, then .build/debug)")
    parser.add_argument("--skip-variants", action="store_true", help="only the with/without comparison")
    args = parser.parse_args()

    binary = find_daemon(args.daemon) if args.sink != "null" else Path("(python ack-only stand-in)")
    directory = tempfile.mkdtemp(prefix="ipbench-", dir="/tmp")
    try:
        print(f"client overhead: szt demo, {args.epochs} epochs, {args.repeats} pairs, daemon {binary} (sink {args.sink})", flush=True)
        results = {"benchmark": "client_overhead", "epochs": args.epochs, "repeats": args.repeats, "sink": args.sink,
                   "daemon": str(binary), "cpus": os.cpu_count()}
        results["overhead"] = o = overhead(args, binary, directory)
        print(f"median: without monitor {o['median_steps_per_second']['without']:.1f} steps/s, "
              f"with monitor {o['median_steps_per_second']['with']:.1f} steps/s")
        print(f"per-pair ratios (with / without): {' '.join(f'{r:.3f}' for r in o['pair_ratios'])}; "
              f"load averages {' '.join(f'{l:.2f}' for l in o['pair_load_averages'])}")
        print(f"median per-pair ratio {o['ratio']:.3f} ({o['slowdown_percent']:+.1f} % slower; goal <= 5 %: "
              f"{'met' if o['goal_met'] else 'NOT met'})")
        print(f"per CPU-second: without {o['median_steps_per_cpu_second']['without']:.1f}, with {o['median_steps_per_cpu_second']['with']:.1f}: "
              f"median per-pair ratio {o['cpu_ratio']:.3f} ({o['cpu_slowdown_percent']:+.1f} % more CPU per step; goal <= 5 %: "
              f"{'met' if o['cpu_goal_met'] else 'NOT met'})")
        load = load_average()
        results["load_average"] = load
        if load > (os.cpu_count() or 1):
            print(f"warning: load average {load:.1f} on {os.cpu_count()} CPUs: the training process gets a varying share of a "
                  "CPU, so the wall-clock figures above are dominated by scheduling; steps per CPU-second (all threads "
                  "of the training process, the client's included) is the figure to trust")
        print(f"the daemon used {o['daemon_cpu_seconds_per_monitored_run']:.2f} CPU-s per monitored run of "
              f"{o['train_seconds_per_monitored_run']:.1f} s on {os.cpu_count()} CPUs (it competes with training for cores)")
        if o["daemon_received"]:
            print(f"daemon received {o['daemon_received']['snapshot_chunks']} snapshot chunks and {o['daemon_received']['scalars']} scalar records")
        if not args.skip_variants:
            results["absent"] = a = absent(args, directory)
            print(f"daemon absent: {a['steps_per_second']:.1f} steps/s ({a['steps_per_second'] / o['median_steps_per_second']['without']:.3f} of unmonitored), "
                  f"{a['steps_per_cpu_second']:.0f} per CPU-s ({a['steps_per_cpu_second'] / o['median_steps_per_cpu_second']['without']:.3f}); "
                  f"sent {a['stats']['sent']}, dropped {a['stats']['dropped']} messages ({a['stats']['dropped_records']} records)")
            results["stopped_mid_run"] = m = stopped_mid_run(args, binary, directory)
            print(f"daemon stopped mid-run: training finished all {m['epochs']} epochs; {m['steps_per_second_before']:.1f} steps/s "
                  f"({m['steps_per_cpu_second_before']:.0f} per CPU-s) before, {m['steps_per_second_after']:.1f} "
                  f"({m['steps_per_cpu_second_after']:.0f} per CPU-s) after; acked {m['stats']['acked']}, dropped {m['stats']['dropped']}, "
                  f"lost {m['stats']['lost']}, reconnect attempts failed {m['stats']['connect_failures']}")
        print("RESULT " + json.dumps(results), flush=True)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
