#!/usr/bin/env python3
"""Prefork vs the alternatives, side by side in one run (issue 6).

Starts every target on 127.0.0.1, warms them up, drives them with wrk in interleaved rounds
(for round: for target: for scenario), measures the prefork-specific costs (worker cold start,
pool recovery after kill -9, the master's dispatch capacity and CPU per connection, the
hand-over cost), then writes a Markdown report to bench/results/<timestamp>.md and prints it.

Python 3.11, standard library only. Every process it starts is stopped by pid, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent          # /work/main
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
JAR = ROOT / "sample-app" / "target" / "sample-app-0.1.0-SNAPSHOT.jar"
NPROC = os.cpu_count() or 1

# Dispatch modes of the product (property server.prefork.dispatch). Extend this tuple when a new
# mode lands: every mode other than DEFAULT_DISPATCH becomes its own target "D <mode>", started
# with --server.prefork.dispatch=<mode> (skipped, with a note, if the jar's master does not log
# that mode). The default mode is target A itself: the property is not passed for it.
DISPATCH_MODES = ("pass-fd", "accept-on-command", "shared-accept")
DEFAULT_DISPATCH = "pass-fd"

# Arguments every JVM of every target gets.
COMMON_ARGS = ["--server.address=127.0.0.1", "--logging.level.root=WARN",
               "--logging.level.io.prefork=INFO"]

READY_LINE = re.compile(r"^(\S+)\s.*\bworker (\d+) pid (\d+) ready in ([\d.]+) s")
MASTER_LINE = re.compile(r"Prefork master pid \d+ listening on .*\bdispatch ([\w-]+)")

WRK_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCHJSON {\\"requests\\":%d,\\"duration_us\\":%d,\\"connect\\":%d,\\"read\\":%d," ..
    "\\"write\\":%d,\\"status\\":%d,\\"timeout\\":%d,\\"p50\\":%.1f,\\"p90\\":%.1f," ..
    "\\"p99\\":%.1f,\\"max\\":%.1f,\\"mean\\":%.1f}\\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
"""


# --------------------------------------------------------------------------------------------
# Scenarios and targets
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    path: str
    connections: int
    close: bool = False             # send "Connection: close": one TCP connection per request
    only: tuple[str, ...] = ()      # restrict to these targets (empty = every target)


SCENARIOS = (
    Scenario("hello-ka", "keep-alive GET /hello -c16", "/hello", 16),
    Scenario("hello-close", "Connection: close GET /hello -c16", "/hello", 16, close=True),
    Scenario("cpu", "keep-alive GET /cpu?ms=5 -c16", "/cpu?ms=5", 16),
    Scenario("sleep", "keep-alive GET /sleep?ms=50 -c32", "/sleep?ms=50", 32),
    # The master's dispatch capacity: trivial handler, a new connection per request, more
    # connections. Against A2 (and B as the direct-Tomcat reference).
    Scenario("dispatch", "dispatch capacity: Connection: close GET /hello -c64", "/hello", 64,
             close=True, only=("A2", "A2 unsticky", "B")),
)


@dataclass
class Target:
    name: str                       # A, A2, B, C, D <mode>
    description: str
    prefork: bool
    port: int = 0
    workers: int = 0                # expected prefork workers ("ready in" lines)
    procs: list = field(default_factory=list)      # Popen objects we started (roots)
    logs: list = field(default_factory=list)       # log file paths
    master: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


# --------------------------------------------------------------------------------------------
# Process bookkeeping: every process we start, and every descendant we ever saw, by pid
# --------------------------------------------------------------------------------------------

STARTED: list[subprocess.Popen] = []
LOADS: list[str] = []                # load average at the start of each round
NOTES: list[str] = []                # things the report must mention (skipped targets, ...)
SEEN: dict[int, str] = {}            # pid -> start time (field 22 of /proc/pid/stat)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def proc_start_time(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2:].split()[19]


def children(pid: int) -> list[int]:
    result = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            result += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            pass
    return result


def process_tree(pid: int) -> list[int]:
    """pid and all its descendants (remembered in SEEN so cleanup can find them later)."""
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        start = proc_start_time(current)
        if start is None:
            continue
        SEEN.setdefault(current, start)
        tree.append(current)
        todo += children(current)
    return tree


def rss_kb(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process (not its children)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def thread_cpu_seconds(pid: int) -> dict[str, float]:
    """utime + stime per thread name (comm) of one process: which of the master's threads work."""
    result: dict[str, float] = {}
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            comm = (task / "comm").read_text().strip()
            stat = (task / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        name = re.sub(r"#?\d*$", "", comm).strip() or comm     # "GC Thread#1" -> "GC Thread"
        name = {"java": "java (main loop)", "C1 CompilerThre": "C1 JIT", "C2 CompilerThre": "C2 JIT",
                "VM Periodic Tas": "VM periodic task"}.get(name, name)
        result[name] = result.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return result


def target_pids(target: Target) -> list[int]:
    pids = []
    for proc in target.procs:
        pids += process_tree(proc.pid)
    return pids


def alive_as_seen(pid: int) -> bool:
    return pid in SEEN and proc_start_time(pid) == SEEN[pid]


def stop_everything() -> list[int]:
    """SIGTERM every root we started, wait, then SIGKILL whatever of ours is left.
    Returns the pids that were still alive after SIGKILL (should be empty)."""
    for proc in STARTED:
        process_tree(proc.pid)                       # remember descendants before roots go
    for proc in STARTED:
        if proc.poll() is None:
            try:
                proc.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if all(p.poll() is not None for p in STARTED) and not any(alive_as_seen(p) for p in SEEN):
            break
        time.sleep(0.2)
    for pid in list(SEEN):
        if alive_as_seen(pid):
            log(f"pid {pid} still running after SIGTERM: SIGKILL")
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    for proc in STARTED:
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
    time.sleep(0.5)
    return [pid for pid in SEEN if alive_as_seen(pid) and not is_zombie(pid)]


def is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat[stat.rindex(")") + 2] == "Z"
    except OSError:
        return True


def install_signal_handlers() -> None:
    def interrupt(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupt)


def ignore_signals() -> None:
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)


# --------------------------------------------------------------------------------------------
# Preparation: tools, jar, ports
# --------------------------------------------------------------------------------------------

def ensure_tools() -> None:
    missing = [pkg for tool, pkg in (("wrk", "wrk"), ("nginx", "nginx-light")) if not shutil.which(tool)]
    if not missing:
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    log(f"installing {' '.join(missing)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(sudo + ["apt-get", "update", "-q"], check=True, env=env)
    subprocess.run(sudo + ["apt-get", "install", "-y", "-q"] + missing, check=True, env=env)


def ensure_jar(force_build: bool) -> None:
    if JAR.exists() and not force_build:
        return
    log("building the sample jar (mvn -q -B -pl sample-app -am package -DskipTests)")
    subprocess.run(["mvn", "-q", "-B", "-pl", "sample-app", "-am", "package", "-DskipTests"],
                   cwd=ROOT, check=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------------------------
# Starting targets
# --------------------------------------------------------------------------------------------

def start_process(argv: list[str], log_path: Path, cwd: Path) -> subprocess.Popen:
    out = open(log_path, "ab")
    # Own session: a terminal's Ctrl-C reaches only this script, which stops everything in order.
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                            cwd=cwd, start_new_session=True)
    out.close()
    STARTED.append(proc)
    SEEN[proc.pid] = proc_start_time(proc.pid) or ""
    return proc


def start_jvm(target: Target, jar: Path, port: int, extra: list[str], tmp: Path, tag: str) -> subprocess.Popen:
    log_path = tmp / f"{tag}.log"
    argv = ["java", "-jar", str(jar), f"--server.port={port}"] + COMMON_ARGS + extra
    proc = start_process(argv, log_path, tmp)
    target.procs.append(proc)
    target.logs.append(log_path)
    return proc


def start_prefork(name: str, description: str, jar: Path, tmp: Path, extra: list[str],
                  workers: int) -> Target:
    target = Target(name, description, prefork=True, port=free_port(), workers=workers)
    # Class-data archives (on by default) go to the temp dir, not to ~/.cache/prefork.
    extra = [f"--server.prefork.worker.cds.directory={tmp / 'cds'}"] + extra
    target.master = start_jvm(target, jar, target.port, extra, tmp, name.replace(" ", "_"))
    return target


def start_plain(jar: Path, tmp: Path) -> Target:
    target = Target("B", "same jar, prefork disabled: one plain embedded Tomcat", prefork=False,
                    port=free_port())
    start_jvm(target, jar, target.port, ["--server.prefork.enabled=false"], tmp, "B")
    return target


def nginx_config(directory: Path, port: int, upstreams: list[int]) -> str:
    servers = "\n".join(f"        server 127.0.0.1:{p};" for p in upstreams)
    user = "user root;\n" if os.geteuid() == 0 else ""
    return f"""{user}worker_processes auto;
daemon off;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {directory}/client_body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    upstream app {{
{servers}
        keepalive 64;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
        }}
    }}
}}
"""


def start_nginx_pool(jar: Path, tmp: Path, instances: int) -> Target:
    target = Target("C", f"{instances} plain JVMs (prefork disabled) behind nginx, upstream keepalive",
                    prefork=False, port=free_port())
    ports = []
    for i in range(instances):
        ports.append(free_port())
        start_jvm(target, jar, ports[-1], ["--server.prefork.enabled=false"], tmp, f"C_jvm{i}")
    for i, port in enumerate(ports):
        wait_http(f"http://127.0.0.1:{port}/hello", target.procs[i], f"C jvm{i}")
    directory = tmp / "nginx"
    directory.mkdir()
    (directory / "nginx.conf").write_text(nginx_config(directory, target.port, ports))
    log_path = tmp / "C_nginx.log"
    proc = start_process(["nginx", "-p", str(directory), "-e", str(directory / "error.log"),
                          "-c", str(directory / "nginx.conf")], log_path, tmp)
    target.procs.append(proc)
    target.logs += [log_path, directory / "error.log"]
    return target


def wait_http(url: str, proc: subprocess.Popen, what: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} before it was ready")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} not ready within {timeout:.0f} s ({url})")


def ready_lines(target: Target) -> list[re.Match]:
    text = target.logs[0].read_text(errors="replace") if target.logs else ""
    return [m for m in map(READY_LINE.match, text.splitlines()) if m]


def wait_ready(target: Target, timeout: float = 180) -> float:
    started = time.monotonic()
    if target.prefork:
        deadline = started + timeout
        while len(ready_lines(target)) < target.workers:
            if target.master.poll() is not None:
                raise RuntimeError(f"{target.name}: master exited with {target.master.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{target.name}: {target.workers} workers not ready in {timeout:.0f} s")
            time.sleep(0.2)
    wait_http(target.url + "/hello", target.procs[-1], target.name, timeout)
    return time.monotonic() - started


def start_targets(jar: Path, tmp: Path) -> list[Target]:
    """One after the other, each ready before the next starts, so cold starts are not inflated
    by other targets booting."""
    default_workers = max(NPROC, 2)
    plans = [
        lambda: start_plain(jar, tmp),
        lambda: start_prefork("A", f"prefork, defaults ({default_workers} workers, dispatch {DEFAULT_DISPATCH})",
                              jar, tmp, [], default_workers),
        lambda: start_prefork("A2", f"prefork, --server.prefork.workers={NPROC} (number of cores)",
                              jar, tmp, [f"--server.prefork.workers={NPROC}"], NPROC),
        # A2 without the master's look at each new connection's head (sticky sessions).
        lambda: start_prefork("A2 unsticky", f"as A2, --server.prefork.sticky-sessions=false", jar, tmp,
                              [f"--server.prefork.workers={NPROC}", "--server.prefork.sticky-sessions=false"],
                              NPROC),
        lambda: start_nginx_pool(jar, tmp, NPROC),
    ]
    for mode in DISPATCH_MODES:
        if mode != DEFAULT_DISPATCH:
            plans.append(lambda mode=mode: start_prefork(
                f"D {mode}", f"prefork, defaults, --server.prefork.dispatch={mode}", jar, tmp,
                [f"--server.prefork.dispatch={mode}"], default_workers))
    targets = []
    for plan in plans:
        target = plan()
        seconds = wait_ready(target)
        mode = target_dispatch(target)
        if target.name.startswith("D ") and mode != target.name[2:]:
            NOTES.append(f"Target {target.name} skipped: the master logged dispatch '{mode}' instead "
                         f"(this jar does not know the mode).")
            log(NOTES[-1])
            stop_target(target)
            continue
        targets.append(target)
        log(f"{target.name} ready on port {target.port} in {seconds:.1f} s: {target.description}")
    return targets


def target_dispatch(target: Target) -> str | None:
    """The dispatch mode the master says it uses (None for targets without a master)."""
    if not target.prefork:
        return None
    match = MASTER_LINE.search(target.logs[0].read_text(errors="replace"))
    return match.group(1) if match else "unknown"


def stop_target(target: Target) -> None:
    for proc in target.procs:
        process_tree(proc.pid)
        proc.send_signal(signal.SIGTERM)
    for proc in target.procs:
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            proc.kill()


# --------------------------------------------------------------------------------------------
# Load
# --------------------------------------------------------------------------------------------

def run_wrk(url: str, scenario: Scenario, seconds: float, lua: Path, raw_log: Path) -> dict:
    threads = max(1, min(NPROC, scenario.connections))
    argv = ["wrk", f"-t{threads}", f"-c{scenario.connections}", f"-d{seconds:g}s", "--latency",
            "-s", str(lua)]
    if scenario.close:
        argv += ["-H", "Connection: close"]
    argv.append(url + scenario.path)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
    with open(raw_log, "a") as out:
        out.write(f"$ {' '.join(argv)}\n{done.stdout}{done.stderr}\n")
    match = re.search(r"^BENCHJSON (.*)$", done.stdout, re.M)
    if done.returncode != 0 or not match:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    result = json.loads(match.group(1))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = sum(result[k] for k in ("connect", "read", "write", "status", "timeout"))
    return result


def applies(scenario: Scenario, target: Target) -> bool:
    return not scenario.only or target.name in scenario.only


def measure(target: Target, scenario: Scenario, seconds: float, lua: Path, raw_log: Path) -> dict:
    """One wrk run plus what the process tree looked like around it."""
    workers_before = set(children(target.master.pid)) if target.prefork else set()
    master_cpu = cpu_seconds(target.master.pid) if target.prefork else 0.0
    threads = thread_cpu_seconds(target.master.pid) if target.prefork else {}
    result = run_wrk(target.url, scenario, seconds, lua, raw_log)
    if target.prefork:
        result["master_cpu_s"] = cpu_seconds(target.master.pid) - master_cpu
        after = thread_cpu_seconds(target.master.pid)
        result["master_threads_us_per_req"] = {
            name: (after[name] - threads.get(name, 0.0)) * 1e6 / max(result["requests"], 1) for name in after}
        result["master_us_per_req"] = result["master_cpu_s"] * 1e6 / max(result["requests"], 1)
        workers_after = set(children(target.master.pid))
        if workers_after != workers_before:
            result["worker_change"] = f"workers {sorted(workers_before)} -> {sorted(workers_after)}"
    result["rss_kb"] = rss_kb(target_pids(target))
    if target.prefork:
        result["master_rss_kb"] = rss_kb([target.master.pid])
    return result


def warm_up(targets: list[Target], seconds: float, lua: Path, raw_log: Path) -> None:
    for target in targets:
        for scenario in SCENARIOS:
            if applies(scenario, target):
                run_wrk(target.url, scenario, seconds, lua, raw_log)
        log(f"warmed up {target.name}")


def run_rounds(targets: list[Target], rounds: int, seconds: float, lua: Path, raw_log: Path) -> dict:
    """results[(target, scenario)] = [one dict per round]. Target order rotates every round."""
    results: dict[tuple[str, str], list[dict]] = {}
    for round_no in range(rounds):
        LOADS.append(load_average())
        order = targets[round_no % len(targets):] + targets[:round_no % len(targets)]
        for target in order:
            for scenario in SCENARIOS:
                if not applies(scenario, target):
                    continue
                result = measure(target, scenario, seconds, lua, raw_log)
                results.setdefault((target.name, scenario.key), []).append(result)
                log(f"round {round_no + 1}/{rounds} {target.name:>3} {scenario.key:<11} "
                    f"{result['rps']:9.0f} req/s  p50 {result['p50'] / 1000:7.2f} ms  "
                    f"p99 {result['p99'] / 1000:7.2f} ms  errors {result['errors']}"
                    + (f"  ({result['worker_change']})" if "worker_change" in result else ""))
    return results


# --------------------------------------------------------------------------------------------
# Prefork-specific measurements
# --------------------------------------------------------------------------------------------

def log_time(stamp: str) -> float | None:
    try:
        return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def probe_availability(url: str, stop: threading.Event, counts: dict, failures: list) -> None:
    """New connection per request every 20 ms while a worker is down; failures are kept with
    their time since the kill and their reason."""
    while not stop.is_set():
        started = time.time()
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                response.read()
                key = "ok" if response.status == 200 else "failed"
                reason = f"HTTP {response.status}"
        except OSError as ex:
            key, reason = "failed", f"{type(ex).__name__}: {ex}"
        counts[key] = counts.get(key, 0) + 1
        if key == "failed":
            failures.append((started, time.time() - started, reason))
        time.sleep(0.02)


def measure_recovery(target: Target, kills: int, timeout: float = 120) -> list[dict]:
    """kill -9 one worker at a time; time until the master logs a new worker ready (the
    replacement may get another slot number, so it is recognised by its new pid)."""
    results = []
    for i in range(kills):
        workers = children(target.master.pid)
        victim = min(workers, key=lambda pid: int(proc_start_time(pid) or 0))    # the oldest worker
        known = len(ready_lines(target))
        stop, counts, failures = threading.Event(), {}, []
        prober = threading.Thread(target=probe_availability,
                                  args=(target.url + "/hello", stop, counts, failures))
        prober.start()
        time.sleep(0.2)
        killed_at = time.time()
        os.kill(victim, signal.SIGKILL)
        replacement = None
        deadline = time.monotonic() + timeout
        while replacement is None and time.monotonic() < deadline:
            time.sleep(0.05)
            replacement = next((m for m in ready_lines(target)[known:] if int(m.group(3)) not in workers), None)
        detected_at = time.time()
        stop.set()
        prober.join()
        counts["failures"] = [f"{at - killed_at:+.3f} s after the kill, after {took:.3f} s: {reason}"
                              for at, took, reason in failures]
        if replacement is None:
            results.append({"victim": victim, "recovery_s": None, "probe": counts})
            log(f"recovery: no replacement for pid {victim} within {timeout:.0f} s")
            continue
        logged_at = log_time(replacement.group(1))
        recovery = (logged_at if logged_at else detected_at) - killed_at
        results.append({"victim": victim, "replacement": int(replacement.group(3)),
                        "recovery_s": recovery, "boot_s": float(replacement.group(4)), "probe": counts})
        log(f"recovery {i + 1}/{kills}: worker pid {victim} killed, pid {replacement.group(3)} ready after "
            f"{recovery:.2f} s; probes ok {counts.get('ok', 0)}, failed {counts.get('failed', 0)} "
            f"{counts['failures']}")
        time.sleep(1)
    return results


def cold_starts(targets: list[Target], recovery: list[dict]) -> dict:
    replaced = {r.get("replacement") for r in recovery}
    initial, replacements = [], []
    for target in targets:
        if target.prefork:
            for m in ready_lines(target):
                (replacements if int(m.group(3)) in replaced else initial).append(float(m.group(4)))
    return {"initial": initial, "replacement": replacements}


def scan_logs(targets: list[Target], killed: set[int]) -> list[str]:
    """WARN/ERROR lines and exceptions in every target's output (lines about the workers this
    benchmark killed on purpose excluded)."""
    findings = []
    ours = re.compile(r"\bpid (" + "|".join(map(str, killed)) + r")\b") if killed else None
    for target in targets:
        for path in target.logs:
            if not path.exists():
                continue
            for line in path.read_text(errors="replace").splitlines():
                if re.search(r"\b(WARN|ERROR|FATAL)\b|Exception|\[(alert|crit|error|emerg)\]", line):
                    if ours and ours.search(line):
                        continue
                    findings.append(f"{target.name} {path.name}: {line.strip()[:420]}")
    return findings


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------

def command_output(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        return (done.stdout + done.stderr).strip()
    except (OSError, subprocess.TimeoutExpired) as ex:
        return f"unavailable ({ex})"


def machine_description(jar: Path) -> list[str]:
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), "unknown")
    mem_kb = int(next(l.split()[1] for l in Path("/proc/meminfo").read_text().splitlines()
                      if l.startswith("MemTotal:")))
    java = command_output(["java", "-version"]).replace("\n", "; ")
    wrk = command_output(["wrk", "--version"]).splitlines()[0]
    nginx = command_output(["nginx", "-v"])
    commit = command_output(["git", "-C", str(ROOT), "log", "-1", "--format=%h %s"])
    dirty = command_output(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"])
    built = dt.datetime.fromtimestamp(jar.stat().st_mtime).strftime("%Y-%m-%d %H:%M:%S")
    return [
        f"| cores (nproc) | {NPROC} |",
        f"| CPU | {cpu} |",
        f"| RAM | {mem_kb / 1024 / 1024:.1f} GiB |",
        f"| kernel | {platform.release()} |",
        f"| java | {java} |",
        f"| wrk | {wrk} |",
        f"| nginx | {nginx} |",
        f"| product | {commit}{' (+ uncommitted changes)' if dirty else ''}; jar built {built} |",
    ]


def median(values: list[float]) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}" if a is not None and b else "–"


def summarize(results: dict) -> dict:
    summary = {}
    for key, runs in results.items():
        summary[key] = {
            "rps": median([r["rps"] for r in runs]),
            "p50": median([r["p50"] for r in runs]) / 1000,
            "p99": median([r["p99"] for r in runs]) / 1000,
            "max": median([r["max"] for r in runs]) / 1000,
            "errors": sum(r["errors"] for r in runs),
            "error_detail": {k: sum(r[k] for r in runs) for k in ("connect", "read", "write", "status", "timeout")},
            "rss_mb": median([r["rss_kb"] for r in runs]) / 1024,
            "master_rss_mb": (median([r.get("master_rss_kb") for r in runs]) or 0) / 1024,
            "master_us": median([r.get("master_us_per_req") for r in runs]),
            "master_threads": {name: median([r.get("master_threads_us_per_req", {}).get(name) for r in runs])
                               for name in runs[0].get("master_threads_us_per_req", {})},
            "rounds": [r["rps"] for r in runs],
        }
    return summary


def fmt(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def error_text(s: dict) -> str:
    if not s["errors"]:
        return "0"
    return str(s["errors"]) + " (" + ", ".join(f"{k} {v}" for k, v in s["error_detail"].items() if v) + ")"


def results_table(targets: list[Target], summary: dict) -> list[str]:
    lines = ["| scenario | target | req/s | ×B | p50 ms | p99 ms | max ms | errors | RSS MB | master CPU µs/req |",
             "|---|---|---:|---:|---:|---:|---:|---|---:|---:|"]
    for scenario in SCENARIOS:
        base = summary.get(("B", scenario.key))
        for target in targets:
            s = summary.get((target.name, scenario.key))
            if not s:
                continue
            lines.append(f"| {scenario.title} | {target.name} | {fmt(s['rps'])} | "
                         f"{ratio(s['rps'], base['rps'] if base else None)} | {fmt(s['p50'], 2)} | "
                         f"{fmt(s['p99'], 2)} | {fmt(s['max'], 1)} | {error_text(s)} | {fmt(s['rss_mb'])} | "
                         f"{fmt(s['master_us'], 1)} |")
    return lines


def ratio_table(targets: list[Target], summary: dict) -> list[str]:
    others = [t.name for t in targets if t.name != "B"]
    lines = ["| ratio to B | scenario | " + " | ".join(others) + " |", "|---|---|" + "---:|" * len(others)]
    for metric, label in (("rps", "req/s"), ("p99", "p99 latency"), ("rss_mb", "RSS")):
        for scenario in SCENARIOS:
            base = summary.get(("B", scenario.key))
            if not base:
                continue
            cells = [ratio(summary[(n, scenario.key)][metric], base[metric]) if (n, scenario.key) in summary else "–"
                     for n in others]
            lines.append(f"| {label} | {scenario.title} | " + " | ".join(cells) + " |")
    return lines


def rounds_table(targets: list[Target], summary: dict, rounds: int) -> list[str]:
    lines = ["| scenario | target | " + " | ".join(f"round {i + 1}" for i in range(rounds)) + " |",
             "|---|---|" + "---:|" * rounds,
             "| load average at round start | | " + " | ".join(LOADS[:rounds]) + " |"]
    for scenario in SCENARIOS:
        for target in targets:
            s = summary.get((target.name, scenario.key))
            if s:
                lines.append(f"| {scenario.key} | {target.name} | " + " | ".join(fmt(v) for v in s["rounds"]) + " |")
    return lines


def handover_cost(summary: dict, name: str) -> tuple[float | None, float | None]:
    a, b = summary.get((name, "hello-close")), summary.get(("B", "hello-close"))
    if not a or not b:
        return None, None
    concurrency = next(s.connections for s in SCENARIOS if s.key == "hello-close")
    by_throughput = (1 / a["rps"] - 1 / b["rps"]) * concurrency * 1e6
    by_p50 = (a["p50"] - b["p50"]) * 1000
    return by_throughput, by_p50


def targets_check(summary: dict, names: list[str]) -> list[str]:
    lines = ["| target (issue 6) | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]

    def rps_ratio(name: str, key: str) -> float | None:
        a, b = summary.get((name, key)), summary.get(("B", key))
        return a["rps"] / b["rps"] if a and b and b["rps"] else None

    def verdict(ok: bool | None, detail: str) -> str:
        return "–" if ok is None else f"{'PASS' if ok else 'FAIL'} ({detail})"

    rows = []
    errors = {n: sum(s["errors"] for (t, _), s in summary.items() if t == n) for n in names}
    rows.append(("zero errors in every scenario",
                 [verdict(errors[n] == 0, f"{errors[n]} errors") for n in names]))
    for key, label, floor in (("hello-ka", "keep-alive /hello ≥ 0.9×B", 0.9),
                              ("hello-close", "Connection: close /hello ≥ 0.8×B", 0.8),
                              ("cpu", "/cpu ≥ 0.9×B", 0.9),
                              ("sleep", "/sleep ≥ 0.9×B", 0.9)):
        cells = []
        for n in names:
            r = rps_ratio(n, key)
            cells.append(verdict(None if r is None else r >= floor, f"{r:.2f}" if r is not None else ""))
        rows.append((label, cells))
    cells = []
    for n in names:
        a, c = summary.get((n, "hello-close")), summary.get(("C", "hello-close"))
        cells.append(verdict(None if not a or not c else a["rps"] > c["rps"],
                             f"{a['rps'] / c['rps']:.2f}×C" if a and c else ""))
    rows.append(("faster than C on connection-per-request", cells))
    lines += [f"| {label} | " + " | ".join(cells) + " |" for label, cells in rows]
    return lines


def prefork_section(targets: list[Target], summary: dict, starts: dict, recovery: list[dict]) -> list[str]:
    lines = []
    all_starts = starts["initial"] + starts["replacement"]
    lines.append(f"- **Worker cold start** (spawn → ready, from the master's `ready in` lines): median "
                 f"**{fmt(median(all_starts), 1)} s** over {len(all_starts)} workers; pool boot "
                 f"(workers starting together) {fmt(median(starts['initial']), 1)} s "
                 f"(n={len(starts['initial'])}), replacements after kill -9 "
                 f"{fmt(median(starts['replacement']), 1)} s (n={len(starts['replacement'])}).")
    times = [r["recovery_s"] for r in recovery]
    probes_ok = sum(r["probe"].get("ok", 0) for r in recovery)
    probes_failed = sum(r["probe"].get("failed", 0) for r in recovery)
    failure_detail = [f for r in recovery for f in r["probe"].get("failures", [])]
    lines.append(f"- **Pool recovery** after `kill -9` of a worker of A (kill → master logs the replacement "
                 f"`ready in`): median **{fmt(median(times), 2)} s** of {len(times)} "
                 f"({', '.join(fmt(t, 2) for t in times)} s). Meanwhile a probe sent `GET /hello` on a new "
                 f"connection every 20 ms: {probes_ok} answered 200, {probes_failed} failed"
                 + (": " + "; ".join(failure_detail[:5]) if failure_detail else "") + ".")
    for name in ("A2", "A2 unsticky"):
        d, b = summary.get((name, "dispatch")), summary.get(("B", "dispatch"))
        if d:
            lines.append(f"- **Dispatch capacity** ({name}, connection-per-request `/hello`, -c64): "
                         f"**{fmt(d['rps'])} connections/s** handed over (direct Tomcat B: "
                         f"{fmt(b['rps']) if b else '–'}/s, ratio {ratio(d['rps'], b['rps'] if b else None)}), "
                         f"errors {error_text(d)}; the master spent **{fmt(d['master_us'], 1)} µs CPU per "
                         f"connection** (utime+stime of the master pid from /proc/<pid>/stat around the run, "
                         f"÷ requests completed; 10 ms clock-tick resolution).")
    for name, key in ([(t.name, "hello-close") for t in targets if t.prefork]
                      + [("A2", "dispatch"), ("A2 unsticky", "dispatch")]):
        s = summary.get((name, key))
        if s:
            busy = sorted(((v, k) for k, v in s["master_threads"].items() if v and v >= 0.5), reverse=True)
            lines.append(f"- Master CPU per connection, {name}, {key}: {fmt(s['master_us'], 1)} µs; by master thread: "
                         + (", ".join(f"{k} {v:.0f}" for v, k in busy) or "–") + " µs.")
    rss = [f"{t.name} {summary[(t.name, 'hello-ka')]['master_rss_mb']:.0f} MB of "
           f"{summary[(t.name, 'hello-ka')]['rss_mb']:.0f} MB" for t in targets
           if t.prefork and (t.name, "hello-ka") in summary]
    if rss:
        lines.append("- **Master RSS** (after keep-alive /hello; the rest is the workers): " + ", ".join(rss) + ".")
    for name in [t.name for t in targets if t.prefork]:
        by_rps, by_p50 = handover_cost(summary, name)
        if by_rps is not None:
            lines.append(f"- **Hand-over cost** {name} vs B: **{fmt(by_rps, 0)} µs** per new connection from "
                         f"throughput, {fmt(by_p50, 0)} µs from p50 latency"
                         + (" (negative: B was slower in this run — machine noise exceeds the effect)"
                            if by_rps < 0 or by_p50 < 0 else "") + ".")
    lines.append("")
    lines.append("  How the hand-over cost is computed: in the Connection: close `/hello` runs each of the c=16 "
                 "wrk connections always has exactly one request in flight, so the time one request+connection "
                 "takes end to end is c / (req/s). The extra time per new connection is then "
                 "(1/rps_A − 1/rps_B) × c. The p50 variant is p50_A − p50_B from the same runs. Both include "
                 "the master's accept + SCM_RIGHTS send + worker receive/ack, and, on a machine with as many "
                 "busy processes as cores, the CPU the master takes away from everything else.")
    return lines


def busy_warning(loads: list[str]) -> list[str]:
    """A loud note when other work loaded the machine (1-minute load average above 1.5 × cores)."""
    peaks = [float(l.split()[0]) for l in LOADS + loads if l]
    if peaks and max(peaks) > 1.5 * NPROC:
        return [f"**Machine busy:** the 1-minute load average reached {max(peaks):.1f} on {NPROC} cores during "
                "this run (other work shared the CPUs). Absolute figures are depressed and noisy; the "
                "interleaved ratios are the best estimate this run can give.", ""]
    return []


def render(args, targets, results, summary, starts, recovery, findings, machine, leftovers, started_at,
           elapsed, loads) -> str:
    names_prefork = [t.name for t in targets if t.prefork]
    command = " ".join(["bench/run"] + args.argv)
    lines = [f"# Prefork benchmark — {started_at:%Y-%m-%d %H:%M:%S}", "",
             f"`{command}` — {args.rounds} round(s) × {args.duration:g} s per scenario, warm-up {args.warmup:g} s per "
             f"scenario, {args.kills} kill(s); total {elapsed / 60:.1f} min. Medians across rounds "
             f"(errors: sum across rounds). Load average before/after: {loads[0]} / {loads[1]}.", "",
             ] + busy_warning(loads) + ["## Machine", "", "| | |", "|---|---|"] + machine + ["", "## Targets", ""]
    for target in targets:
        lines.append(f"- **{target.name}** — {target.description}")
    lines += ["", f"Dispatch modes (target D): {', '.join(DISPATCH_MODES)}; the default mode "
                  f"`{DEFAULT_DISPATCH}` is target A itself (the master of A, A2 and each D logs the mode it "
                  f"runs; checked)."] + [f"{note}" for note in NOTES] + [""]
    if NPROC == max(NPROC, 2):
        lines += [f"On this machine the default worker count equals the number of cores ({NPROC}), so A and A2 "
                  "run the same configuration: the difference between them is run-to-run noise.", ""]
    lines += ["## Results", "", "×B = requests/s relative to B (plain Tomcat) in the same run. "
              "RSS = VmRSS summed over the target's whole process tree (master + workers; for C the JVMs + "
              "nginx), measured right after each run.", ""]
    lines += results_table(targets, summary)
    lines += ["", "## Ratios against B", ""] + ratio_table(targets, summary)
    lines += ["", "## Prefork internals", ""] + prefork_section(targets, summary, starts, recovery)
    lines += ["", "## Issue targets (ratios vs B, same run)", ""] + targets_check(summary, names_prefork)
    lines += ["", "## Requests/s per round (noise check)", ""] + rounds_table(targets, summary, args.rounds)
    lines += ["", "## Log findings", ""]
    if findings:
        lines.append(f"{len(findings)} WARN/ERROR/exception line(s) in the targets' output "
                     "(lines about the workers this benchmark killed with SIGKILL excluded); first 15:")
        lines += ["", "```"] + findings[:15] + ["```"]
    else:
        lines.append("No WARN/ERROR/exception lines in any target's output, apart from the kills this "
                     "benchmark made on purpose.")
    changes = [f"{t} {s}: {r['worker_change']}" for (t, s), runs in results.items()
               for r in runs if "worker_change" in r]
    if changes:
        lines += ["", "Worker pids changed during runs:", ""] + [f"- {c}" for c in changes]
    lines += ["", f"Processes left running after cleanup: {leftovers or 'none'}.", ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------

def parse_args(argv: list[str]) -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(description="prefork vs plain Tomcat vs nginx + N JVMs")
    parser.add_argument("--duration", type=float, default=float(env("BENCH_DURATION", 3)),
                        help="seconds per measured wrk run (env BENCH_DURATION, default 3)")
    parser.add_argument("--rounds", type=int, default=int(env("BENCH_ROUNDS", 4)),
                        help="interleaved rounds; medians are reported (env BENCH_ROUNDS, default 4)")
    parser.add_argument("--warmup", type=float, default=float(env("BENCH_WARMUP", 2)),
                        help="seconds of warm-up per target and scenario (env BENCH_WARMUP, default 2)")
    parser.add_argument("--kills", type=int, default=int(env("BENCH_KILLS", 3)),
                        help="kill -9 recoveries to time (env BENCH_KILLS, default 3)")
    parser.add_argument("--quick", action="store_true",
                        help="try it out: 2 s runs, 1 round, 1 s warm-up, 1 kill")
    parser.add_argument("--build", action="store_true", help="rebuild the sample jar even if it exists")
    parser.add_argument("--keep-temp", action="store_true", help="keep the temp dir with every log")
    args = parser.parse_args(argv)
    if args.quick:
        args.duration, args.rounds, args.warmup, args.kills = 2, 1, 1, 1
    args.argv = argv
    return args


def main(argv: list[str]) -> int:
    if argv[:1] == ["coldstart"]:
        import coldstart
        return coldstart.main(argv[1:])
    args = parse_args(argv)
    started_at, t0 = dt.datetime.now(), time.monotonic()
    install_signal_handlers()
    ensure_tools()
    ensure_jar(args.build)
    tmp = Path(tempfile.mkdtemp(prefix="prefork-bench-"))
    # A private copy: other builds may replace the jar in target/ while the benchmark runs.
    jar = tmp / JAR.name
    shutil.copy2(JAR, jar)
    lua = tmp / "report.lua"
    lua.write_text(WRK_LUA)
    raw_log = tmp / "wrk.log"
    log(f"temp dir {tmp}")
    targets, ok, leftovers = [], False, []
    loads = [load_average(), ""]
    try:
        targets = start_targets(jar, tmp)
        log("warming up")
        warm_up(targets, args.warmup, lua, raw_log)
        results = run_rounds(targets, args.rounds, args.duration, lua, raw_log)
        loads[1] = load_average()
        summary = summarize(results)
        log("measuring pool recovery after kill -9")
        target_a = next(t for t in targets if t.name == "A")
        recovery = measure_recovery(target_a, args.kills)
        starts = cold_starts(targets, recovery)
        findings = scan_logs(targets, {r["victim"] for r in recovery})
        machine = machine_description(jar)
        ok = True
    finally:
        ignore_signals()
        log("stopping every process this benchmark started")
        leftovers = stop_everything()
        if leftovers:
            log(f"WARNING: still running after SIGKILL: {leftovers}")
        if ok and not args.keep_temp:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            jar.unlink(missing_ok=True)
            log(f"logs kept in {tmp}")
    report = render(args, targets, results, summary, starts, recovery, findings, machine, leftovers, started_at,
                    time.monotonic() - t0, loads)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{started_at:%Y%m%d-%H%M%S}.md"
    out.write_text(report)
    print(report)
    log(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt as ex:
        print(f"interrupted ({ex}); every process started was stopped", file=sys.stderr)
        sys.exit(130)
