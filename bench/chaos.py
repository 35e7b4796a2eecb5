#!/usr/bin/env python3
"""Worker loss under load (issue 15): `bench/run chaos` (or `bench/run --chaos`).

Per target, one at a time (only that target alive): start it, wait until it is ready (for
prefork: every worker ready and the class-data archive settled), then loop clients on
GET /cpu?ms=20 and GET /sleep?ms=500 (each request on a new connection, 10 s client timeout)
for a lead time, the chaos time and an after time. Prefork (3 workers): SIGKILL a random child of
the master every 2 s during the chaos time. Plain Tomcat: SIGKILL its only JVM once, and restart it
at once as a supervisor (systemd Restart=always) would.

Per request it records the HTTP status, or the transport failure: connection refused, reset, empty
reply (EOF before a status line), timeout, or a response cut after its status line. For prefork it
polls the master's own status listener (the scoreboard as JSON; fields workers[].pid and
workers[].state, "idle"/"busy" = ready) every 100 ms: seconds with no ready worker and kill → full
capacity. Writes bench/results/chaos-<timestamp>.md and prints it. Every process is stopped by pid.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import re
import socket
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import common as c

ENDPOINTS = ("/cpu?ms=20", "/sleep?ms=500")
READY_STATES = ("idle", "busy")
POLL_INTERVAL = 0.1
FAILURE_PAUSE = 0.1          # a client waits this long after anything but a 200, as a retrying client would
# Transport failure classes, in report order.
FAILURES = ("refused", "reset", "empty reply", "timeout", "cut after status line", "other")
STATUS_LINE = re.compile(rb"HTTP/1\.[01] (\d{3})[^\r\n]*\r\n")


# --------------------------------------------------------------------------------------------
# Clients: one request per connection, raw sockets, every outcome classified
# --------------------------------------------------------------------------------------------

def one_request(port: int, path: str, timeout: float) -> str:
    """The HTTP status ("200") or a transport failure class (see FAILURES)."""
    deadline = time.monotonic() + timeout
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    except ConnectionRefusedError:
        return "refused"
    except (socket.timeout, TimeoutError):
        return "timeout"
    except ConnectionResetError:
        return "reset"
    except OSError:
        return "other"
    data = b""
    with sock:
        try:
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError
                sock.settimeout(remaining)
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        except (socket.timeout, TimeoutError):
            return "cut after status line" if STATUS_LINE.match(data) else "timeout"
        except (ConnectionResetError, BrokenPipeError):
            return "cut after status line" if STATUS_LINE.match(data) else "reset"
        except OSError:
            return "other"
    status = STATUS_LINE.match(data)
    if not status:
        return "empty reply"                     # EOF before a complete status line
    head, separator, body = data.partition(b"\r\n\r\n")
    length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    if (not separator or (length and len(body) < int(length.group(1)))
            or (re.search(rb"(?im)^transfer-encoding:\s*chunked", head) and not body.endswith(b"0\r\n\r\n"))):
        return "cut after status line"
    return status.group(1).decode()


@dataclass
class Load:
    port: int
    clients: int
    timeout: float
    stop: threading.Event = field(default_factory=threading.Event)
    outcomes: list = field(default_factory=list)     # (endpoint, started, ended, outcome), monotonic
    threads: list = field(default_factory=list)

    def start(self) -> None:
        for path in ENDPOINTS:
            for _ in range(self.clients):
                thread = threading.Thread(target=self._loop, args=(path,), daemon=True)
                thread.start()
                self.threads.append(thread)

    def _loop(self, path: str) -> None:
        while not self.stop.is_set():
            started = time.monotonic()
            outcome = one_request(self.port, path, self.timeout)
            self.outcomes.append((path, started, time.monotonic(), outcome))
            if outcome != "200":
                self.stop.wait(FAILURE_PAUSE)

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(self.timeout + 5)


# --------------------------------------------------------------------------------------------
# Observing the pool
# --------------------------------------------------------------------------------------------

def poll_status(url: str, stop: threading.Event, samples: list) -> None:
    """(time, pids of ready workers or None if unreadable, the whole snapshot) every 100 ms."""
    while not stop.is_set():
        at = time.monotonic()
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                snapshot = json.loads(response.read())
            ready = sorted(w["pid"] for w in snapshot["workers"] if w.get("state") in READY_STATES)
            samples.append((at, ready, snapshot))
        except (OSError, ValueError, KeyError, TypeError):
            samples.append((at, None, None))
        stop.wait(POLL_INTERVAL)


def seconds_without_ready(samples: list, start: float, end: float) -> tuple[float, float]:
    """(seconds when the status showed no ready worker, seconds when it could not be read)."""
    empty = unreadable = 0.0
    window = [s for s in samples if start <= s[0] <= end]
    for (at, ready, _), (following, _, _) in zip(window, window[1:] + [(end, None, None)]):
        if ready is None:
            unreadable += following - at
        elif not ready:
            empty += following - at
    return empty, unreadable


def first_ready_after(samples: list, killed_at: float) -> float | None:
    """Seconds from a kill until the status first shows a ready worker again."""
    for at, ready, _ in samples:
        if at > killed_at and ready:
            return at - killed_at
    return None


def full_capacity_after(samples: list, killed_at: float, victim: int, workers: int) -> float | None:
    """Seconds from a kill until the status shows `workers` ready workers, the victim not among them."""
    for at, ready, _ in samples:
        if at > killed_at and ready is not None and victim not in ready and len(ready) >= workers:
            return at - killed_at
    return None


# --------------------------------------------------------------------------------------------
# One target under chaos
# --------------------------------------------------------------------------------------------

def run_prefork(args, jar: Path, tmp: Path) -> dict:
    status_port = c.free_port()
    extra = [f"--server.prefork.workers={args.workers}",
             f"--server.prefork.overload.max-queue-wait={args.max_queue_wait}",
             "--server.prefork.status.enabled=true", "--server.prefork.status.address=127.0.0.1",
             f"--server.prefork.status.port={status_port}"] + args.prefork_arg
    target = c.start_prefork("prefork", f"prefork, {' '.join(extra[:2] + args.prefork_arg)}", jar, tmp, extra,
                             args.workers)
    result = {"target": target, "notes": []}
    try:
        c.wait_ready(target)
        archive = c.wait_archive(target.logs[0], target.master)
        result["notes"].append(f"class-data archive: {archive or 'none logged'}")
        status_url = f"http://127.0.0.1:{status_port}/"
        if "Prefork status listener on" not in c.log_text(target):
            status_url = target.url + "/actuator/prefork"      # an older jar: ask a worker instead
            result["notes"].append("the master's status listener did not start: pool state read from "
                                   "/actuator/prefork, which no worker answers while none is ready (counted "
                                   "as unreadable)")
        initial = set(c.children(target.master.pid))
        c.process_tree(target.master.pid)
        c.log(f"prefork ready on port {target.port}, workers {sorted(initial)}; load for {args.lead:g} s, then a "
              f"SIGKILL every {args.every:g} s for {args.chaos_for:g} s, then {args.after:g} s more")
        stop, samples = threading.Event(), []
        poller = threading.Thread(target=poll_status, args=(status_url, stop, samples), daemon=True)
        load = Load(target.port, args.clients, args.timeout)
        result.update(load=load, samples=samples, load1=[c.load1()])
        poller.start()
        load.start()
        began = time.monotonic()
        kills, rng = [], random.Random(args.seed)
        tick = began + args.lead
        while tick < began + args.lead + args.chaos_for - 1e-9:
            time.sleep(max(0.0, tick - time.monotonic()))
            c.process_tree(target.master.pid)                    # remembered for cleanup, with start times
            kids = c.children(target.master.pid)
            if target.master.poll() is not None:
                result["notes"].append(f"the master exited with {target.master.returncode} during the chaos")
                break
            if kids:
                victim = rng.choice(kids)
                if c.kill_seen(victim):
                    kills.append((time.monotonic(), victim))
                    c.log(f"SIGKILL worker pid {victim} (children of the master: {kids})")
            else:
                c.log("no child of the master to kill")
            tick += args.every
        time.sleep(max(0.0, began + args.lead + args.chaos_for + args.after - time.monotonic()))
        ended = time.monotonic()
        result["load1"].append(c.load1())
        load.finish()
        stop.set()
        poller.join(5)
        result.update(began=began, ended=ended, kills=kills, master_alive=target.master.poll() is None)
        ready = [m for m in c.ready_lines(target) if int(m.group(3)) not in initial]
        result["boots"] = [float(m.group(4)) for m in ready]
        result["initial_boots"] = [float(m.group(4)) for m in c.ready_lines(target) if int(m.group(3)) in initial]
        result["no_ready"], result["unreadable"] = seconds_without_ready(samples, began, ended)
        result["recoveries"] = [full_capacity_after(samples, at, pid, args.workers) for at, pid in kills]
        result["counters"] = next((s[2].get("counters") for s in reversed(samples) if s[2]), None) or {}
    finally:
        c.stop_target(target)
    return result


def run_plain(args, jar: Path, tmp: Path) -> dict:
    target = c.start_plain("plain Tomcat", "the same jar, --server.prefork.enabled=false", jar, tmp)
    result = {"target": target, "notes": []}
    try:
        c.wait_ready(target)
        c.log(f"plain Tomcat ready on port {target.port}; load for {args.lead:g} s, then one SIGKILL and a "
              f"restart, load until {args.lead + args.chaos_for + args.after:g} s")
        load = Load(target.port, args.clients, args.timeout)
        result.update(load=load, load1=[c.load1()])
        load.start()
        began = time.monotonic()
        time.sleep(args.lead)
        victim = target.procs[-1]
        c.kill_seen(victim.pid)
        killed_at = time.monotonic()
        c.log(f"SIGKILL the JVM pid {victim.pid}")
        victim.wait()
        # The supervisor: start the same command again at once, then wait for its first 200.
        restarted_at = time.monotonic()
        proc = c.start_jvm(target, jar, target.port, ["--server.prefork.enabled=false"], tmp, "plain_Tomcat_restart")
        c.wait_http(target.url + "/hello", proc, "restarted plain Tomcat", timeout=180)
        ready_at = time.monotonic()
        c.log(f"restarted JVM pid {proc.pid} answered after {ready_at - killed_at:.1f} s")
        # Keep the load as long as for prefork, and at least a few seconds with the new JVM.
        time.sleep(max(0.0, max(began + args.lead + args.chaos_for + args.after, ready_at + 5) - time.monotonic()))
        ended = time.monotonic()
        result["load1"].append(c.load1())
        load.finish()
        result.update(began=began, ended=ended, kills=[(killed_at, victim.pid)], master_alive=proc.poll() is None,
                      boots=[ready_at - restarted_at], initial_boots=[], no_ready=ready_at - killed_at,
                      unreadable=0.0, recoveries=[ready_at - killed_at], counters={})
        result["notes"].append("\"no ready worker\" and \"kill → full capacity\" = the kill until the restarted JVM "
                               "answered GET /hello (the supervisor restarts at once); \"one worker boot\" = "
                               "restart → first 200")
    finally:
        c.stop_target(target)
    return result


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------

def counts_text(counter: Counter, order=None) -> str:
    keys = order or sorted(counter)
    parts = [f"{k} {counter[k]}" for k in keys if counter.get(k)]
    return ", ".join(parts) if parts else "0"


def summarize(result: dict) -> dict:
    outcomes = result["load"].outcomes
    statuses = Counter(o for _, _, _, o in outcomes if o.isdigit())
    failures = Counter(o for _, _, _, o in outcomes if not o.isdigit())
    last_kill = result["kills"][-1][0] if result["kills"] else None
    first_answer = None
    if last_kill is not None:
        answered = [end for _, start, end, o in outcomes if o == "200" and start >= last_kill]
        first_answer = min(answered) - last_kill if answered else None
    boot = c.median(result["boots"]) or c.median(result["initial_boots"])
    first_ready = (first_ready_after(result["samples"], last_kill)
                   if last_kill is not None and result.get("samples") else None)
    buckets = Counter(int((end - result["began"]) // 5) for _, _, end, o in outcomes if o == "200")
    span = max(1, math.ceil((result["ended"] - result["began"]) / 5))
    recoveries = result["recoveries"]
    return {
        "requests": len(outcomes), "statuses": statuses, "failures": failures,
        "first_answer": first_answer, "first_ready": first_ready, "boot": boot, "recoveries": recoveries,
        "timeline": " ".join(str(buckets.get(i, 0)) for i in range(span)),
        "by_endpoint": {path: (Counter(o for p, _, _, o in outcomes if p == path and o.isdigit()),
                               Counter(o for p, _, _, o in outcomes if p == path and not o.isdigit()))
                        for path in ENDPOINTS},
    }


def render(args, results: list[dict], machine: list[str], started_at, elapsed: float, leftovers) -> str:
    names = [r["target"].name for r in results]
    sums = [summarize(r) for r in results]
    lines = [f"# Chaos: worker loss under load — {started_at:%Y-%m-%d %H:%M:%S}", "",
             f"`{' '.join(['bench/run chaos'] + args.argv)}` — {elapsed / 60:.1f} min. Load: {args.clients} looping "
             f"clients on each of {', '.join(f'`GET {p}`' for p in ENDPOINTS)}, a new connection per request, "
             f"{args.timeout:g} s client timeout, a {FAILURE_PAUSE * 1000:.0f} ms pause after anything but a 200. "
             f"{args.lead:g} s of load, then for prefork a SIGKILL to a random child of the master every "
             f"{args.every:g} s for {args.chaos_for:g} s (plain Tomcat: its JVM killed once and restarted at once), "
             f"then {args.after:g} s more. Only one target is alive at a time.", ""]
    peak = max(v for r in results for v in r["load1"]) if results else None
    lines += c.busy_warning(peak)
    lines += ["| | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]

    def row(label: str, cells) -> None:
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    row("target", [r["target"].description for r in results])
    row("requests", [str(s["requests"]) for s in sums])
    row("answers by HTTP status", [counts_text(s["statuses"]) for s in sums])
    row("transport failures", [counts_text(s["failures"], FAILURES) for s in sums])
    row("kills (SIGKILL)", [str(len(r["kills"])) for r in results])
    row("seconds with no ready worker", [f"{r['no_ready']:.1f}" + (f" (+{r['unreadable']:.1f} s status unreadable)"
                                                                    if r["unreadable"] >= 0.05 else "")
                                         for r in results])
    cells = []
    for s in sums:
        reached = [v for v in s["recoveries"] if v is not None]
        cells.append(f"{c.fmt(c.median(reached), 1)} s" + (f" ({len(reached)} of {len(s['recoveries'])} kills reached "
                                                             f"it before the end)" if len(reached) < len(s["recoveries"])
                                                             else f" (n={len(reached)})"))
    row("median kill → full capacity", cells)
    row("one worker boot (median spawn → ready in this run)",
        [f"{c.fmt(s['boot'], 1)} s (n={len(r['boots']) or len(r['initial_boots'])})" for r, s in zip(results, sums)])
    cells = []
    for r, s in zip(results, sums):
        if not r["target"].prefork and s["first_answer"] is not None:
            cells.append(f"n/a, the restart is the boot: first 200 {s['first_answer']:.1f} s after the kill")
        elif s["first_answer"] is None:
            cells.append("**no** (no 200 after the last kill)")
        else:
            # Serving again = a worker ready again; the first 200 also waits for its own request
            # (up to 500 ms here), so it is shown but not judged.
            ready = s["first_ready"]
            within = s["boot"] is not None and ready is not None and ready <= s["boot"] + 2 * POLL_INTERVAL
            cells.append(f"{'yes' if within else '**no**'}: a worker ready "
                         + (f"{ready:.1f} s" if ready is not None else "never")
                         + f" after the last kill, first 200 {s['first_answer']:.1f} s after it")
    row("serving again within one worker boot after the last kill", cells)
    row("process alive at the end (master / restarted JVM)", ["yes" if r["master_alive"] else "**no**" for r in results])
    row("200s per 5 s, from the start of the load", [s["timeline"] for s in sums])
    row("1-min load average at start / end", [f"{r['load1'][0]:.2f} / {r['load1'][-1]:.2f}" for r in results])

    lines += ["", "## By endpoint", "", "| target | endpoint | answers by HTTP status | transport failures |",
              "|---|---|---|---|"]
    for r, s in zip(results, sums):
        for path, (statuses, failures) in s["by_endpoint"].items():
            lines.append(f"| {r['target'].name} | `GET {path}` | {counts_text(statuses)} | "
                         f"{counts_text(failures, FAILURES)} |")
    lines += ["", "## Notes", "",
              "- Transport failures: *refused* = connection refused; *reset* = connection reset before a status "
              "line; *empty reply* = EOF before a status line; *timeout* = no complete answer within the client "
              "timeout; *cut after status line* = a response that had started and was cut (reset, EOF or timeout "
              "mid-response).",
              f"- Seconds with no ready worker: from the master's status listener, polled every "
              f"{POLL_INTERVAL * 1000:.0f} ms (a worker in state idle or busy is ready). Kill → full capacity: until "
              f"the status shows {args.workers} ready workers, the killed pid not among them; with a kill every "
              f"{args.every:g} s and a boot longer than that, later kills fall inside this time.",
              "- One worker boot: the median `ready in` (spawn → ready) the master logged for the workers started "
              "during this run (the initial ones if no replacement became ready)."]
    for r in results:
        lines += [f"- {r['target'].name}: {note}" for note in r["notes"]]
        if r["counters"]:
            lines.append(f"- {r['target'].name}: the master's counters at the end: "
                         + ", ".join(f"{k} {v}" for k, v in r["counters"].items() if v))
        if r["kills"]:
            lines.append(f"- {r['target'].name}: kills at "
                         + ", ".join(f"{at - r['began']:.1f} s (pid {pid})" for at, pid in r["kills"])
                         + "; kill → full capacity: "
                         + ", ".join("–" if v is None else f"{v:.1f}" for v in r["recoveries"]) + " s")
    lines += ["", "## Machine", "", "| | |", "|---|---|"] + machine
    lines += ["", f"Processes left running after cleanup: {leftovers or 'none'}.", ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------

def parse_args(argv: list[str]) -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="bench/run chaos", description="worker loss under load (issue 15)")
    parser.add_argument("--chaos", action="store_true", help=argparse.SUPPRESS)    # bench/run --chaos
    parser.add_argument("--every", type=float, default=float(env("CHAOS_EVERY", 2)),
                        help="seconds between kills (env CHAOS_EVERY, default 2)")
    parser.add_argument("--for", dest="chaos_for", type=float, default=float(env("CHAOS_FOR", 30)),
                        help="seconds of kills (env CHAOS_FOR, default 30)")
    parser.add_argument("--after", type=float, default=float(env("CHAOS_AFTER", 20)),
                        help="seconds of load after the last kill period (env CHAOS_AFTER, default 20)")
    parser.add_argument("--lead", type=float, default=float(env("CHAOS_LEAD", 5)),
                        help="seconds of load before the first kill (env CHAOS_LEAD, default 5)")
    parser.add_argument("--workers", type=int, default=3, help="prefork workers (default 3)")
    parser.add_argument("--clients", type=int, default=4, help="looping clients per endpoint (default 4)")
    parser.add_argument("--timeout", type=float, default=10, help="client timeout in seconds (default 10)")
    parser.add_argument("--max-queue-wait", default="5s", help="server.prefork.overload.max-queue-wait (default 5s)")
    parser.add_argument("--prefork-arg", action="append", default=[], metavar="ARG",
                        help="one more argument for the prefork target, e.g. "
                             "--prefork-arg=--server.prefork.timeouts.boot=180s on a loaded box (repeatable)")
    parser.add_argument("--targets", default="prefork,tomcat", help="prefork, tomcat or both (default)")
    parser.add_argument("--seed", type=int, default=None, help="seed for the choice of victims")
    parser.add_argument("--quick", action="store_true", help="try it out: 3 s lead, kills for 8 s, 10 s after")
    parser.add_argument("--build", action="store_true", help="rebuild the sample jar even if it exists")
    parser.add_argument("--keep-temp", action="store_true", help="keep the temp dir with every log")
    args = parser.parse_args(argv)
    if args.quick:
        args.lead, args.chaos_for, args.after = 3, 8, 10
    args.argv = [a for a in argv if a != "--chaos"]
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    started_at, t0 = dt.datetime.now(), time.monotonic()
    c.install_signal_handlers()
    c.ensure_jar(args.build)
    tmp = Path(tempfile.mkdtemp(prefix="prefork-chaos-"))
    jar = c.private_jar(tmp)
    c.log(f"temp dir {tmp}")
    runners = {"prefork": run_prefork, "tomcat": run_plain}
    results, ok, leftovers = [], False, []
    try:
        for name in args.targets.split(","):
            results.append(runners[name.strip()](args, jar, tmp))
        machine = c.machine_description(jar)
        ok = True
    finally:
        c.ignore_signals()
        for r in results:
            if "load" in r:
                r["load"].stop.set()
        leftovers = c.clean_up(tmp, not ok or args.keep_temp, jar)
    c.write_report(render(args, results, machine, started_at, time.monotonic() - t0, leftovers),
                   f"chaos-{started_at:%Y%m%d-%H%M%S}")
    return 0


if __name__ == "__main__":
    c.run_main(main)
