#!/usr/bin/env python3
"""Training overhead of watching the digits CNN (Clients/python/examples/digits_cnn.py: conv
32, conv 64, max-pool, fc 128, fc 10 on scikit-learn's bundled 8x8 digits, nothing
downloaded), and how it splits.

  python3 Benchmarks/training_overhead.py                  # 2000 steps, 3 rounds (~15 min on 2 cores)
  python3 Benchmarks/training_overhead.py --short          # 200 steps, 1 round (~1 min): make test runs it
  python3 Benchmarks/training_overhead.py --steps 4000 --rounds 5 --every 50 --json
  python3 Benchmarks/training_overhead.py --baseline-client /tmp/before/Clients/python   # before/after

Every run is a fresh process training the same seeded network for --steps steps (batch
64, Adam; the training loss logged once per epoch when a daemon listens) in one of these
configurations:

  none      no monitor: the baseline.
  probe     before every --every-th step, the probe set (1024 training images, batches of
            256, eval mode, no gradients) goes through the model bare — no hooks, nothing
            kept: the price of what the user asked for.
  watch     infoplane.torch.watch on the example's four layers (conv1, conv2 flattened: a
            25 MB frame) with a stand-in monitor that drops every frame it is handed: the
            hooks, the reductions, the copies of the probe batches' rows into the frame, the
            hand-off (the monitor's work on the training thread).
  discard   watch + a real Monitor streaming to infoplaned --sink discard (frames received,
            validated, counted, nothing estimated): adds encoding and sending (the
            client's sender thread) and the daemon's reception.
  monitor   watch + a real Monitor streaming to infoplaned with its estimation pipeline
            (the default sink: frames stored, compressed and estimated): the full monitor.
  niced     the same with the daemon at nice 19 (what `Nice=19` in its systemd unit does):
            how much of the daemon's share is taken from training's core.

Each configuration gets a daemon of its own, started for the run in a temporary state
directory on a Unix socket and stopped after it, so no backlog of one run's frames is
estimated during another's. The configurations run in rounds, their order rotated from
round to round, and every figure is the median over rounds of a per-round comparison, so
that a drift of this shared machine's speed affects the configurations alike.

The split, in time per step as a share of the unmonitored step time (1 / steps/s):
probe forward = probe - none; the monitor's own cost = monitor - probe, made of the copies
on the training thread (watch - probe), encoding and sending plus the daemon's reception
(discard - watch) and the daemon's estimation (monitor - discard), which costs training
only through the cores it takes. The goal (issue 16): the monitor's own cost <= 5 % of
steps/s at a frame every 50 steps, i.e. steps/s(monitor) >= 0.95 x steps/s(probe).

Beside the steps/s, CPU time tells where the work went, and moves far less than wall-clock
time when other work shares the machine: the training thread's CPU per step and per frame
(the bare probe, or watch's capture, timed around `capture`, which is what the forward hook
calls), the process's other threads (the sender) and the daemon's CPU from the start of the
training loop until it has finished the run's frames. Per frame interval that gives the
training thread's work X and the sender's and daemon's W beside it: W / X is the number of
cores they need to keep up with the frames, against the one a 2-core machine has spare.

--baseline-client DIR also runs --baseline-configurations (default watch, discard) with
another copy of the Python package (an earlier commit's, say), in the same rounds, and
prints this client against it.

torch runs on one thread (--threads) in every run, as the example does by default: on this
2-core machine the daemon and the sender thread compete with training for the second core.
Ends with one line `RESULT {json}`; with --json the report goes to stderr and only the JSON
object to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[1]
CLIENT = ROOT / "Clients" / "python"
EXAMPLES = CLIENT / "examples"
CONFIGURATIONS = ("none", "probe", "watch", "discard", "monitor", "niced")
#: The daemon of each configuration that has one: its sink and its nice value.
DAEMONS = {"discard": ("discard", 0), "monitor": ("monitor", 0), "niced": ("monitor", 19)}
DESCRIPTIONS = {
    "none": "no monitor",
    "probe": "bare probe forward",
    "watch": "watch, frames dropped",
    "discard": "+ daemon, discarding",
    "monitor": "+ daemon, estimating",
    "niced": "+ daemon at nice 19",
}

_out = sys.stdout


def say(*parts) -> None:
    print(*parts, file=_out, flush=True)


# -- the daemon ---------------------------------------------------------------------------

def find_daemon(explicit: Optional[str]) -> Optional[Path]:
    """--daemon, else $INFOPLANED, else the release then the debug build of this checkout."""
    if explicit:
        return Path(explicit)
    if os.environ.get("INFOPLANED"):
        return Path(os.environ["INFOPLANED"])
    for candidate in (ROOT / ".build-release" / "release" / "infoplaned", ROOT / ".build" / "release" / "infoplaned",
                      ROOT / ".build" / "debug" / "infoplaned"):
        if candidate.exists():
            return candidate
    return None


def cpu_seconds(pid: int) -> float:
    """User + system CPU time process `pid` has used so far (Linux /proc; its threads included)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


class Daemon:
    """infoplaned on a private Unix socket with a state directory of its own."""

    def __init__(self, binary: Path, directory: str, sink: str, nice: int = 0) -> None:
        os.makedirs(directory, exist_ok=True)
        self.socket = os.path.join(directory, "d.sock")
        self.log_path = os.path.join(directory, "infoplaned.log")
        state = os.path.join(directory, "state")
        os.makedirs(state, exist_ok=True)
        args = [str(binary), "--socket", self.socket, "--no-tcp", "--no-http", "--state-dir", state, "--sink", sink]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                                            preexec_fn=(lambda: os.nice(nice)) if nice else None)
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                sys.exit(f"infoplaned did not start:\n{self.log()}")
            if os.path.exists(self.socket):
                probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    probe.connect(self.socket)
                    break
                except OSError:
                    pass
                finally:
                    probe.close()
            time.sleep(0.02)

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.process.pid)

    def wait_idle(self, limit: float, quiet: float = 1.0) -> Tuple[float, bool]:
        """Waits until the daemon has used less than 2 % of a core for `quiet` seconds (the
        run's frames all estimated), at most `limit` seconds. Returns (seconds waited,
        whether it went quiet)."""
        start = time.monotonic()
        last = self.cpu_seconds()
        while time.monotonic() - start < limit:
            time.sleep(quiet)
            now = self.cpu_seconds()
            if now - last < 0.02 * quiet:
                return time.monotonic() - start, True
            last = now
        return time.monotonic() - start, False

    def log(self) -> str:
        try:
            return Path(self.log_path).read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


# -- one run (a worker process) -------------------------------------------------------------

class DroppingMonitor:
    """Stands in for a Monitor and drops every frame `watch` hands it: what watching costs
    the training thread, without a sender thread or a daemon. It hands the frame's buffers
    back at once (`release`), as the sender thread does once it has written them."""

    max_message_bytes = 64 << 20
    max_queue_bytes = 64 << 20

    def log_frame(self, step, layers, release=None, **kwargs) -> bool:
        if release is not None:
            release()
        return True


def worker(args) -> dict:
    """Trains the digits CNN for args.steps steps in configuration args.worker and returns
    its figures. The timed window is the training loop (frames included); setting up,
    connecting and closing the monitor are outside it."""
    client = Path(args.client).resolve()
    sys.path.insert(0, str(client))
    import infoplane  # this client, before the example puts its own checkout's on the path
    from infoplane import Monitor
    from infoplane.torch import watch
    if not Path(infoplane.__file__).resolve().is_relative_to(client):
        sys.exit(f"imported infoplane from {infoplane.__file__}, not from {client}")
    sys.path.insert(0, str(EXAMPLES))
    import numpy as np
    import torch
    import digits_cnn

    config = args.worker
    torch.set_num_threads(args.threads)
    x_train, y_train, _, _ = digits_cnn.digits_dataset(args.seed)
    x_train, y_train = torch.from_numpy(x_train), torch.from_numpy(y_train)
    probe = torch.from_numpy(np.random.default_rng(args.seed + 1).permutation(len(x_train))[:args.probe_size])
    probe_x, probe_y = x_train[probe], y_train[probe]
    model = digits_cnn.build_model(torch, args.seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    monitor = watcher = None
    if config not in ("none", "probe"):
        if config == "watch":
            monitor = DroppingMonitor()
        else:
            monitor = Monitor(run=f"overhead-{config}", address=args.address,
                              metadata={"benchmark": "training_overhead", "configuration": config})
            if not monitor.wait_connected(10.0):
                sys.exit(f"could not connect to the daemon at {args.address}")
        # Captured explicitly (as the framework callbacks do) rather than by the forward pre-hook,
        # so that each capture's wall and CPU time are measured as the bare probe's are.
        watcher = watch(model, list(digits_cnn.LAYERS), probe_x, probe_y, every=args.every, monitor=monitor,
                        roles={"fc2": "output"}, batch_size=args.probe_batch, on_forward=False)

    def bare_probe() -> None:
        model.eval()
        with torch.no_grad():
            for lo in range(0, len(probe_x), args.probe_batch):
                model(probe_x[lo:lo + args.probe_batch])
        model.train()

    generator = torch.Generator().manual_seed(args.seed)
    steps_per_epoch = -(-len(x_train) // args.batch_size)
    frames = 0
    frame_seconds = frame_cpu_seconds = 0.0  # training thread, inside the probe / the watcher's capture
    model.train()
    daemon_cpu_start = cpu_seconds(args.daemon_pid) if args.daemon_pid else None
    load_start = os.getloadavg()[0]
    start, cpu_start, thread_start = time.perf_counter(), time.process_time(), time.thread_time()
    step = 0
    epoch_loss = None
    while step < args.steps:
        order = torch.randperm(len(x_train), generator=generator)
        for lo in range(0, len(order), args.batch_size):
            if step >= args.steps:
                break
            if config != "none" and step % args.every == 0:
                began, began_cpu = time.perf_counter(), time.thread_time()
                if watcher is None:
                    bare_probe()
                else:
                    watcher.capture(step)
                frame_seconds += time.perf_counter() - began
                frame_cpu_seconds += time.thread_time() - began_cpu
                frames += 1
            loss = digits_cnn.train_step(torch, model, optimizer, x_train, y_train, order[lo:lo + args.batch_size])
            step += 1
            epoch_loss = loss.detach() if epoch_loss is None else epoch_loss + loss.detach()
            if step % steps_per_epoch == 0:
                if config in DAEMONS:  # what a training job logs: a scalar per epoch
                    monitor.log_scalars(step, split="train", epoch=step // steps_per_epoch,
                                        loss=float(epoch_loss) / steps_per_epoch)
                epoch_loss = None
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    thread = time.thread_time() - thread_start
    daemon_cpu_end = cpu_seconds(args.daemon_pid) if args.daemon_pid else None
    load_end = os.getloadavg()[0]

    result = {"configuration": config, "steps": step, "frames": frames, "train_seconds": elapsed,
              "steps_per_second": step / elapsed, "cpu_seconds": cpu, "training_thread_cpu_seconds": thread,
              "other_threads_cpu_seconds": cpu - thread, "frame_seconds": frame_seconds, "frame_cpu_seconds": frame_cpu_seconds,
              "load_average": (load_start + load_end) / 2, "final_loss": float(loss)}
    if daemon_cpu_start is not None:
        result["daemon_cpu_start"] = daemon_cpu_start
        result["daemon_cpu_seconds_in_run"] = daemon_cpu_end - daemon_cpu_start
    if watcher is not None:
        result["reductions"] = {name: r.name for name, r in watcher.reductions.items()}
        watcher.remove()
    if config in DAEMONS:
        closing = time.process_time()
        stats = monitor.close(timeout=60.0)
        result["close_cpu_seconds"] = time.process_time() - closing
        result["stats"] = {k: v for k, v in vars(stats).items() if k not in ("errors_by_code",)}
    return result


def run_worker(args, config: str, client: str, daemon: Optional[Daemon]) -> dict:
    command = [sys.executable, "-u", str(Path(__file__).resolve()), "--worker", config, "--client", client,
               "--steps", str(args.steps), "--every", str(args.every), "--seed", str(args.seed),
               "--threads", str(args.threads), "--probe-size", str(args.probe_size),
               "--probe-batch", str(args.probe_batch), "--batch-size", str(args.batch_size)]
    if daemon is not None:
        command += ["--address", daemon.socket, "--daemon-pid", str(daemon.pid)]
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[var] = str(args.threads)
    completed = subprocess.run(command, capture_output=True, text=True, env=env)
    if completed.returncode != 0:
        sys.exit(f"the {config} run failed:\n{completed.stdout}\n{completed.stderr}")
    for line in completed.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    sys.exit(f"the {config} run printed no RESULT line:\n{completed.stdout}\n{completed.stderr}")


def run_configuration(args, label: str, binary: Optional[Path], directory: str) -> dict:
    """One run of `label`: a configuration, with `@baseline` the baseline client's."""
    config, _, baseline = label.partition("@")
    client = args.baseline_client if baseline else args.client
    state = os.path.join(directory, label)
    daemon = Daemon(binary, state, *DAEMONS[config]) if config in DAEMONS else None
    try:
        result = run_worker(args, config, client, daemon)
        if daemon is not None:
            # The daemon's CPU for this run's frames: from the start of the training loop until
            # it has nothing left to do (the estimating daemon may lag behind training).
            result["daemon_idle_wait_seconds"], result["daemon_finished"] = daemon.wait_idle(args.idle_limit)
            result["daemon_cpu_seconds"] = daemon.cpu_seconds() - result["daemon_cpu_start"]
    finally:
        if daemon is not None:
            daemon.stop()
            shutil.rmtree(state, ignore_errors=True)  # the estimating daemon keeps every frame (25 MB each)
    return result


# -- the report ----------------------------------------------------------------------------

def median(values: List[float]) -> float:
    values = [v for v in values if v == v]
    return statistics.median(values) if values else float("nan")


def summarise(args, rounds: List[Dict[str, dict]]) -> dict:
    """Medians over rounds of each configuration's figures and of the per-round comparisons,
    and the CPU accounting (see `cpu_accounting`)."""
    configs = args.configurations
    per_config = {}
    for config in args.runs:
        runs = [r[config] for r in rounds]
        frames = runs[0]["frames"]

        def per_frame(key: str) -> Optional[float]:
            return median([r[key] * 1000 / frames for r in runs]) if frames else None
        entry = {"steps_per_second": median([r["steps_per_second"] for r in runs]),
                 "runs_steps_per_second": [r["steps_per_second"] for r in runs],
                 "steps_per_cpu_second": median([r["steps"] / r["cpu_seconds"] for r in runs]),
                 "frames": frames,
                 "training_thread_ms_per_frame": per_frame("frame_seconds"),
                 "training_thread_cpu_ms_per_frame": per_frame("frame_cpu_seconds"),
                 "training_thread_cpu_ms_per_step": median([(r["training_thread_cpu_seconds"] - r["frame_cpu_seconds"]) * 1000
                                                            / r["steps"] for r in runs]),
                 "other_threads_cpu_ms_per_frame": per_frame("other_threads_cpu_seconds"),
                 "load_average": median([r["load_average"] for r in runs]),
                 "load_averages": [r["load_average"] for r in runs]}
        if config.partition("@")[0] in DAEMONS:
            entry["daemon_cpu_ms_per_frame"] = per_frame("daemon_cpu_seconds")
            entry["daemon_cores_during_training"] = median([r["daemon_cpu_seconds_in_run"] / r["train_seconds"] for r in runs])
            entry["daemon_lag_seconds"] = median([r["daemon_idle_wait_seconds"] for r in runs])
            entry["daemon_finished"] = all(r["daemon_finished"] for r in runs)
            entry["stats"] = runs[-1].get("stats")
        per_config[config] = entry

    def share(config: str, base: str) -> Optional[float]:
        """Median over rounds of (t_config - t_base) / t_none, t = seconds per step."""
        if config not in configs or base not in configs or "none" not in configs:
            return None
        return median([(1 / r[config]["steps_per_second"] - 1 / r[base]["steps_per_second"]) * r["none"]["steps_per_second"]
                       for r in rounds])

    def lost(config: str) -> Optional[float]:
        """Median over rounds of the steps/s `config` loses against the bare probe."""
        if config not in args.runs or "probe" not in configs:
            return None
        return median([1 - r[config]["steps_per_second"] / r["probe"]["steps_per_second"] for r in rounds])

    result = {"configurations": per_config,
              "split_of_step_time": {"probe_forward": share("probe", "none"), "monitor_own": share("monitor", "probe"),
                                     "copies_training_thread": share("watch", "probe"),
                                     "encoding_sending": share("discard", "watch"),
                                     "daemon_estimation": share("monitor", "discard"),
                                     "daemon_estimation_niced": share("niced", "discard"),
                                     "total": share("monitor", "none")},
              "steps_per_second_lost_vs_probe": {c: lost(c) for c in args.runs if c not in ("none", "probe")},
              "load_average_max": max(r[c]["load_average"] for r in rounds for c in r)}
    if "monitor" in configs and "probe" in configs:
        result["monitor_own_steps_per_second_lost"] = lost("monitor")
        result["goal_met"] = lost("monitor") <= 0.05
    if "probe" in configs and "none" in configs:
        probe = per_config["probe"]
        result["probe_forward_ms"] = probe["training_thread_ms_per_frame"]
        result["probe_forward_training_steps"] = (probe["training_thread_cpu_ms_per_frame"]
                                                  / per_config["none"]["training_thread_cpu_ms_per_step"])
    if "watch" in configs and "probe" in configs:
        result["copies_ms_per_frame"] = (per_config["watch"]["training_thread_ms_per_frame"]
                                         - per_config["probe"]["training_thread_ms_per_frame"])
        result["copies_cpu_ms_per_frame"] = (per_config["watch"]["training_thread_cpu_ms_per_frame"]
                                             - per_config["probe"]["training_thread_cpu_ms_per_frame"])
    result["cpu_accounting"] = cpu_accounting(args, per_config)
    if args.baseline_client:
        result["baseline_client"] = str(args.baseline_client)
        result["baseline_vs_client"] = {
            c: {"steps_per_second_ratio": median([r[c]["steps_per_second"] / r[c + "@baseline"]["steps_per_second"] for r in rounds]),
                "training_thread_cpu_ms_per_frame": [per_config[c + "@baseline"]["training_thread_cpu_ms_per_frame"],
                                                     per_config[c]["training_thread_cpu_ms_per_frame"]],
                "other_threads_cpu_ms_per_frame": [per_config[c + "@baseline"]["other_threads_cpu_ms_per_frame"],
                                                   per_config[c]["other_threads_cpu_ms_per_frame"]],
                "steps_per_second_lost_vs_probe": [lost(c + "@baseline"), lost(c)]}
            for c in args.baseline_configurations}
    return result


def cpu_accounting(args, per_config: Dict[str, dict]) -> Dict[str, dict]:
    """What each configuration with a daemon costs per frame in CPU time, which the machine's
    other load hardly changes (wall-clock steps/s it does): per frame interval the training
    thread works X ms (every x its CPU per step + the capture), the sender and the daemon W
    ms beside it; W / X is the number of cores they need beside training to keep up with the
    frames (a 2-core machine has one)."""
    if "probe" not in per_config:
        return {}
    probe = per_config["probe"]
    x_probe = args.every * probe["training_thread_cpu_ms_per_step"] + probe["training_thread_cpu_ms_per_frame"]
    accounts = {}
    for config in ("discard", "monitor"):
        c = per_config.get(config)
        if c is None:
            continue
        x = args.every * c["training_thread_cpu_ms_per_step"] + c["training_thread_cpu_ms_per_frame"]
        w = c["other_threads_cpu_ms_per_frame"] + c["daemon_cpu_ms_per_frame"]
        accounts[config] = {"training_thread_ms": x, "probe_training_thread_ms": x_probe, "beside_ms": w,
                            "cores_beside_training": w / x, "spare_cores": (os.cpu_count() or 1) - args.threads}
    return accounts


def percent(value: Optional[float]) -> str:
    return "—" if value is None or value != value else f"{value * 100:+.1f} %"


def report(args, summary: dict) -> None:
    configs = summary["configurations"]
    say("")
    say(f"{'medians of ' + str(args.rounds) + ' round(s)':<40}{'steps/s':>8}{'vs none':>9}{'steps/CPU-s':>12}"
        f"{'train thread':>13}{'per frame':>10}{'other threads':>14}{'daemon CPU':>11}{'daemon cores':>13}")
    say(f"{'':<40}{'':>8}{'':>9}{'':>12}{'CPU ms/step':>13}{'ms (CPU)':>10}{'CPU ms/frame':>14}{'ms/frame':>11}{'in training':>13}")
    base = configs.get("none", {}).get("steps_per_second")

    def number(value: Optional[float], digits: int = 1) -> str:
        return "" if value is None else f"{value:.{digits}f}"
    for config in args.runs:
        c = configs[config]
        name, _, baseline = config.partition("@")
        frame = "" if c["training_thread_ms_per_frame"] is None else \
            f"{c['training_thread_ms_per_frame']:.0f} ({c['training_thread_cpu_ms_per_frame']:.0f})"
        say(f"{name:<8}{DESCRIPTIONS[name] + (', baseline' if baseline else ''):<32}{c['steps_per_second']:8.1f}"
            f"{'' if base is None or config == 'none' else percent(c['steps_per_second'] / base - 1):>9}"
            f"{c['steps_per_cpu_second']:12.1f}{c['training_thread_cpu_ms_per_step']:13.2f}{frame:>10}"
            f"{number(c['other_threads_cpu_ms_per_frame']) if config != 'none' else '':>14}"
            f"{number(c.get('daemon_cpu_ms_per_frame'), 0):>11}{number(c.get('daemon_cores_during_training'), 2):>13}")
    split = summary["split_of_step_time"]
    say("")
    say("the split in wall-clock time per step, as a share of the unmonitored step time (medians of per-round differences):")
    if summary.get("probe_forward_ms") is not None:
        say(f"  probe forward, the price of the probes (probe - none)           {percent(split['probe_forward']):>8}   "
            f"{summary['probe_forward_ms']:.0f} ms per frame = {summary['probe_forward_training_steps']:.1f} training steps (CPU)")
    say(f"  the monitor's own cost (monitor - probe)                        {percent(split['monitor_own']):>8}")
    if summary.get("copies_ms_per_frame") is not None:
        say(f"    copies on the training thread (watch - probe)                 {percent(split['copies_training_thread']):>8}   "
            f"{summary['copies_ms_per_frame']:+.1f} ms per frame ({summary['copies_cpu_ms_per_frame']:+.1f} CPU): "
            "hooks, reductions, copies into the frame, hand-off")
    if "discard" in configs:
        d = configs["discard"]
        say(f"    encoding, sending, the daemon's reception (discard - watch)   {percent(split['encoding_sending']):>8}   "
            f"sender thread {d['other_threads_cpu_ms_per_frame']:.1f} CPU ms per frame, daemon {d['daemon_cpu_ms_per_frame']:.0f}")
    for config, key in (("monitor", "daemon_estimation"), ("niced", "daemon_estimation_niced")):
        if config in configs and "discard" in configs:
            m = configs[config]
            label = "the daemon's estimation, its share of the cores" if config == "monitor" else "the same, daemon at nice 19"
            say(f"    {label + ' (' + config + ' - discard)':<62}{percent(split[key]):>8}   daemon "
                f"{m['daemon_cpu_ms_per_frame'] - configs['discard']['daemon_cpu_ms_per_frame']:.0f} CPU ms more per frame, "
                f"{m['daemon_cores_during_training']:.2f} cores during training, "
                + (f"done {m['daemon_lag_seconds']:.0f} s after it" if m["daemon_finished"] else
                   f"still busy {m['daemon_lag_seconds']:.0f} s after it (--idle-limit): its CPU is a lower bound"))
    say(f"  total (monitor - none)                                          {percent(split['total']):>8}")
    lost = summary["steps_per_second_lost_vs_probe"]
    if lost:
        say("steps/s against the bare probe (medians of per-round ratios): "
            + ", ".join(f"{c} {percent(-v)}" for c, v in lost.items()))
    for config, a in summary["cpu_accounting"].items():
        say(f"CPU per frame interval, {config}: the training thread {a['training_thread_ms']:.0f} ms "
            f"({a['probe_training_thread_ms']:.0f} with the bare probe: {percent(a['training_thread_ms'] / a['probe_training_thread_ms'] - 1)}), "
            f"the sender and the daemon {a['beside_ms']:.0f} ms beside it: {a['cores_beside_training']:.2f} cores to keep up, "
            f"{a['spare_cores']} spare")
    if "monitor_own_steps_per_second_lost" in summary:
        own = summary["monitor_own_steps_per_second_lost"]
        say(f"goal: the monitor's own cost <= 5 % of steps/s at a frame every {args.every} steps: "
            f"steps/s(monitor) / steps/s(probe) = {1 - own:.3f} ({own * 100:.1f} % lost): "
            f"{'met' if summary['goal_met'] else 'NOT met'}")
        if summary["load_average_max"] > (os.cpu_count() or 1):
            say(f"warning: the load average reached {summary['load_average_max']:.1f} on {os.cpu_count()} CPUs during the "
                "runs: other work took turns with training, so the wall-clock figures are noise-bound; "
                "the CPU figures are the ones to trust")
    if "baseline_vs_client" in summary:
        say(f"this client against the baseline client ({summary['baseline_client']}), same rounds:")
        for config, b in summary["baseline_vs_client"].items():
            before, after = b["training_thread_cpu_ms_per_frame"]
            sender_before, sender_after = b["other_threads_cpu_ms_per_frame"]
            lost_before, lost_after = b["steps_per_second_lost_vs_probe"]
            say(f"  {config:<8} training thread {before:.1f} -> {after:.1f} CPU ms per frame, other threads "
                f"{sender_before:.1f} -> {sender_after:.1f}; steps/s {b['steps_per_second_ratio']:.3f}x the baseline's "
                f"(median of per-round ratios), against the bare probe {percent(-lost_before)} -> {percent(-lost_after)}")
    for config in DAEMONS:
        stats = configs.get(config, {}).get("stats")
        if stats:
            say(f"{config} runs' monitor (last round): sent {stats['sent']}, acked {stats['acked']}, errors {stats['errors']}, "
                f"dropped {stats['dropped']}, lost {stats['lost']}")


def main(argv=None) -> int:
    global _out
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=None, help="training steps per run (default 2000; --short: 200)")
    parser.add_argument("--rounds", type=int, default=None, help="rounds of every configuration, order rotated (default 3; --short: 1)")
    parser.add_argument("--short", action="store_true", help="the short form: 200 steps, 1 round (about a minute)")
    parser.add_argument("--every", type=int, default=50, help="a probe frame every K steps (default 50)")
    parser.add_argument("--probe-size", type=int, default=1024, help="probe images (default 1024)")
    parser.add_argument("--probe-batch", type=int, default=256, help="probe images per forward pass (default 256, as the example)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1, help="torch threads in every run (default 1, as the example)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--configurations", default=",".join(CONFIGURATIONS),
                        help=f"comma-separated subset of {','.join(CONFIGURATIONS)} (default all)")
    parser.add_argument("--daemon", help="path of infoplaned (default $INFOPLANED, .build-release/release, .build/release, .build/debug)")
    parser.add_argument("--idle-limit", type=float, default=None,
                        help="seconds to wait after a run for the daemon to finish its frames (default 300; --short: 30)")
    parser.add_argument("--client", default=str(CLIENT), help="the infoplane Python package's directory the runs import "
                        "(default this checkout's Clients/python)")
    parser.add_argument("--baseline-client", help="another one (e.g. an earlier commit's: git archive COMMIT Clients/python | "
                        "tar -x -C DIR, then DIR/Clients/python): --baseline-configurations run with it too, and compared")
    parser.add_argument("--baseline-configurations", default="watch,discard",
                        help="configurations also run with --baseline-client (default watch,discard)")
    parser.add_argument("--json", action="store_true", help="the report on stderr, one JSON object on stdout")
    parser.add_argument("--worker", choices=CONFIGURATIONS, help=argparse.SUPPRESS)
    parser.add_argument("--address", help=argparse.SUPPRESS)
    parser.add_argument("--daemon-pid", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.steps = args.steps or (200 if args.short else 2000)
    args.rounds = args.rounds or (1 if args.short else 3)
    if args.idle_limit is None:
        args.idle_limit = 30.0 if args.short else 300.0

    if args.worker:
        print("RESULT " + json.dumps(worker(args)), flush=True)
        return 0

    args.configurations = [c.strip() for c in args.configurations.split(",") if c.strip()]
    unknown = set(args.configurations) - set(CONFIGURATIONS)
    if unknown:
        parser.error(f"unknown configurations {sorted(unknown)}; use {', '.join(CONFIGURATIONS)}")
    args.configurations = [c for c in CONFIGURATIONS if c in args.configurations]
    args.runs = list(args.configurations)
    requested, args.baseline_configurations = args.baseline_configurations, []
    if args.baseline_client:
        args.baseline_client = str(Path(args.baseline_client).resolve())
        if not (Path(args.baseline_client) / "infoplane" / "__init__.py").exists():
            parser.error(f"--baseline-client {args.baseline_client} holds no infoplane package")
        args.baseline_configurations = [c.strip() for c in requested.split(",") if c.strip()]
        if not set(args.baseline_configurations) <= set(args.configurations) - {"none", "probe"}:
            parser.error("--baseline-configurations must be among the configurations run, and use the client")
        args.runs += [c + "@baseline" for c in args.baseline_configurations]
    if args.json:
        _out = sys.stderr
    binary = None
    if any(c in DAEMONS for c in args.configurations):
        binary = find_daemon(args.daemon)
        if binary is None or not binary.exists():
            sys.exit(f"infoplaned not found ({binary or 'no build in .build-release, .build'}): build it with "
                     "`swift build -c release --product infoplaned` or pass --daemon PATH")
    import torch  # noqa: F401  (fail early, with the version in the header)
    frames = -(-args.steps // args.every)
    say(f"training overhead: digits CNN (conv32-conv64-maxpool-fc128-fc10, batch {args.batch_size}, Adam), "
        f"{args.steps} steps per run, probe {args.probe_size} images (batches of {args.probe_batch}) every {args.every} steps "
        f"({frames} frames of conv1, conv2, fc1, fc2, inputs, labels), {args.rounds} round(s) of {', '.join(args.runs)}; "
        f"torch {torch.__version__} on {args.threads} thread(s), {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    if binary is not None:
        say(f"daemon: {binary} (a fresh one per run: --sink discard or the estimating default)")
    directory = tempfile.mkdtemp(prefix="ipto-", dir="/tmp")
    rounds: List[Dict[str, dict]] = []
    started = time.monotonic()
    try:
        for index in range(args.rounds):
            shift = index % len(args.runs)
            order = args.runs[shift:] + args.runs[:shift]
            results = {}
            for config in order:
                results[config] = r = run_configuration(args, config, binary, os.path.join(directory, f"r{index}"))
                extra = ""
                if "daemon_cpu_seconds" in r:
                    extra = (f"  daemon {r['daemon_cpu_seconds']:.1f} CPU-s ({r['daemon_cpu_seconds_in_run']:.1f} during training, "
                             f"{'idle' if r['daemon_finished'] else 'still busy'} {r['daemon_idle_wait_seconds']:.0f} s after)")
                say(f"  round {index + 1} {config:<16} {r['steps_per_second']:7.1f} steps/s  {r['frames']:3d} frames  "
                    f"train thread {r['training_thread_cpu_seconds']:5.1f} CPU-s, others {r['other_threads_cpu_seconds']:5.2f}  "
                    f"load {r['load_average']:.2f}{extra}")
            rounds.append(results)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    summary = summarise(args, rounds)
    report(args, summary)
    result = {"benchmark": "training_overhead", "steps": args.steps, "every": args.every, "probe_size": args.probe_size,
              "probe_batch": args.probe_batch, "rounds": args.rounds, "threads": args.threads, "cpus": os.cpu_count(),
              "daemon": str(binary) if binary else None, "client": args.client, "seconds": time.monotonic() - started, **summary,
              "runs": rounds}
    if args.json:
        print(json.dumps(result), flush=True)
    else:
        say("RESULT " + json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
