"""What every benchmark of bench/ shares: paths, processes by pid, ports, wrk, /proc readers,
prefork targets and their logs, report helpers.

bench.py (prefork vs the alternatives), coldstart.py (worker cold start) and chaos.py (worker
loss under load) import this module; it imports none of them. Python 3.11, standard library only.
"""

from __future__ import annotations

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
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent          # the repository (worktree) root
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
JAR = ROOT / "sample-app" / "target" / "sample-app-0.1.0-SNAPSHOT.jar"
NPROC = os.cpu_count() or 1

# Arguments every JVM of every target gets.
COMMON_ARGS = ["--server.address=127.0.0.1", "--logging.level.root=WARN",
               "--logging.level.io.prefork=INFO"]

READY_LINE = re.compile(r"^(\S+)\s.*\bworker (\d+) pid (\d+) ready in ([\d.]+) s")
MASTER_LINE = re.compile(r"Prefork master pid \d+ listening on .*\bdispatch ([\w-]+)")
# The master's class-data sharing (ClassDataSharing.java) has settled: an archive was trained
# (or found), or workers start without one for good.
ARCHIVE_TRAINED = re.compile(r"Class-data archive \S+ ready")
ARCHIVE_SETTLED = re.compile(r"Class-data archive \S+ ready|Workers start without a class-data archive"
                             r"|Workers start from the class-data archive"
                             r"|Class-data sharing of workers is left to the command line")
ARCHIVE_TRAINING = re.compile(r"Training a class-data archive for workers")

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


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def load1() -> float:
    """The 1-minute load average."""
    return float(Path("/proc/loadavg").read_text().split()[0])


# --------------------------------------------------------------------------------------------
# /proc readers
# --------------------------------------------------------------------------------------------

def _stat_fields(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (field 3 onwards)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2:].split()


def proc_start_time(pid: int) -> str | None:
    fields = _stat_fields(pid)
    return fields[19] if fields else None


def is_zombie(pid: int) -> bool:
    fields = _stat_fields(pid)
    return fields is None or fields[0] == "Z"


def children(pid: int) -> list[int]:
    result = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            result += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            pass
    return result


def cpu_seconds(pid: int) -> float | None:
    """utime + stime of one process (not its children), None if it is gone."""
    fields = _stat_fields(pid)
    if fields is None:
        return None
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


def pss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


# --------------------------------------------------------------------------------------------
# Process bookkeeping: every process we start, and every descendant we ever saw, by pid
# --------------------------------------------------------------------------------------------

STARTED: list[subprocess.Popen] = []
SEEN: dict[int, str] = {}            # pid -> start time (field 22 of /proc/pid/stat)


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


def alive_as_seen(pid: int) -> bool:
    return pid in SEEN and proc_start_time(pid) == SEEN[pid]


def start_process(argv: list[str], log_path: Path, cwd: Path) -> subprocess.Popen:
    out = open(log_path, "ab")
    # Own session: a terminal's Ctrl-C reaches only this script, which stops everything in order.
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                            cwd=cwd, start_new_session=True)
    out.close()
    STARTED.append(proc)
    SEEN[proc.pid] = proc_start_time(proc.pid) or ""
    return proc


def kill_seen(pid: int, sig: int = signal.SIGKILL) -> bool:
    """Signal a pid only if it is still the process we saw (not a reused pid)."""
    if not alive_as_seen(pid):
        return False
    try:
        os.kill(pid, sig)
        return True
    except ProcessLookupError:
        return False


def stop_processes(procs: list[subprocess.Popen], timeout: float = 40) -> None:
    """SIGTERM these roots (their descendants remembered first), wait, then SIGKILL what is left
    of them and of every descendant seen."""
    tree = set()
    for proc in procs:
        tree.update(process_tree(proc.pid))
    for proc in procs:
        if proc.poll() is None:
            try:
                proc.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(p.poll() is not None for p in procs) and not any(alive_as_seen(p) and not is_zombie(p) for p in tree):
            break
        time.sleep(0.1)
    for pid in tree:
        if alive_as_seen(pid) and not is_zombie(pid):
            log(f"pid {pid} still running after SIGTERM: SIGKILL")
            kill_seen(pid)
    for proc in procs:
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


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


def clean_up(tmp: Path, keep: bool, jar: Path | None = None) -> list[int]:
    """Stop every process started (by pid); delete the temp dir unless it is kept (asked for, or the
    run failed), then only the private jar copy goes. Returns the pids still running."""
    log("stopping every process this benchmark started")
    leftovers = stop_everything()
    if leftovers:
        log(f"WARNING: still running after SIGKILL: {leftovers}")
    if not keep:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        if jar is not None:
            jar.unlink(missing_ok=True)
        log(f"logs kept in {tmp}")
    return leftovers


def run_main(main) -> None:
    """Run a script's main(argv) and exit with its code; Ctrl-C still stops what it started."""
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt as ex:
        print(f"interrupted ({ex}); every process started was stopped", file=sys.stderr)
        sys.exit(130)


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

def ensure_tools(tools=(("wrk", "wrk"), ("nginx", "nginx-light"))) -> None:
    missing = [pkg for tool, pkg in tools if not shutil.which(tool)]
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


def private_jar(tmp: Path) -> Path:
    """A private copy: other builds may replace the jar in target/ while a benchmark runs."""
    jar = tmp / JAR.name
    shutil.copy2(JAR, jar)
    return jar


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------------------------
# Targets: a prefork master or plain JVMs on 127.0.0.1
# --------------------------------------------------------------------------------------------

@dataclass
class Target:
    name: str                       # A, A2, B, C, D <mode>, ...
    description: str
    prefork: bool
    port: int = 0
    workers: int = 0                # expected prefork workers ("ready in" lines)
    procs: list = field(default_factory=list)      # Popen objects we started (roots)
    logs: list = field(default_factory=list)       # log file paths
    master: subprocess.Popen | None = None
    notes: list = field(default_factory=list)      # what happened to it worth reporting

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start_jvm(target: Target, jar: Path, port: int, extra: list[str], tmp: Path, tag: str,
              jvm: list[str] = ()) -> subprocess.Popen:
    log_path = tmp / f"{tag}.log"
    argv = ["java"] + list(jvm) + ["-jar", str(jar), f"--server.port={port}"] + COMMON_ARGS + extra
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


def start_plain(name: str, description: str, jar: Path, tmp: Path, extra: list[str] = ()) -> Target:
    target = Target(name, description, prefork=False, port=free_port())
    start_jvm(target, jar, target.port, ["--server.prefork.enabled=false"] + list(extra), tmp,
              name.replace(" ", "_"))
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


def log_text(target: Target) -> str:
    return target.logs[0].read_text(errors="replace") if target.logs else ""


def ready_lines(target: Target) -> list[re.Match]:
    return [m for m in map(READY_LINE.match, log_text(target).splitlines()) if m]


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


def wait_archive(log_path: Path, proc: subprocess.Popen, timeout: float = 300) -> str | None:
    """Wait until the master's class-data sharing has settled (ClassDataSharing logs an archive
    ready, found, or given up). Returns that line, or None for a master that never started
    training (an older jar, or no class-data logging): nothing to wait for."""
    deadline = time.monotonic() + timeout
    while True:
        text = log_path.read_text(errors="replace")
        found = ARCHIVE_SETTLED.search(text)
        if found:
            return found.group(0)
        if not ARCHIVE_TRAINING.search(text):
            return None
        if proc.poll() is not None:
            raise RuntimeError(f"master exited with {proc.returncode} while training; see {log_path}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"no class-data archive within {timeout:.0f} s; see {log_path}")
        time.sleep(0.2)


def target_dispatch(target: Target) -> str | None:
    """The dispatch mode the master says it uses (None for targets without a master)."""
    if not target.prefork:
        return None
    match = MASTER_LINE.search(log_text(target))
    return match.group(1) if match else "unknown"


def stop_target(target: Target) -> None:
    stop_processes(target.procs)


def target_pids(target: Target) -> list[int]:
    pids = []
    for proc in target.procs:
        pids += process_tree(proc.pid)
    return pids


# --------------------------------------------------------------------------------------------
# Load: wrk
# --------------------------------------------------------------------------------------------

def write_wrk_script(tmp: Path) -> Path:
    lua = tmp / "report.lua"
    lua.write_text(WRK_LUA)
    return lua


def run_wrk(url: str, connections: int, seconds: float, lua: Path, raw_log: Path, close: bool = False,
            timeout: float | None = None) -> dict:
    """One wrk run (threads = cores, --latency); its summary from the Lua `done` hook. wrk counts a
    request slower than its timeout (default 2 s) as a timeout error and leaves it out of the
    latency figures: pass a longer `timeout` where slow requests must show in max/p99."""
    threads = max(1, min(NPROC, connections))
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency", "-s", str(lua)]
    if timeout:
        argv += ["--timeout", f"{timeout:g}s"]
    if close:
        argv += ["-H", "Connection: close"]
    argv.append(url)
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


# --------------------------------------------------------------------------------------------
# Pool recovery after kill -9 (bench.py for target A, coldstart.py for the defaults step)
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
        process_tree(target.master.pid)                 # remembered for cleanup
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


def scan_logs(targets: list[Target], killed: set[int]) -> list[str]:
    """WARN/ERROR lines and exceptions in every target's output (lines about the workers a
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
# Report helpers
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
    wrk = command_output(["wrk", "--version"]).splitlines()[0] if shutil.which("wrk") else "not installed"
    nginx = command_output(["nginx", "-v"]) if shutil.which("nginx") else "not installed"
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


def fmt(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def busy_warning(peak_load1: float | None) -> list[str]:
    """A loud note when other work loaded the machine (1-minute load average above 1.5 × cores)."""
    if peak_load1 is not None and peak_load1 > 1.5 * NPROC:
        return [f"**Machine busy:** the 1-minute load average reached {peak_load1:.1f} on {NPROC} cores during "
                "this run (other work shared the CPUs). Absolute figures are depressed and noisy; ratios "
                "measured side by side are the best estimate this run can give.", ""]
    return []


def write_report(text: str, name: str) -> Path:
    """bench/results/<name>.md, and the report on stdout."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{name}.md"
    out.write_text(text)
    print(text)
    log(f"wrote {out.relative_to(ROOT)}")
    return out
