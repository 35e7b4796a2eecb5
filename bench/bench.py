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
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from common import (ARCHIVE_TRAINED, NPROC, clean_up, run_main, Target, busy_warning, children, cpu_seconds, ensure_jar, ensure_tools,
                    fmt, free_port, ignore_signals, install_signal_handlers, load1, load_average, log,
                    machine_description, measure_recovery, median, private_jar, pss_mb, ratio, ready_lines, rss_kb, run_wrk,
                    scan_logs, start_jvm, start_plain, start_prefork, start_process, stop_target,
                    target_dispatch, target_pids, thread_cpu_seconds, wait_archive, wait_http, wait_ready,
                    write_report, write_wrk_script)

# Dispatch modes of the product (property server.prefork.dispatch). Extend this tuple when a new
# mode lands: every mode other than DEFAULT_DISPATCH becomes its own target "D <mode>", started
# with --server.prefork.dispatch=<mode> (skipped, with a note, if the jar's master does not log
# that mode). The default mode is target A itself: the property is not passed for it.
DISPATCH_MODES = ("pass-fd", "accept-on-command", "shared-accept")
DEFAULT_DISPATCH = "pass-fd"

NOTES: list[str] = []                # things the report must mention (skipped targets, ...)
PREFORK_EXTRA: list[str] = []        # --prefork-arg: more arguments for every prefork target


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


def start_baseline(jar: Path, tmp: Path) -> Target:
    return start_plain("B", "same jar, prefork disabled: one plain embedded Tomcat", jar, tmp)


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


def prefork(name: str, description: str, jar: Path, tmp: Path, extra: list[str], workers: int) -> Target:
    """A prefork target, with the --prefork-arg arguments of this run (shown in its description)."""
    if PREFORK_EXTRA:
        description += f" [+ {' '.join(PREFORK_EXTRA)}]"
    return start_prefork(name, description, jar, tmp, extra + PREFORK_EXTRA, workers)


def target_plans(jar: Path, tmp: Path, only: list[str] | None = None) -> list:
    """How to start each target compared with B, in report order (B itself is started first);
    with `only`, just the targets named there."""
    default_workers = max(NPROC, 2)
    plans = [
        ("A", lambda: prefork("A", f"prefork, defaults ({default_workers} workers, dispatch {DEFAULT_DISPATCH})",
                              jar, tmp, [], default_workers)),
        ("A2", lambda: prefork("A2", f"prefork, --server.prefork.workers={NPROC} (number of cores)",
                               jar, tmp, [f"--server.prefork.workers={NPROC}"], NPROC)),
        # A2 without the master's look at each new connection's head (sticky sessions).
        ("A2 unsticky", lambda: prefork("A2 unsticky", f"as A2, --server.prefork.sticky-sessions=false", jar, tmp,
                                        [f"--server.prefork.workers={NPROC}", "--server.prefork.sticky-sessions=false"],
                                        NPROC)),
        # Issue 16: the hand-over must stay cheap with more workers than cores.
        ("A4", lambda: prefork("A4", "prefork, --server.prefork.workers=4", jar, tmp,
                               ["--server.prefork.workers=4"], 4)),
        ("C", lambda: start_nginx_pool(jar, tmp, NPROC)),
    ]
    for mode in DISPATCH_MODES:
        if mode != DEFAULT_DISPATCH:
            plans.append((f"D {mode}", lambda mode=mode: prefork(
                f"D {mode}", f"prefork, defaults, --server.prefork.dispatch={mode}", jar, tmp,
                [f"--server.prefork.dispatch={mode}"], default_workers)))
    if only:
        unknown = set(only) - {name for name, _ in plans}
        if unknown:
            raise SystemExit(f"--targets: no target {', '.join(sorted(unknown))}; "
                             f"choose from {', '.join(name for name, _ in plans)}")
    return [plan for name, plan in plans if not only or name in only]


def train_archive(jar: Path, tmp: Path) -> None:
    """Train the workers' class-data archive once, alone, before any target runs: every prefork
    target then starts its workers from it (as a user's second start would), and no target is
    measured while a training run competes for the CPU."""
    trainer = prefork("archive training", "", jar, tmp, ["--server.prefork.workers=1"], 1)
    try:
        wait_ready(trainer)
        line = wait_archive(trainer.logs[0], trainer.master)
        log(f"class-data archive: {line or 'this jar does not train one'}")
    finally:
        stop_target(trainer)


def bring_up(target: Target, lua: Path, raw_log: Path, warmup: float, settle_tries: int) -> bool:
    """Wait until the target is ready, its class-data archive settled and its request rate
    steady. False if it must be skipped (it did not start, or a dispatch mode this jar does not know)."""
    try:
        seconds = wait_ready(target)
    except RuntimeError as ex:                 # e.g. workers past their boot timeout on a loaded box
        NOTES.append(f"Target {target.name} skipped: it did not start ({ex}; see its log).")
        log(NOTES[-1])
        return False
    if target.prefork:
        line = wait_archive(target.logs[0], target.master)
        if line and ARCHIVE_TRAINED.search(line):
            target.notes.append(f"{target.name} trained its own class-data archive: the workers it started "
                                "first ran without one.")
    mode = target_dispatch(target)
    if target.name.startswith("D ") and mode != target.name[2:]:
        NOTES.append(f"Target {target.name} skipped: the master logged dispatch '{mode}' instead "
                     f"(this jar does not know the mode).")
        log(NOTES[-1])
        return False
    log(f"{target.name} ready on port {target.port} in {seconds:.1f} s: {target.description}")
    for scenario in SCENARIOS:
        if applies(scenario, target):
            run_scenario(target.url, scenario, warmup, lua, raw_log)
    settle(target, lua, raw_log, settle_tries)
    log(f"warmed up {target.name}")
    return True


def settle(target: Target, lua: Path, raw_log: Path, tries: int, seconds: float = 3.0,
           tolerance: float = 0.05) -> None:
    """Repeat 3 s runs of the /hello scenarios until two in a row agree within 5 %: a JVM's
    request rate climbs for a minute or more after its start (JIT), and must not do so while
    measured. (1 s runs within 10 % let every target be measured while still climbing: A's
    Connection: close rate doubled from its first round to its fourth.)"""
    for scenario in SCENARIOS[:2]:
        rates = []
        for _ in range(tries):
            rates.append(run_scenario(target.url, scenario, seconds, lua, raw_log)["rps"])
            if len(rates) > 1 and abs(rates[-1] - rates[-2]) <= tolerance * max(rates[-2:]):
                break
        else:
            target.notes.append(f"{target.name} {scenario.key}: request rate not steady after {tries} s of "
                                f"settling ({', '.join(f'{r:.0f}' for r in rates)} req/s)")
            log(target.notes[-1])


# Load
# --------------------------------------------------------------------------------------------

def run_scenario(url: str, scenario: Scenario, seconds: float, lua: Path, raw_log: Path) -> dict:
    return run_wrk(url + scenario.path, scenario.connections, seconds, lua, raw_log, close=scenario.close)


def applies(scenario: Scenario, target: Target) -> bool:
    return not scenario.only or target.name in scenario.only


def measure(target: Target, scenario: Scenario, seconds: float, lua: Path, raw_log: Path) -> dict:
    """One wrk run plus what the process tree looked like around it."""
    workers_before = set(children(target.master.pid)) if target.prefork else set()
    master_cpu = cpu_seconds(target.master.pid) if target.prefork else 0.0
    threads = thread_cpu_seconds(target.master.pid) if target.prefork else {}
    tree_before = {pid: cpu_seconds(pid) for pid in target_pids(target)}
    load = load1()
    result = run_scenario(target.url, scenario, seconds, lua, raw_log)
    result["load1"] = load
    # CPU of every process of the tree that lived through the run (a worker replaced mid-run
    # is left out, and the run says so as a worker change).
    spent = [cpu_seconds(pid) - before for pid, before in tree_before.items()
             if before is not None and cpu_seconds(pid) is not None]
    result["tree_us_per_req"] = sum(spent) * 1e6 / max(result["requests"], 1)
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


def run_pair(base: Target, target: Target, rounds: int, seconds: float, lua: Path, raw_log: Path,
             results: dict) -> None:
    """Interleaved rounds of B and one target, the only two alive: for round: for target (order
    alternating): for scenario. B's runs go to ("B", scenario) and to ("B|<target>", scenario),
    the yardstick of that target's ratios (the same minutes of the same machine)."""
    for round_no in range(rounds):
        order = [base, target] if round_no % 2 == 0 else [target, base]
        for current in order:
            for scenario in SCENARIOS:
                if not applies(scenario, target) or not applies(scenario, current):
                    continue
                result = measure(current, scenario, seconds, lua, raw_log)
                keys = [(current.name, scenario.key)]
                if current is base:
                    keys.append((f"B|{target.name}", scenario.key))
                for key in keys:
                    results.setdefault(key, []).append(result)
                log(f"{target.name} round {round_no + 1}/{rounds} {current.name:>3} {scenario.key:<11} "
                    f"{result['rps']:9.0f} req/s  p50 {result['p50'] / 1000:7.2f} ms  "
                    f"p99 {result['p99'] / 1000:7.2f} ms  errors {result['errors']}  load {result['load1']:.2f}"
                    + (f"  ({result['worker_change']})" if "worker_change" in result else ""))


# --------------------------------------------------------------------------------------------
# Prefork-specific measurements
# --------------------------------------------------------------------------------------------

# Per target, measured after its last round: PSS of the whole tree and RSS of the master, MB.
MEMORY: dict[str, dict] = {}


def memory_at_end(target: Target) -> dict:
    pss = [pss_mb(pid) for pid in target_pids(target)]
    return {"tree_pss_mb": sum(p for p in pss if p is not None),
            "master_rss_mb": rss_kb([target.master.pid]) / 1024 if target.prefork else None}


def cold_starts(targets: list[Target], recovery: list[dict]) -> dict:
    replaced = {r.get("replacement") for r in recovery}
    initial, replacements = [], []
    for target in targets:
        if target.prefork:
            for m in ready_lines(target):
                (replacements if int(m.group(3)) in replaced else initial).append(float(m.group(4)))
    return {"initial": initial, "replacement": replacements}


# Report
# --------------------------------------------------------------------------------------------

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
            "tree_us": median([r.get("tree_us_per_req") for r in runs]),
            "master_threads": {name: median([r.get("master_threads_us_per_req", {}).get(name) for r in runs])
                               for name in runs[0].get("master_threads_us_per_req", {})},
            "rounds": [r["rps"] for r in runs],
            "loads": [r["load1"] for r in runs],
        }
    return summary


def yardstick(summary: dict, name: str, key: str) -> dict | None:
    """B as measured alongside `name` (same minutes), else B over the whole run."""
    return summary.get((f"B|{name}", key)) or summary.get(("B", key))


def load_range(loads: list[float]) -> str:
    return f"{min(loads):.1f}–{max(loads):.1f}" if loads else "–"


def error_text(s: dict) -> str:
    if not s["errors"]:
        return "0"
    return str(s["errors"]) + " (" + ", ".join(f"{k} {v}" for k, v in s["error_detail"].items() if v) + ")"


def results_table(targets: list[Target], summary: dict) -> list[str]:
    lines = ["| scenario | target | req/s | ×B | p50 ms | p99 ms | max ms | errors | RSS MB | master CPU µs/req "
             "| 1-min load |",
             "|---|---|---:|---:|---:|---:|---:|---|---:|---:|---|"]
    for scenario in SCENARIOS:
        for target in targets:
            s = summary.get((target.name, scenario.key))
            if not s:
                continue
            base = yardstick(summary, target.name, scenario.key)
            lines.append(f"| {scenario.title} | {target.name} | {fmt(s['rps'])} | "
                         f"{ratio(s['rps'], base['rps'] if base else None)} | {fmt(s['p50'], 2)} | "
                         f"{fmt(s['p99'], 2)} | {fmt(s['max'], 1)} | {error_text(s)} | {fmt(s['rss_mb'])} | "
                         f"{fmt(s['master_us'], 1)} | {load_range(s['loads'])} |")
    return lines


def ratio_table(targets: list[Target], summary: dict) -> list[str]:
    others = [t.name for t in targets if t.name != "B"]
    lines = ["| ratio to B | scenario | " + " | ".join(others) + " |", "|---|---|" + "---:|" * len(others)]
    for metric, label in (("rps", "req/s"), ("p99", "p99 latency"), ("rss_mb", "RSS")):
        for scenario in SCENARIOS:
            cells = []
            for n in others:
                s, base = summary.get((n, scenario.key)), yardstick(summary, n, scenario.key)
                cells.append(ratio(s[metric], base[metric]) if s and base else "–")
            if any(c != "–" for c in cells):
                lines.append(f"| {label} | {scenario.title} | " + " | ".join(cells) + " |")
    loads = [[v for (t, _), s in summary.items() if t in (n, f"B|{n}") for v in s["loads"]] for n in others]
    lines.append("| 1-min load during the pair's runs | | " + " | ".join(load_range(l) for l in loads) + " |")
    return lines


def rounds_table(targets: list[Target], summary: dict, rounds: int) -> list[str]:
    """Per round: req/s and, after @, the 1-minute load average when that run started."""
    lines = ["| scenario | target | " + " | ".join(f"round {i + 1}" for i in range(rounds)) + " |",
             "|---|---|" + "---:|" * rounds]
    for scenario in SCENARIOS:
        for target in targets:
            if target.name == "B":
                continue
            for name, label in ((target.name, target.name), (f"B|{target.name}", f"B (with {target.name})")):
                s = summary.get((name, scenario.key))
                if s:
                    lines.append(f"| {scenario.key} | {label} | "
                                 + " | ".join(f"{fmt(v)} @{l:.1f}" for v, l in zip(s["rounds"], s["loads"])) + " |")
    return lines


def handover_cost(summary: dict, name: str) -> tuple[float | None, float | None]:
    a, b = summary.get((name, "hello-close")), yardstick(summary, name, "hello-close")
    if not a or not b:
        return None, None
    concurrency = next(s.connections for s in SCENARIOS if s.key == "hello-close")
    by_throughput = (1 / a["rps"] - 1 / b["rps"]) * concurrency * 1e6
    by_p50 = (a["p50"] - b["p50"]) * 1000
    return by_throughput, by_p50


def targets_check(summary: dict, names: list[str]) -> list[str]:
    """Issue 16's targets, each PASS/FAIL with its figure, for every prefork target; the default
    settings (A) are what the issue judges, A4 its `workers=4` line."""
    lines = ["| target (issue 16) | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]

    def verdict(value: float | None, ok, detail: str) -> str:
        return "–" if value is None else f"{'PASS' if ok(value) else 'FAIL'} ({detail.format(value)})"

    def rps_ratio(name: str, key: str) -> float | None:
        a, b = summary.get((name, key)), yardstick(summary, name, key)
        return a["rps"] / b["rps"] if a and b and b["rps"] else None

    def of(name: str, key: str, field: str) -> float | None:
        return (summary.get((name, key)) or {}).get(field)

    def errors(name: str) -> int | None:
        runs = [s["errors"] for (t, _), s in summary.items() if t == name]
        return sum(runs) if runs else None

    rows = [("zero errors in every scenario", [verdict(errors(n), lambda v: v == 0, "{:.0f} errors") for n in names])]
    for key, label, floor in (("hello-close", "Connection: close /hello ≥ 0.9×B", 0.9),
                              ("hello-ka", "keep-alive /hello ≥ 1.0×B", 1.0),
                              ("cpu", "/cpu ≥ 0.95×B", 0.95), ("sleep", "/sleep ≥ 0.95×B", 0.95)):
        rows.append((label, [verdict(rps_ratio(n, key), lambda v, f=floor: v >= f, "{:.2f}") for n in names]))
    rows.append(("master CPU per new connection ≤ 15 µs",
                 [verdict(of(n, "hello-close", "master_us"), lambda v: v <= 15, "{:.0f} µs") for n in names]))
    tree_ratios = []
    for n in names:
        a, b = of(n, "hello-close", "tree_us"), (yardstick(summary, n, "hello-close") or {}).get("tree_us")
        tree_ratios.append(verdict(a / b if a and b else None, lambda v: v <= 1.3,
                                   f"{{:.2f}}× ({a or 0:.0f} vs {b or 0:.0f} µs)"))
    rows.append(("CPU of all processes per connection ≤ 1.3×B", tree_ratios))
    rows.append(("master RSS ≤ 64 MB at the end",
                 [verdict((MEMORY.get(n) or {}).get("master_rss_mb"), lambda v: v <= 64, "{:.0f} MB") for n in names]))
    nginx = (MEMORY.get("C") or {}).get("tree_pss_mb")
    rows.append(("PSS of the tree ≤ C's (nginx + plain JVMs)",
                 [verdict((MEMORY.get(n) or {}).get("tree_pss_mb") if nginx else None, lambda v: v <= nginx,
                          f"{{:.0f}} vs {nginx or 0:.0f} MB") for n in names]))
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
        d, b = summary.get((name, "dispatch")), yardstick(summary, name, "dispatch")
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


def render(args, targets, results, summary, starts, recovery, findings, machine, leftovers, started_at,
           elapsed, loads) -> str:
    names_prefork = [t.name for t in targets if t.prefork]
    command = " ".join(["bench/run"] + args.argv)
    lines = [f"# Prefork benchmark — {started_at:%Y-%m-%d %H:%M:%S}", "",
             f"`{command}` — {args.rounds} round(s) × {args.duration:g} s per scenario, warm-up {args.warmup:g} s per "
             f"scenario, settling ≤ {args.settle} × 3 s per /hello scenario, {args.kills} kill(s); total "
             f"{elapsed / 60:.1f} min. Medians across rounds (errors: sum across rounds). Load average "
             f"before/after: {loads[0]} / {loads[1]}.", "",
             "Only two targets are alive at a time: B and the one compared with it. The class-data archive is "
             "trained once before any target starts; each target is measured once it is ready, its archive "
             "settled and its /hello request rate steady (two 3 s runs within 5 %), in rounds interleaved "
             "with B, then stopped.", ""]
    peak = max([float(l.split()[0]) for l in loads if l] + [v for s in summary.values() for v in s["loads"]])
    lines += busy_warning(peak) + ["## Machine", "", "| | |", "|---|---|"] + machine + ["", "## Targets", ""]
    for target in targets:
        lines.append(f"- **{target.name}** — {target.description}")
    NOTES.extend(note for target in targets for note in target.notes)
    lines += ["", f"Dispatch modes (target D): {', '.join(DISPATCH_MODES)}; the default mode "
                  f"`{DEFAULT_DISPATCH}` is target A itself (the master of A, A2 and each D logs the mode it "
                  f"runs; checked)."] + [f"{note}" for note in NOTES] + [""]
    if NPROC == max(NPROC, 2):
        lines += [f"On this machine the default worker count equals the number of cores ({NPROC}), so A and A2 "
                  "run the same configuration: the difference between them is run-to-run noise.", ""]
    lines += ["## Results", "", "×B = requests/s relative to B (plain Tomcat) measured in the same rounds "
              "(B's own row: medians over all its runs). 1-min load = the load average when each run started "
              "(min–max over rounds). "
              "RSS = VmRSS summed over the target's whole process tree (master + workers; for C the JVMs + "
              "nginx), measured right after each run.", ""]
    lines += results_table(targets, summary)
    lines += ["", "## Ratios against B", ""] + ratio_table(targets, summary)
    lines += ["", "## Prefork internals", ""] + prefork_section(targets, summary, starts, recovery)
    lines += ["", "## Issue targets (ratios vs B, same run; memory after each target's last round)", ""]
    lines += targets_check(summary, names_prefork)
    lines += ["", "## Requests/s per round (noise check; @ the 1-min load average at the run's start)", ""] + rounds_table(targets, summary, args.rounds)
    lines += ["", "## Log findings", ""]
    if findings:
        lines.append(f"{len(findings)} WARN/ERROR/exception line(s) in the targets' output "
                     "(lines about the workers this benchmark killed with SIGKILL excluded); first 15:")
        lines += ["", "```"] + findings[:15] + ["```"]
    else:
        lines.append("No WARN/ERROR/exception lines in any target's output, apart from the kills this "
                     "benchmark made on purpose.")
    changes = [f"{t} {s}: {r['worker_change']}" for (t, s), runs in results.items()
               for r in runs if "worker_change" in r and "|" not in t]
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
    parser.add_argument("--warmup", type=float, default=float(env("BENCH_WARMUP", 10)),
                        help="seconds of warm-up per target and scenario (env BENCH_WARMUP, default 10)")
    parser.add_argument("--kills", type=int, default=int(env("BENCH_KILLS", 3)),
                        help="kill -9 recoveries to time (env BENCH_KILLS, default 3)")
    parser.add_argument("--settle", type=int, default=int(env("BENCH_SETTLE", 10)),
                        help="at most this many 3 s runs per /hello scenario until two agree within 5 %% "
                             "(env BENCH_SETTLE, default 10)")
    parser.add_argument("--prefork-arg", action="append", default=[], metavar="ARG",
                        help="one more argument for every prefork target, e.g. "
                             "--prefork-arg=--server.prefork.timeouts.boot=180s on a loaded box (repeatable)")
    parser.add_argument("--quick", action="store_true",
                        help="try it out: 2 s runs, 1 round, 1 s warm-up, 3 s settling, 1 kill")
    parser.add_argument("--targets", type=lambda v: [n.strip() for n in v.split(",") if n.strip()], default=None,
                        help="compare only these targets with B, e.g. 'A,A4' (default: all)")
    parser.add_argument("--build", action="store_true", help="rebuild the sample jar even if it exists")
    parser.add_argument("--keep-temp", action="store_true", help="keep the temp dir with every log")
    args = parser.parse_args(argv)
    if args.quick:
        args.duration, args.rounds, args.warmup, args.kills, args.settle = 2, 1, 1, 1, 3
    args.argv = argv
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    PREFORK_EXTRA.extend(args.prefork_arg)
    started_at, t0 = dt.datetime.now(), time.monotonic()
    install_signal_handlers()
    ensure_tools()
    ensure_jar(args.build)
    tmp = Path(tempfile.mkdtemp(prefix="prefork-bench-"))
    jar = private_jar(tmp)
    lua = write_wrk_script(tmp)
    raw_log = tmp / "wrk.log"
    log(f"temp dir {tmp}")
    targets, ok, leftovers, results, recovery = [], False, [], {}, []
    loads = [load_average(), ""]
    try:
        log("training the class-data archive once, alone")
        train_archive(jar, tmp)
        base = start_baseline(jar, tmp)
        if not bring_up(base, lua, raw_log, args.warmup, args.settle):
            raise RuntimeError("B, the yardstick, did not start")
        targets.append(base)
        # Only B and the target compared with it are alive while it is measured: about 20 JVMs
        # at once (issue 16) made the benchmark its own noise.
        for plan in target_plans(jar, tmp, args.targets):
            target = plan()
            try:
                if not bring_up(target, lua, raw_log, args.warmup, args.settle):
                    continue
                targets.append(target)
                run_pair(base, target, args.rounds, args.duration, lua, raw_log, results)
                MEMORY[target.name] = memory_at_end(target)
                if target.name == "A":
                    log("measuring pool recovery after kill -9")
                    recovery = measure_recovery(target, args.kills)
            finally:
                stop_target(target)
        MEMORY["B"] = memory_at_end(base)
        loads[1] = load_average()
        summary = summarize(results)
        starts = cold_starts(targets, recovery)
        findings = scan_logs(targets, {r["victim"] for r in recovery})
        machine = machine_description(jar)
        ok = True
    finally:
        ignore_signals()
        leftovers = clean_up(tmp, not ok or args.keep_temp, jar)
    report = render(args, targets, results, summary, starts, recovery, findings, machine, leftovers, started_at,
                    time.monotonic() - t0, loads)
    write_report(report, f"{started_at:%Y%m%d-%H%M%S}")
    return 0


if __name__ == "__main__":
    run_main(main)
