#!/usr/bin/env python3
"""Warm-up curve on a realistic page (issue 20): `bench/run warmup`.

The sample's realistic profile serves GET /owners (and /owners/{id}): a dozen owners with pets
and visits read through Spring Data JPA/Hibernate and rendered with Thymeleaf, from one database
shared by all workers. This benchmark starts that database (a private PostgreSQL cluster in a temp
dir on a free loopback port when PostgreSQL is installed or installable, else an H2 file served by
the first JVM with AUTO_SERVER), then, one target at a time (never both alive):

- prefork with the product's defaults (2 workers on 2 cores, class-data archive trained once
  beforehand, alone, with the same arguments, as a user's second start would have it);
- plain Tomcat: the same jar with --server.prefork.enabled=false.

Each target is started fresh; from the moment it is ready (prefork: every worker logged ready;
both: the page answers 200), `wrk -t2 -c16` runs on the page in consecutive windows (default
10 s) for the curve (default 180 s), then once more for the steady state (default 30 s). Per
window: req/s, p99 and max latency, errors, the 1-minute load average; prefork ÷ plain per
window. Per JVM, CPU time by thread kind (JIT compilers, GC/VM thread, the rest) at the end of
the curve and of the steady state. Writes bench/results/warmup-<timestamp>.md and prints it.
Every process (JVMs, PostgreSQL) is stopped by pid, also on Ctrl-C; the cluster is deleted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import common as c

PG_USER = "bench"
# wrk leaves requests slower than its timeout (default 2 s) out of the latency figures: a cold
# worker's slow requests must show in max and p99, so only a request stuck this long is an error.
WRK_TIMEOUT = 30
RELOAD_WINDOW = 5                  # seconds per window of the rolling restart (SIGHUP) phase


# --------------------------------------------------------------------------------------------
# The database: a private PostgreSQL cluster, or an H2 file
# --------------------------------------------------------------------------------------------

def pg_bindir() -> Path | None:
    found = shutil.which("pg_config")
    if found:
        done = subprocess.run([found, "--bindir"], capture_output=True, text=True)
        candidate = Path(done.stdout.strip())
        if (candidate / "initdb").exists() and (candidate / "postgres").exists():
            return candidate
    for bindir in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(bindir, "initdb").exists() and Path(bindir, "postgres").exists():
            return Path(bindir)
    return None


class Database:
    """What the realistic profile is pointed at: arguments for every JVM, plus the PostgreSQL
    server process when there is one."""

    def __init__(self) -> None:
        self.kind = "none"
        self.args: list[str] = []
        self.description = ""
        self.proc: subprocess.Popen | None = None
        self.dir: Path | None = None
        self.notes: list[str] = []

    def start(self, wanted: str, tmp: Path) -> None:
        if wanted in ("auto", "postgres"):
            try:
                self._start_postgres()
                return
            except (OSError, RuntimeError, subprocess.SubprocessError) as ex:
                if wanted == "postgres":
                    raise
                self.stop()
                self.notes.append(f"PostgreSQL unavailable ({ex}): fell back to an H2 file")
                c.log(f"PostgreSQL unavailable ({ex}); using an H2 file database")
        self.kind = "h2"
        h2 = tmp / "clinic"
        self.args = [f"--sample.realistic.h2-file={h2}"]
        self.description = (f"H2 file {h2}.mv.db, AUTO_SERVER: the first JVM to open it serves it to the others "
                            "over TCP (under prefork one worker reads locally, the other through it)")

    def _start_postgres(self) -> None:
        bindir = pg_bindir()
        if bindir is None:
            c.ensure_tools((("initdb", "postgresql"),))      # Debian's package, with apt-get
            bindir = pg_bindir()
        if bindir is None:
            raise RuntimeError("no initdb/postgres binaries found")
        # A cluster dir the server's user owns, outside the benchmark's private (0700) temp dir.
        self.dir = Path(tempfile.mkdtemp(prefix="prefork-warmup-pg-"))
        data = self.dir / "data"
        as_user: list[str] = []
        if os.geteuid() == 0:            # initdb and postgres refuse to run as root
            shutil.chown(self.dir, "postgres", "postgres")
            as_user = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"]
        done = subprocess.run(as_user + [str(bindir / "initdb"), "-D", str(data), "-U", PG_USER, "--auth=trust",
                                         "-E", "UTF8", "--no-sync", "--no-instructions"],
                              capture_output=True, text=True, timeout=300, cwd=self.dir)
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed: {(done.stderr or done.stdout).strip()[-400:]}")
        port = c.free_port()
        argv = as_user + [str(bindir / "postgres"), "-D", str(data), "-h", "127.0.0.1", "-p", str(port),
                          "-k", str(self.dir), "-c", "fsync=off", "-c", "synchronous_commit=off",
                          "-c", "full_page_writes=off", "-c", "max_connections=100", "-c", "shared_buffers=64MB"]
        self.proc = c.start_process(argv, self.dir / "postgres.log", self.dir)
        deadline = time.monotonic() + 120
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"postgres exited with {self.proc.returncode}: "
                                   f"{(self.dir / 'postgres.log').read_text(errors='replace')[-400:]}")
            ready = subprocess.run([str(bindir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port)],
                                   capture_output=True, timeout=30)
            if ready.returncode == 0:
                break
            if time.monotonic() > deadline:
                raise RuntimeError("postgres not ready within 120 s")
            time.sleep(0.3)
        c.process_tree(self.proc.pid)
        version = c.command_output([str(bindir / "postgres"), "--version"])
        self.kind = "postgres"
        self.args = [f"--spring.datasource.url=jdbc:postgresql://127.0.0.1:{port}/postgres",
                     f"--spring.datasource.username={PG_USER}", "--spring.datasource.password="]
        self.description = (f"{version}, private cluster on 127.0.0.1:{port} (pid {self.proc.pid}; fsync off; "
                            "trust auth), deleted afterwards")
        c.log(f"PostgreSQL ready: {self.description}")

    def stop(self) -> None:
        """Fast shutdown (SIGINT) of the postmaster by pid, SIGKILL of its tree if it lingers, and
        the cluster dir deleted. Safe to call twice."""
        if self.proc is not None:
            tree = c.process_tree(self.proc.pid)
            if self.proc.poll() is None:
                try:
                    self.proc.send_signal(signal.SIGINT)
                except ProcessLookupError:
                    pass
                try:
                    self.proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    pass
            for pid in tree:
                if c.alive_as_seen(pid) and not c.is_zombie(pid):
                    c.log(f"postgres pid {pid} still running: SIGKILL")
                    c.kill_seen(pid)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            self.proc = None
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None


# --------------------------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------------------------

def app_args(args, db: Database) -> list[str]:
    return ["--spring.profiles.active=realistic"] + db.args


def jfr_option(tmp: Path, tag: str) -> str:
    directory = tmp / "jfr" / tag
    directory.mkdir(parents=True, exist_ok=True)
    # A directory as filename: every JVM writes its own recording there (named by pid and time).
    return f"-XX:StartFlightRecording=settings=profile,dumponexit=true,filename={directory}"


def prefork_extra(args, db: Database, tmp: Path, workers: int | None = None) -> list[str]:
    extra = app_args(args, db) + [f"--server.prefork.timeouts.boot={args.boot_timeout}"]
    workers = workers or args.workers
    if workers:
        extra.append(f"--server.prefork.workers={workers}")
    if args.jfr:
        extra.append(f"--server.prefork.worker.jvm-options={jfr_option(tmp, 'prefork')}")
    return extra + args.prefork_arg


def train_archive(args, db: Database, jar: Path, tmp: Path) -> str:
    """The workers' class-data archive, trained once, alone, with the measured target's arguments
    (its key includes the workers' JVM options), so the measured start finds it as a user's
    second start would."""
    # The same worker JVM options (a JFR option included: they are part of the archive's key), so
    # with --jfr the training worker's recording lands next to the measured workers' (the oldest).
    trainer = c.start_prefork("archive training", "", jar, tmp, prefork_extra(args, db, tmp, workers=1), 1)
    try:
        c.wait_ready(trainer, timeout=args.ready_timeout)
        line = c.wait_archive(trainer.logs[0], trainer.master, timeout=args.ready_timeout)
        return line or "this jar does not train one"
    finally:
        c.stop_target(trainer)


def wait_page(target: c.Target, path: str, timeout: float) -> None:
    c.wait_http(target.url + path, target.procs[-1], target.name, timeout)


def jvm_cpu(target: c.Target) -> list[dict]:
    """CPU seconds per JVM of the target by thread kind (from /proc, no agent)."""
    rows = []
    roots = {p.pid for p in target.procs}
    for pid in c.target_pids(target):
        threads = c.thread_cpu_seconds(pid)
        if not threads:
            continue
        jit = sum(v for k, v in threads.items() if k in ("C1 JIT", "C2 JIT"))
        gc = sum(v for k, v in threads.items() if k.startswith(("G1 ", "GC Thread", "VM Thread")))
        total = sum(threads.values())
        role = ("master" if target.prefork else "JVM") if pid in roots else "worker"
        rows.append({"pid": pid, "role": role, "c1": threads.get("C1 JIT", 0.0), "c2": threads.get("C2 JIT", 0.0),
                     "jit": jit, "gc": gc, "total": total, "other": total - jit - gc})
    return rows


def dump_jfr(target: c.Target, tmp: Path) -> list[str]:
    """Each recording JVM's recording so far, dumped with jcmd while it still runs: not every
    worker's dump-on-exit lands (one of two was missing in a smoke run), and this one ends exactly
    at the end of the measurement. The master records nothing (its jcmd fails and is skipped)."""
    jcmd = shutil.which("jcmd") or str(Path(os.environ.get("JAVA_HOME", "/nonexistent"), "bin", "jcmd"))
    roots = {p.pid for p in target.procs}
    dumped = []
    for pid in c.target_pids(target):
        if target.prefork and pid in roots:
            continue
        out = tmp / "jfr" / f"{target.name.replace(' ', '_')}-{pid}-at-end.jfr"
        try:
            done = subprocess.run([jcmd, str(pid), "JFR.dump", "name=1", f"filename={out}"], capture_output=True,
                                  text=True, timeout=120)
            if out.exists():
                dumped.append(str(out))
            else:
                c.log(f"JFR.dump of pid {pid} wrote nothing: {(done.stdout + done.stderr).strip()[-200:]}")
        except (OSError, subprocess.TimeoutExpired) as ex:
            c.log(f"JFR.dump of pid {pid} failed: {ex}")
    return dumped


def measure(args, target: c.Target, tmp: Path, lua: Path) -> dict:
    """From ready: the curve in consecutive windows, then the steady state."""
    url = target.url + args.path
    raw = tmp / f"wrk-{target.name.replace(' ', '_')}.log"
    result = {"target": target, "windows": [], "notes": list(target.notes)}
    started = time.monotonic()
    c.wait_ready(target, timeout=args.ready_timeout)
    wait_page(target, args.path, args.ready_timeout)
    ready_at = time.monotonic()
    result["ready_s"] = ready_at - started
    result["boots"] = [float(m.group(4)) for m in c.ready_lines(target)]
    c.process_tree(target.procs[-1].pid)
    c.log(f"{target.name} ready after {result['ready_s']:.1f} s; curve: {args.curve:g} s in {args.window:g} s windows")
    for _ in range(max(1, round(args.curve / args.window))):
        offset = time.monotonic() - ready_at
        load = c.load1()
        run = c.run_wrk(url, args.connections, args.window, lua, raw, timeout=WRK_TIMEOUT)
        run.update(offset=offset, load1=load)
        result["windows"].append(run)
        c.log(f"{target.name} +{offset:5.1f} s: {run['rps']:8.1f} req/s, p99 {run['p99'] / 1000:7.1f} ms, "
              f"max {run['max'] / 1000:7.1f} ms, errors {run['errors']}, load {load:.1f}")
    result["cpu_curve"] = jvm_cpu(target)
    if args.steady > 0:
        load = c.load1()
        offset = time.monotonic() - ready_at
        run = c.run_wrk(url, args.connections, args.steady, lua, raw, timeout=WRK_TIMEOUT)
        run.update(offset=offset, load1=load)
        result["steady"] = run
        c.log(f"{target.name} steady from +{offset:.0f} s: {run['rps']:.1f} req/s, p99 {run['p99'] / 1000:.1f} ms")
        result["cpu_steady"] = jvm_cpu(target)
    if target.prefork and args.reload > 0:
        result["reload"] = measure_reload(args, target, url, lua, raw, result.get("steady"))
    if args.jfr:
        result["jfr"] = dump_jfr(target, tmp)
    if target.prefork:
        result["archive"] = next((m.group(0) for m in [c.ARCHIVE_SETTLED.search(c.log_text(target))] if m), None)
        if c.ARCHIVE_TRAINING.search(c.log_text(target)):
            result["notes"].append("this prefork start trained a class-data archive itself (a child JVM competing "
                                   "with the workers)")
        result["respawns"] = len(c.ready_lines(target)) - target.workers
    return result


def served_by_worker(target: c.Target) -> dict[int, tuple[str, int]]:
    """Each live worker's state and requests served so far, from /actuator/prefork (the
    scoreboard); empty if the endpoint does not answer."""
    try:
        with urllib.request.urlopen(target.url + "/actuator/prefork", timeout=10) as response:
            body = json.load(response)
    except (OSError, ValueError):
        return {}
    return {w["pid"]: (str(w["state"]).lower(), w["requestsServed"]) for w in body.get("workers", [])}


def first_window_of_new_worker(windows: list[dict], old_pids: set[int], steady_per_worker: float | None) -> dict | None:
    """The first window a replacement served from start to end: its requests against the old
    workers' in the same window (or, when none was left, against a worker's share of the steady
    state). Each window opens new connections, which the master deals out evenly, so a worker's
    requests in a window measure its speed."""
    for w in windows:
        before, after = w["served_before"], w["served_after"]
        whole = {pid: after[pid][1] - before[pid][1] for pid in after
                 if pid in before and before[pid][0] in ("idle", "busy") and after[pid][0] in ("idle", "busy")}
        new = {pid: n for pid, n in whole.items() if pid not in old_pids}
        if not new:
            continue
        old = [n for pid, n in whole.items() if pid in old_pids]
        pid, served = next(iter(new.items()))
        reference = sum(old) / len(old) if old else (steady_per_worker * RELOAD_WINDOW if steady_per_worker else None)
        return {"offset": w["offset"], "pid": pid, "served": served, "reference": reference,
                "against": "the old workers in the same window" if old else "a worker's share of the steady state"}
    return None


def measure_reload(args, target: c.Target, url: str, lua: Path, raw: Path, steady: dict | None) -> dict:
    """SIGHUP under load: every worker is replaced, one at a time, each new one (warmed up before
    ready, when warm-up paths are set) taking over from the old. Windows of 5 s until every
    worker has been replaced and one window more, for at most --reload seconds: requests/s
    against the steady state, the slowest request, and each worker's requests per window."""
    before = len(c.ready_lines(target))
    old_pids = set(served_by_worker(target))
    os.kill(target.master.pid, signal.SIGHUP)
    c.log(f"{target.name}: SIGHUP sent to master pid {target.master.pid}; rolling restart under load")
    windows, replaced_at = [], None
    while len(windows) * RELOAD_WINDOW < args.reload and (replaced_at is None or len(windows) <= replaced_at):
        offset, load = len(windows) * RELOAD_WINDOW, c.load1()
        served_before = served_by_worker(target)
        run = c.run_wrk(url, args.connections, RELOAD_WINDOW, lua, raw, timeout=WRK_TIMEOUT)
        run.update(offset=offset, load1=load, replaced=len(c.ready_lines(target)) - before,
                   served_before=served_before, served_after=served_by_worker(target))
        windows.append(run)
        c.log(f"{target.name} reload +{offset:3d} s: {run['rps']:8.1f} req/s, max {run['max'] / 1000:7.1f} ms, "
              f"errors {run['errors']}, new workers ready {run['replaced']}")
        if replaced_at is None and run["replaced"] >= target.workers:
            replaced_at = len(windows)
    steady_rps = steady["rps"] if steady else None
    return {"windows": windows, "steady_rps": steady_rps, "replaced": len(c.ready_lines(target)) - before,
            "first_new": first_window_of_new_worker(windows, old_pids,
                                                    steady_rps / target.workers if steady_rps else None)}


def run_prefork(args, db: Database, jar: Path, tmp: Path, lua: Path) -> dict:
    workers = args.workers or c.NPROC      # the product's default pool size is one worker per core
    extra = prefork_extra(args, db, tmp)
    description = "prefork, defaults" + (f" + {' '.join(extra[len(app_args(args, db)):])}")
    target = c.start_prefork("prefork", description, jar, tmp, extra, workers)
    try:
        return measure(args, target, tmp, lua)
    finally:
        c.stop_target(target)


def run_plain(args, db: Database, jar: Path, tmp: Path, lua: Path) -> dict:
    target = c.Target("plain Tomcat", "the same jar, --server.prefork.enabled=false", prefork=False,
                      port=c.free_port())
    jvm = [jfr_option(tmp, "plain")] if args.jfr else []
    c.start_jvm(target, jar, target.port, ["--server.prefork.enabled=false"] + app_args(args, db), tmp,
                "plain_Tomcat", jvm=jvm)
    try:
        return measure(args, target, tmp, lua)
    finally:
        c.stop_target(target)


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------

def render(args, results: dict, db: Database, archive: str | None, machine: list[str], started_at,
           elapsed: float, leftovers: list[int], tmp: Path | None) -> str:
    pre, plain = results.get("prefork"), results.get("tomcat")
    loads = [w["load1"] for r in results.values() for w in r["windows"]]
    out = [f"# Warm-up on a realistic page — {started_at:%Y-%m-%d %H:%M}", ""]
    out += c.busy_warning(max(loads) if loads else None)
    out += [f"`bench/run warmup {' '.join(args.argv)}` — {elapsed / 60:.1f} min. `wrk -t{min(c.NPROC, args.connections)} "
            f"-c{args.connections}` on `GET {args.path}` (sample app, `realistic` profile: Spring Data JPA/Hibernate "
            "+ Thymeleaf), each target started fresh and alone, measured from the moment it is ready "
            f"(curve {args.curve:g} s in {args.window:g} s windows, then {args.steady:g} s steady).", "",
            "| | |", "|---|---|"] + machine + [f"| database | {db.description} |"]
    if archive:
        out.append(f"| class-data archive | trained once before, alone: {archive} |")
    out.append("")
    out += ["## Targets", "", "| target | how | ready after start | worker boots (spawn → ready) |", "|---|---|---|---|"]
    for key in ("prefork", "tomcat"):
        r = results.get(key)
        if r:
            t = r["target"]
            boots = ", ".join(f"{b:.1f} s" for b in r.get("boots", [])) or "–"
            out.append(f"| {t.name} | {t.description} | {r['ready_s']:.1f} s | {boots} |")
    out.append("")
    out += ["## Warm-up curve", "",
            "Window start = seconds after the target was ready. Latencies in ms. ×plain = prefork ÷ plain Tomcat in the "
            "same window position (separate runs, minutes apart: the box's load differs).", "",
            "| window | prefork req/s | plain req/s | ×plain | prefork p99 | plain p99 | prefork max | plain max "
            "| errors (prefork / plain) | load1 (prefork / plain) |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    n = max(len(pre["windows"]) if pre else 0, len(plain["windows"]) if plain else 0)
    for i in range(n):
        a = pre["windows"][i] if pre and i < len(pre["windows"]) else None
        b = plain["windows"][i] if plain and i < len(plain["windows"]) else None
        start = (a or b)["offset"]
        get = lambda w, k, d=0: (w[k] / 1000 if k in ("p99", "max") else w[k]) if w else None
        out.append(f"| +{start:.0f} s | {c.fmt(get(a, 'rps'), 1)} | {c.fmt(get(b, 'rps'), 1)} | "
                   f"{c.ratio(get(a, 'rps'), get(b, 'rps'))} | {c.fmt(get(a, 'p99'), 1)} | {c.fmt(get(b, 'p99'), 1)} | "
                   f"{c.fmt(get(a, 'max'), 1)} | {c.fmt(get(b, 'max'), 1)} | "
                   f"{a['errors'] if a else '–'} / {b['errors'] if b else '–'} | "
                   f"{c.fmt(get(a, 'load1'), 1)} / {c.fmt(get(b, 'load1'), 1)} |")
    sa, sb = (pre or {}).get("steady"), (plain or {}).get("steady")
    if sa or sb:
        g = lambda w, k: (w[k] / 1000 if k in ("p99", "max") else w[k]) if w else None
        out.append(f"| **steady** (+{(sa or sb)['offset']:.0f} s, {args.steady:g} s) | **{c.fmt(g(sa, 'rps'), 1)}** | "
                   f"**{c.fmt(g(sb, 'rps'), 1)}** | **{c.ratio(g(sa, 'rps'), g(sb, 'rps'))}** | {c.fmt(g(sa, 'p99'), 1)} | "
                   f"{c.fmt(g(sb, 'p99'), 1)} | {c.fmt(g(sa, 'max'), 1)} | {c.fmt(g(sb, 'max'), 1)} | "
                   f"{sa['errors'] if sa else '–'} / {sb['errors'] if sb else '–'} | "
                   f"{c.fmt(g(sa, 'load1'), 1)} / {c.fmt(g(sb, 'load1'), 1)} |")
    out.append("")
    if pre and plain and pre["windows"] and plain["windows"]:
        first_minute = [(a["rps"], b["rps"]) for a, b in zip(pre["windows"], plain["windows"]) if a["offset"] < 60]
        if first_minute:
            ratios = [a / b for a, b in first_minute if b]
            out.append(f"First minute: prefork ÷ plain per window, in order: {', '.join(f'{r:.2f}' for r in ratios)} "
                       f"(issue 20 target: every window ≥ 0.8). Windows with a max latency over 1 s: prefork "
                       f"{sum(1 for w in pre['windows'] if w['max'] > 1e6)}, plain "
                       f"{sum(1 for w in plain['windows'] if w['max'] > 1e6)}.")
            out.append("")
    reload = (pre or {}).get("reload")
    if reload:
        steady_rps = reload["steady_rps"]
        out += ["## Rolling restart under load (SIGHUP)", "",
                f"SIGHUP to the master after the steady state, `wrk` going on in {RELOAD_WINDOW} s windows until every "
                f"worker was replaced and one window more (at most {args.reload} s); "
                f"×steady = the window's req/s ÷ prefork's steady state. New workers ready by the end: "
                f"{reload['replaced']} of {pre['target'].workers}.", "",
                "| window | req/s | ×steady | p99 ms | max ms | errors | new workers ready | load1 |",
                "|---|---|---|---|---|---|---|---|"]
        for w in reload["windows"]:
            out.append(f"| +{w['offset']} s | {c.fmt(w['rps'], 1)} | {c.ratio(w['rps'], steady_rps)} | "
                       f"{c.fmt(w['p99'] / 1000, 1)} | {c.fmt(w['max'] / 1000, 1)} | {w['errors']} | {w['replaced']} | "
                       f"{c.fmt(w['load1'], 1)} |")
        slow = sum(1 for w in reload["windows"] if w["max"] > 1e6)
        out += ["", f"Windows with a request over 1 s during the rolling restart: {slow} (issue 20 target: none).", ""]
        first = reload.get("first_new")
        if first and first["reference"]:
            out += [f"First window a replacement served from start to end (+{first['offset']} s): pid {first['pid']} "
                    f"served {first['served']} requests against {first['reference']:.0f} for {first['against']}: "
                    f"**{first['served'] / first['reference']:.2f}×** (issue 20 target: ≥ 0.8×; each window opens new "
                    "connections, which the master deals out evenly, so requests per worker measure its speed).", ""]
        else:
            out += ["No replacement served a whole window before the phase ended.", ""]
    out += ["## CPU per JVM by thread kind", "",
            "Seconds of CPU (utime + stime from `/proc/<pid>/task/*/stat`) since each JVM started, at the end of the "
            "curve and of the steady state: JIT = C1 + C2 compiler threads; GC/VM = GC threads and the VM thread "
            "(the serial collector, the workers' default, collects in the VM thread); other = request, Hibernate, "
            "start-up and every other thread.", "",
            "| target | when | JVM | pid | C1 | C2 | GC/VM | other | total |", "|---|---|---|---|---|---|---|---|---|"]
    for key in ("prefork", "tomcat"):
        r = results.get(key)
        if not r:
            continue
        for when, rows in (("end of curve", r.get("cpu_curve")), ("end of steady", r.get("cpu_steady"))):
            for row in rows or []:
                out.append(f"| {r['target'].name} | {when} | {row['role']} | {row['pid']} | {row['c1']:.1f} | "
                           f"{row['c2']:.1f} | {row['gc']:.1f} | {row['other']:.1f} | {row['total']:.1f} |")
    out.append("")
    notes = db.notes + [n for r in results.values() for n in r["notes"]]
    if pre and pre.get("respawns"):
        notes.append(f"prefork: {pre['respawns']} worker(s) more than the pool size logged ready (a worker was "
                     "replaced during the run: see the logs)")
    if args.jfr and tmp:
        dumps = [d for r in results.values() for d in r.get("jfr", [])]
        notes.append(f"JFR: {len(dumps)} recordings dumped with jcmd at the end of the measurement "
                     f"(`*-at-end.jfr`), plus whatever each JVM dumped at exit, in {tmp / 'jfr'}")
    if leftovers:
        notes.append(f"**still running after SIGKILL**: {leftovers}")
    out += ["## Notes", "",
            "- Each target runs alone, one after the other: the two curves are minutes apart, so on a shared machine "
            "the load average column matters as much as the ratio. Trust a ratio only when both load columns are "
            "low and similar.",
            "- Workers get the product's JVM defaults (serial GC, `-Xss512k`, `-Xms64m`); plain Tomcat runs with the "
            "JVM's own defaults (G1 on a 2-core, 2 GB+ machine). Part of any gap can be the collector."]
    out += [f"- {n}" for n in notes]
    out.append("")
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------

def parse_args(argv: list[str]) -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="bench/run warmup",
                                     description="warm-up curve on a realistic JPA + Thymeleaf page (issue 20)")
    parser.add_argument("--curve", type=int, default=int(env("WARMUP_CURVE", 180)),
                        help="seconds of consecutive windows after ready (env WARMUP_CURVE, default 180)")
    parser.add_argument("--window", type=int, default=int(env("WARMUP_WINDOW", 10)),
                        help="seconds per window (env WARMUP_WINDOW, default 10)")
    parser.add_argument("--steady", type=int, default=int(env("WARMUP_STEADY", 30)),
                        help="seconds of the steady-state run after the curve, 0 for none (env WARMUP_STEADY, "
                             "default 30)")
    parser.add_argument("--reload", type=int, default=int(env("WARMUP_RELOAD", 300)),
                        help="at most this many seconds of load after a SIGHUP to prefork's master, after the "
                             "steady state, until every worker was replaced (env WARMUP_RELOAD, default 300; 0 for none)")
    parser.add_argument("--path", default="/owners", help="the page (default /owners; /owners/3 is the detail page)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument("--workers", type=int, default=0, help="prefork workers (default: the product's default)")
    parser.add_argument("--db", choices=("auto", "postgres", "h2"), default=env("WARMUP_DB", "auto"),
                        help="auto (default): a private PostgreSQL cluster when PostgreSQL is installed, else an H2 "
                             "file; postgres: install it with apt-get when missing, fail without it")
    parser.add_argument("--targets", default="prefork,tomcat", help="prefork, tomcat or both (default)")
    parser.add_argument("--boot-timeout", default="300s",
                        help="server.prefork.timeouts.boot for prefork (default 300s: Hibernate workers on a busy box "
                             "can miss the product's 60 s)")
    parser.add_argument("--ready-timeout", type=float, default=600, help="seconds to wait for a target (default 600)")
    parser.add_argument("--jfr", action="store_true",
                        help="a JFR recording (settings=profile) in every worker and the plain JVM, kept in the "
                             "temp dir (implies --keep-temp)")
    parser.add_argument("--no-train", action="store_true",
                        help="do not train the class-data archive beforehand (the measured start trains it)")
    parser.add_argument("--prefork-arg", action="append", default=[], metavar="ARG",
                        help="one more argument for the prefork target (repeatable)")
    parser.add_argument("--quick", action="store_true", help="smoke test: 30 s curve in 10 s windows, 10 s steady, 10 s reload")
    parser.add_argument("--build", action="store_true", help="rebuild the sample jar even if it exists")
    parser.add_argument("--keep-temp", action="store_true", help="keep the temp dir with every log")
    args = parser.parse_args(argv)
    if args.quick:
        args.curve, args.window, args.steady, args.reload = 30, 10, 10, 10
    if args.window < 1 or args.curve < args.window:
        parser.error("--window must be at least 1 s and --curve at least one window")
    if args.jfr:
        args.keep_temp = True
    args.argv = argv
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    started_at, t0 = dt.datetime.now(), time.monotonic()
    c.install_signal_handlers()
    c.ensure_tools((("wrk", "wrk"),))
    c.ensure_jar(args.build)
    tmp = Path(tempfile.mkdtemp(prefix="prefork-warmup-"))
    jar = c.private_jar(tmp)
    lua = c.write_wrk_script(tmp)
    c.log(f"temp dir {tmp}")
    db = Database()
    results, ok, leftovers, archive, machine = {}, False, [], None, []
    runners = {"prefork": run_prefork, "tomcat": run_plain}
    try:
        db.start(args.db, tmp)
        names = [n.strip() for n in args.targets.split(",")]
        if "prefork" in names and not args.no_train:
            c.log("training the class-data archive once, alone")
            archive = train_archive(args, db, jar, tmp)
            c.log(f"class-data archive: {archive}")
        for name in names:
            results[name] = runners[name](args, db, jar, tmp, lua)
        machine = c.machine_description(jar)
        ok = True
    finally:
        c.ignore_signals()
        for proc in c.STARTED:                      # the JVMs first, then their database
            if db.proc is None or proc.pid != db.proc.pid:
                c.stop_processes([proc], timeout=20)
        db.stop()
        leftovers = c.clean_up(tmp, not ok or args.keep_temp, jar)
    c.write_report(render(args, results, db, archive, machine, started_at, time.monotonic() - t0, leftovers,
                          tmp if args.keep_temp else None),
                   f"warmup-{started_at:%Y%m%d-%H%M%S}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt as ex:
        print(f"interrupted ({ex}); every process started was stopped", file=sys.stderr)
        sys.exit(130)
