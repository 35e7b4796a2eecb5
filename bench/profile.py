"""Where a new connection's CPU goes (issue 16): `bench/run profile`.

Starts plain Tomcat (B) and prefork with default settings (A), one after the other; warms each up
with `Connection: close` /hello load, then profiles every JVM of the target (async-profiler, loaded
into the running JVMs with `jcmd <pid> JVMTI.agent_load`, cpu event) during a measured
`Connection: close` wrk run, and reads each process's CPU time from /proc around that run. The
report gives CPU per request by process and, per process kind (master, worker, plain), where the
samples fall: JIT compiler threads, GC and VM threads, the kernel (by syscall), and the starter's
own code (by its deepest io.prefork frame). The profiler comes from Maven Central
(tools.profiler:async-profiler, which ships the Linux library), fetched with `mvn dependency:get`.

Options: --seconds S (measured run, default 20), --warmup S (default 20), --build, --keep-temp
(keeps the collapsed stacks, which flame-graph tools read). Writes bench/results/profile-<timestamp>.md
and prints it. Every process is stopped by pid.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import subprocess
import tempfile
import zipfile
from pathlib import Path

import common as c

PROFILER = "tools.profiler:async-profiler:4.2"
CONNECTIONS = 16

# Native threads by what they do, from the frames under clone/start_thread.
THREAD_KINDS = (("CompileBroker::compiler_thread_loop", "JIT compiler threads"),
                ("GCTaskThread", "GC threads"), ("VMThread::run", "VM thread (safepoints, GC)"),
                ("WatcherThread", "VM watcher thread"))


def profiler_library(tmp: Path) -> Path:
    """The Linux x64 library from the async-profiler jar on Maven Central."""
    group, artifact, version = PROFILER.split(":")
    jar = Path.home() / ".m2/repository" / group.replace(".", "/") / artifact / version / f"{artifact}-{version}.jar"
    if not jar.exists():
        c.log(f"fetching {PROFILER}")
        subprocess.run(["mvn", "-q", "-B", "dependency:get", f"-Dartifact={PROFILER}"], check=True)
    library = tmp / "libasyncProfiler.so"
    with zipfile.ZipFile(jar) as archive:
        library.write_bytes(archive.read("linux-x64/libasyncProfiler.so"))
    return library


def agent(pid: int, library: Path, options: str) -> None:
    # jcmd reads name=value pairs in its arguments: the options go in quotes, whole.
    done = subprocess.run(["jcmd", str(pid), "JVMTI.agent_load", str(library), f'"{options}"'],
                          capture_output=True, text=True, timeout=60)
    if "return code: 0" not in done.stdout:
        raise RuntimeError(f"async-profiler in pid {pid} ({options}): {done.stdout.strip()} {done.stderr.strip()}")


def profile(target: c.Target, library: Path, tmp: Path, seconds: float, lua: Path) -> dict:
    pids = c.target_pids(target)
    master = target.master.pid if target.prefork else None
    for pid in pids:
        agent(pid, library, "start,event=cpu,interval=1ms")
    before = {pid: c.cpu_seconds(pid) for pid in pids}
    run = c.run_wrk(target.url + "/hello", CONNECTIONS, seconds, lua, tmp / "wrk.log", close=True)
    after = {pid: c.cpu_seconds(pid) for pid in pids}
    stacks = {}
    for pid in pids:
        path = tmp / f"{target.name}-{pid}.collapsed"
        agent(pid, library, f"stop,file={path},collapsed")
        kind = "plain" if not target.prefork else ("master" if pid == master else "worker")
        stacks.setdefault(kind, []).append(path)
    cpu = collections.Counter()
    for pid in pids:
        if before[pid] is not None and after[pid] is not None:
            cpu["plain" if not target.prefork else ("master" if pid == master else "worker")] += after[pid] - before[pid]
    return {"run": run, "cpu": cpu, "stacks": stacks, "load": c.load_average()}


def categorise(paths: list[Path]) -> tuple[int, collections.Counter, collections.Counter, collections.Counter]:
    total = 0
    kinds, syscalls, ours = collections.Counter(), collections.Counter(), collections.Counter()
    for path in paths:
        for line in path.read_text(errors="replace").splitlines():
            stack, _, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            samples = int(count)
            total += samples
            frames = stack.split(";")
            kind = next((name for marker, name in THREAD_KINDS if any(marker in f for f in frames)), None)
            kernel = next((i for i, f in enumerate(frames) if f.endswith("_[k]")), None)
            if kind is None:
                kind = "kernel (system calls)" if kernel is not None else "Java and native code"
            kinds[kind] += samples
            if kernel is not None:
                syscalls[frames[kernel - 1] if kernel > 0 else frames[kernel]] += samples
            deepest = [f for f in frames if "io/prefork/" in f and "/sample/" not in f]
            if deepest and kind not in dict(THREAD_KINDS).values():
                ours[deepest[-1].replace("/", ".")] += samples
    return total, kinds, syscalls, ours


def section(kind: str, paths: list[Path], cpu_us: float) -> list[str]:
    total, kinds, syscalls, ours = categorise(paths)
    if not total:
        return [f"### {kind}: no samples", ""]
    lines = [f"### {kind} ({len(paths)} JVM{'s' if len(paths) > 1 else ''}, {cpu_us:.0f} µs CPU per request)", "",
             "| where | share of samples | µs per request |", "|---|---|---|"]
    for name, samples in kinds.most_common():
        lines.append(f"| {name} | {100 * samples / total:.1f} % | {cpu_us * samples / total:.1f} |")
    lines += ["", "Kernel time by system call (the libc wrapper above the kernel frames):", "",
              "| call | share | µs per request |", "|---|---|---|"]
    for name, samples in syscalls.most_common(8):
        lines.append(f"| `{name}` | {100 * samples / total:.1f} % | {cpu_us * samples / total:.1f} |")
    if ours:
        lines += ["", "The starter's own code, by deepest `io.prefork` frame (callees included):", "",
                  "| frame | share | µs per request |", "|---|---|---|"]
        for name, samples in ours.most_common(10):
            lines.append(f"| `{name}` | {100 * samples / total:.1f} % | {cpu_us * samples / total:.1f} |")
    return lines + [""]


def render(args, results: dict) -> str:
    report = [f"# Where a new connection's CPU goes — {dt.datetime.now():%Y-%m-%d %H:%M}", "",
              f"`bench/run profile --seconds {args.seconds:g} --warmup {args.warmup:g}`: wrk -c{CONNECTIONS} "
              f"`Connection: close` GET /hello, async-profiler cpu samples every 1 ms of CPU.", "",
              "| target | req/s | errors | CPU µs per request | of which master | load average |", "|---|---|---|---|---|---|"]
    for name, result in results.items():
        requests = result["run"]["requests"]
        total = sum(result["cpu"].values()) * 1e6 / requests
        master = result["cpu"].get("master", 0) * 1e6 / requests
        report.append(f"| {name} | {result['run']['rps']:.0f} | {result['run']['errors']} | {total:.0f} | "
                      f"{master:.0f} | {result['load']} |")
    report.append("")
    for name, result in results.items():
        requests = result["run"]["requests"]
        for kind, paths in result["stacks"].items():
            report += section(f"{name} {kind}", paths, result["cpu"][kind] * 1e6 / requests)
    return "\n".join(report) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench/run profile")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=20)
    parser.add_argument("--build", action="store_true")
    parser.add_argument("--keep-temp", action="store_true")
    args = parser.parse_args(argv)
    c.install_signal_handlers()
    c.ensure_tools((("wrk", "wrk"),))
    c.ensure_jar(args.build)
    tmp = Path(tempfile.mkdtemp(prefix="prefork-profile-"))
    keep = args.keep_temp
    results = {}
    try:
        jar = c.private_jar(tmp)
        library = profiler_library(tmp)
        lua = c.write_wrk_script(tmp)
        # One at a time: a target starting while another is measured would be noise in both.
        for start in (lambda: c.start_plain("B", "plain Tomcat", jar, tmp),
                      lambda: c.start_prefork("A", "prefork, defaults", jar, tmp, [], c.NPROC)):
            target = start()
            c.wait_ready(target)
            if target.prefork:
                c.wait_archive(target.logs[0], target.master)
            c.log(f"{target.name}: warming up for {args.warmup:g} s")
            c.run_wrk(target.url + "/hello", CONNECTIONS, args.warmup, lua, tmp / "wrk.log", close=True)
            c.log(f"{target.name}: profiling {args.seconds:g} s of Connection: close load")
            results[target.name] = profile(target, library, tmp, args.seconds, lua)
            c.stop_target(target)
        # Before clean-up, which deletes the collapsed stacks unless they are kept.
        report = render(args, results)
    except Exception:
        keep = True
        raise
    finally:
        c.clean_up(tmp, keep, jar=tmp / c.JAR.name)
    c.write_report(report, f"profile-{dt.datetime.now():%Y%m%d-%H%M%S}")
    return 0


if __name__ == "__main__":
    c.run_main(main)
