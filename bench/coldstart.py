"""Worker cold start, step by step (issue 10): `bench/run coldstart`.

For each step (a jar layout plus settings) one prefork master runs 3 workers, started one at a
time (--server.prefork.pool.max-starting=1, so no start competes with another), then two of
them are killed with SIGKILL and replaced one after the other: 5 starts per step. For each start
it records spawn -> ready wall time (the master's "ready in" line) and the worker's CPU time
(utime + stime from /proc/<pid>/stat, read as soon as the line appears), and with 3 workers
ready, each worker's PSS (/proc/<pid>/smaps_rollup). Steps that use the class-data archive get a
master run beforehand that trains it. Finally, for the last step, the pool recovery time after
kill -9 of a worker while /hello is probed every 20 ms (light load).

Options: --only=I,J (run those steps only, numbered from 0), --build-aot (rebuild the AOT jar,
sample-app's `aot` profile; built anyway when missing), --build, --keep-temp.
Writes bench/results/coldstart-<timestamp>.md and prints it. Every process is stopped by pid.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import common as c

SPAWNED = re.compile(r"Spawned worker \d+ pid (\d+)")
READY = re.compile(r"\bworker \d+ pid (\d+) ready in ([\d.]+) s")
ARCHIVE_DONE = re.compile(r"Class-data archive \S+ ready|Workers start without a class-data archive")
NO_CDS = "--server.prefork.worker.cds.enabled=false"
NO_DEFAULTS = "--server.prefork.worker.jvm-defaults=false"

# name, jar layout ("fat", "extracted" or "aot": extracted AOT build), master JVM options, arguments,
# trains an archive first
STEPS = [
    ("`java -jar` fat jar, JVM defaults", "fat", [], [NO_DEFAULTS, NO_CDS], False),
    ("extracted jar (`-Djarmode=tools extract`)", "extracted", [], [NO_DEFAULTS, NO_CDS], False),
    ("+ worker JVM defaults (serial GC, -Xss512k, -Xms64m)", "extracted", [], [NO_CDS], False),
    ("+ automatic AppCDS (the defaults now)", "extracted", [], [], True),
    ("  for comparison: + C1 only (-XX:TieredStopAtLevel=1)", "extracted", [],
     ["--server.prefork.worker.jvm-options=-XX:TieredStopAtLevel=1"], True),
    ("  for comparison: + archive mapped at its base address (-XX:ArchiveRelocationMode=0)", "extracted", [],
     ["--server.prefork.worker.jvm-options=-XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0"], True),
    ("  for comparison: fat jar with automatic AppCDS", "fat", [], [], True),
    ("+ Spring AOT (the `aot` build, -Dspring.aot.enabled=true)", "aot", ["-Dspring.aot.enabled=true"], [], True),
    ("  for comparison: + Spring AOT + C1 only", "aot", ["-Dspring.aot.enabled=true"],
     ["--server.prefork.worker.jvm-options=-XX:TieredStopAtLevel=1"], True),
]
AOT_JAR = c.JAR.with_name(c.JAR.stem + "-aot.jar")

WORKERS = 3
KILLS = 2
DEFAULTS_STEP = 3          # the product's defaults: pool recovery is measured there
RECOVERY_KILLS = 3


def start_master(jar: Path, jvm: list[str], args: list[str], tmp: Path, tag: str) -> tuple:
    port = c.free_port()
    log_path = tmp / f"{tag}.log"
    argv = (["java"] + jvm + ["-jar", str(jar), f"--server.port={port}", f"--server.prefork.workers={WORKERS}",
            "--server.prefork.pool.max-starting=1", f"--server.prefork.worker.cds.directory={tmp / 'cds'}"]
            + c.COMMON_ARGS + args)
    return c.start_process(argv, log_path, tmp), log_path, port


def follow(proc, log_path: Path, wanted: int, samples: list, seen: set, timeout: float = 240) -> None:
    """Wait until `wanted` workers were ready in all, recording each new one's wall and CPU."""
    deadline = time.monotonic() + timeout
    while len(seen) < wanted:
        if proc.poll() is not None:
            raise RuntimeError(f"master exited with {proc.returncode}; see {log_path}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{wanted} workers not ready within {timeout:.0f} s; see {log_path}")
        for m in READY.finditer(log_path.read_text(errors="replace")):
            pid = int(m.group(1))
            if pid not in seen:
                seen.add(pid)
                samples.append({"pid": pid, "wall": float(m.group(2)), "cpu": c.cpu_seconds(pid)})
        time.sleep(0.02)


def cpu_work(port: int) -> float | None:
    """Work done per 50 ms of request CPU time on /cpu (loop iterations; more is faster code),
    after 200 warm-up requests so that the JIT compilers have done their part."""
    spins = []
    for i in range(215):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/cpu?ms={50 if i >= 200 else 5}",
                                        timeout=30) as response:
                if i >= 200:
                    spins.append(json.loads(response.read())["spins"])
        except (OSError, ValueError, KeyError):
            pass
    return statistics.median(spins) if spins else None


def stop(proc) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def train(jar: Path, jvm: list[str], args: list[str], tmp: Path, tag: str) -> str:
    proc, log_path, _ = start_master(jar, jvm, args, tmp, tag + "-training")
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline:
            found = ARCHIVE_DONE.search(log_path.read_text(errors="replace"))
            if found:
                return found.group(0)
            if proc.poll() is not None:
                raise RuntimeError(f"training master exited with {proc.returncode}; see {log_path}")
            time.sleep(0.2)
        raise RuntimeError(f"no class-data archive within 300 s; see {log_path}")
    finally:
        stop(proc)


def measure_step(step, jars: dict, tmp: Path, index: int, recovery_kills: int) -> dict:
    name, layout, jvm, args, trains = step
    tag = f"step{index}"
    c.log(f"{name}: {'training, then ' if trains else ''}{WORKERS} workers + {KILLS} replacements")
    trained = train(jars[layout], jvm, args, tmp, tag) if trains else None
    proc, log_path, port = start_master(jars[layout], jvm, args, tmp, tag)
    samples, seen = [], set()
    result = {"name": name, "trained": trained, "load": c.load_average()}
    try:
        follow(proc, log_path, WORKERS, samples, seen)
        time.sleep(2)
        workers = [p for p in c.children(proc.pid) if p in seen]
        result["pss"] = [v for v in (c.pss_mb(p) for p in workers) if v is not None]
        result["spins"] = cpu_work(port)
        for i in range(KILLS):
            victim = min(workers, key=lambda pid: int(c.proc_start_time(pid) or 0))
            subprocess.run(["kill", "-9", str(victim)], check=False)
            follow(proc, log_path, WORKERS + i + 1, samples, seen)
            workers = [p for p in c.children(proc.pid) if p in seen]
        if recovery_kills:
            target = c.Target("A", name, prefork=True, port=port, workers=WORKERS, procs=[proc], logs=[log_path],
                              master=proc)
            result["recovery"] = c.measure_recovery(target, recovery_kills)
    finally:
        stop(proc)
    result["samples"] = samples
    c.log(f"  wall {[s['wall'] for s in samples]} cpu {[s['cpu'] for s in samples]} pss {result['pss']}")
    return result


def med(values: list) -> str:
    values = [v for v in values if v is not None]
    return f"{statistics.median(values):.2f}" if values else "n/a"


def render(results: list[dict], machine: list[str], started_at, seconds: float) -> str:
    lines = [f"# Worker cold start — {started_at:%Y-%m-%d %H:%M}", "",
             f"`bench/run coldstart`, {seconds / 60:.1f} min. Each step: {WORKERS} workers started one at a time, "
             f"then {KILLS} killed and replaced one at a time ({WORKERS + KILLS} starts); medians. Wall = spawn → "
             "ready as the master logs it; CPU = the worker's user + system time when it became ready; PSS with "
             f"{WORKERS} workers ready (shared pages split between the processes that map them); `/cpu` work = "
             "loop iterations the sample's /cpu endpoint gets through in 50 ms of CPU time after 200 warm-up "
             "requests (higher is faster code: it shows what the JIT settings cost a CPU-bound request).", "",
             "## Machine", "", "| | |", "|---|---|"] + machine + [
             "", "## Spawn → ready and memory per worker", "",
             "| step | wall (s) | CPU (s) | PSS per worker (MB) | `/cpu` work per 50 ms | load average at start "
             "| samples wall / CPU |",
             "|---|---:|---:|---:|---:|---|---|"]
    for r in results:
        walls = [s["wall"] for s in r["samples"]]
        cpus = [s["cpu"] for s in r["samples"]]
        lines.append(f"| {r['name']} | {med(walls)} | {med(cpus)} | {med(r.get('pss', []))} | "
                     f"{r['spins'] if r.get('spins') else 'n/a'} | {r['load']} | "
                     f"{', '.join(f'{w:.1f}' for w in walls)} / "
                     f"{', '.join(f'{c:.1f}' for c in cpus if c is not None)} |")
    for r in results:
        if not r.get("recovery"):
            continue
        times = [k["recovery_s"] for k in r["recovery"] if k.get("recovery_s") is not None]
        ok = sum(k["probe"].get("ok", 0) for k in r["recovery"])
        failed = sum(k["probe"].get("failed", 0) for k in r["recovery"])
        lines += ["", f"## Pool recovery after kill -9 ({r['name'].strip()}; light load: /hello every 20 ms)", "",
                  f"Kill → replacement ready: median {med(times)} s over {len(r['recovery'])} kills "
                  f"({', '.join(f'{t:.1f}' for t in times)}); probe requests ok {ok}, failed {failed}."]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if {"-h", "--help"} & set(argv):
        print(__doc__)
        return 0
    started_at, t0 = dt.datetime.now(), time.monotonic()
    c.install_signal_handlers()
    c.ensure_jar("--build" in argv)
    tmp = Path(tempfile.mkdtemp(prefix="prefork-coldstart-"))
    fat = tmp / c.JAR.name
    shutil.copy2(c.JAR, fat)
    subprocess.run(["java", "-Djarmode=tools", "-jar", str(fat), "extract", "--destination", str(tmp / "extracted")],
                   check=True, capture_output=True)
    jars = {"fat": fat, "extracted": tmp / "extracted" / c.JAR.name}
    if "--build-aot" in argv or not AOT_JAR.exists():
        c.log("building the AOT jar (mvn -q -B -pl sample-app -am package -Paot -DskipTests)")
        subprocess.run(["mvn", "-q", "-B", "-pl", "sample-app", "-am", "package", "-Paot", "-DskipTests"],
                       cwd=c.ROOT, check=True)
    subprocess.run(["java", "-Djarmode=tools", "-jar", str(AOT_JAR), "extract", "--destination", str(tmp / "aot")],
                   check=True, capture_output=True)
    jars["aot"] = tmp / "aot" / AOT_JAR.name
    only = next((set(map(int, a.split("=", 1)[1].split(","))) for a in argv if a.startswith("--only=")), None)
    c.log(f"temp dir {tmp}")
    results, ok = [], False
    try:
        for index, step in enumerate(STEPS):
            if only is None or index in only:
                results.append(measure_step(step, jars, tmp, index,
                                            RECOVERY_KILLS if index == DEFAULTS_STEP else 0))
        machine = c.machine_description(fat)
        ok = True
    finally:
        c.ignore_signals()
        c.clean_up(tmp, not ok or "--keep-temp" in argv)
    report = render(results, machine, started_at, time.monotonic() - t0)
    c.RESULTS.mkdir(parents=True, exist_ok=True)
    out = c.RESULTS / f"coldstart-{started_at:%Y%m%d-%H%M%S}.md"
    out.write_text(report)
    print(report)
    c.log(f"wrote {out.relative_to(c.ROOT)}")
    return 0


if __name__ == "__main__":
    c.run_main(main)
