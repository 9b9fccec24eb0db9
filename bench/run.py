#!/usr/bin/env python3
"""Benchmark build.py against the floor (bench/floor.py), case by case.

    python bench/run.py                                   # today, check, 63x2000; 3 repeats
    python bench/run.py --cases today,check,10x200 --repeats 5
    python bench/run.py --cases 63x4000 --repeats 1

Cases: `today` (the repository's data/ folder, `build.py --data data --output …`),
`check` (the same folder, `build.py --check`), `NxM` (generated: N provinces x M
targets, see bench/generate.py), `check:NxM` and `edit:NxM`. Generated folders are cached in
--cache (dist/bench/ by default, keyed by the generator, the vocabulary and the sizes).

`edit:NxM` is the incremental rebuild: a copy of the NxM folder is built once in full with its own
parse cache (not timed); then before each timed run one province file is edited (its first English
statement) and build.py rebuilds with the cache. It is compared with the full build of NxM in the same
run (added to the cases when not asked for), in one more line:
`edit:NxM: rebuild after editing one province file X s, full build Y s, P% of it`.

Each build and floor run is a separate process (imports included), started by a small launcher. Runs are
interleaved (build, floor, build, …; the order reversed every other repeat) so that
noise from other work on the machine falls on both. Wall time and peak memory
(the child's maximum resident set size, from wait4) are measured per run, and its
CPU time (user + system), which other work on the machine disturbs less than wall
time; the report gives medians of the times and the highest peak, and ends with one
line per case:

    CASE: build X s, floor Y s, ratio R, peak Z MiB

where ratio = build / floor and peak is build.py's. A `check` case is compared with
the floor of the same data.

Every build run is a full build: when build.py has a parse cache (`--no-cache` in its
--help) the runner passes `--no-cache`. `--build-args '--jobs 1'` adds arguments to
every build run (e.g. to compare single-process and parallel parsing). Peak memory is
the largest single process's (wait4 reports the maximum over a process and the
children it waited for, not their sum), so parse workers' own memory is not added.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import floor  # noqa: E402
import generate  # noqa: E402

CASE = re.compile(r"(?:(check|edit):)?(\d+)x(\d+)")
DEFAULT_CASES = "today,check,63x2000,edit:63x2000"


@dataclass
class Case:
    name: str
    data: Path
    check: bool
    generated: tuple | None = None  # (provinces, targets)
    build: list = field(default_factory=list)  # a Run per build run
    edit: bool = False  # a rebuild after editing one province file (compared with the full build of the same data)

    @property
    def data_name(self) -> str:
        return "today" if self.generated is None else "{}x{}".format(*self.generated)


@dataclass
class Run:
    seconds: float
    cpu: float  # user + system seconds: less disturbed than wall time by other work on the machine
    mib: float
    output: str
    tree_mib: float = 0.0  # peak of the summed PSS of the process and every process it started (sampled every 50 ms)


def parse_cases(spec: str, real: Path, cache: Path) -> list[Case]:
    cases = []
    for name in (s.strip() for s in spec.split(",") if s.strip()):
        if name in ("today", "check"):
            cases.append(Case(name, real, name == "check"))
            continue
        match = CASE.fullmatch(name)
        if not match:
            raise SystemExit(f"unknown case {name!r}: use today, check, NxM or check:NxM")
        provinces, targets = int(match.group(2)), int(match.group(3))
        key = generate.fingerprint(real, provinces=provinces, targets=targets)
        folder = cache / "data" / f"{provinces}x{targets}-{key}"
        cases.append(Case(name, folder, match.group(1) == "check", (provinces, targets), edit=match.group(1) == "edit"))
    full = {c.data_name for c in cases if not c.check and not c.edit}
    for case in [c for c in cases if c.edit and c.data_name not in full]:  # an edit case is compared with a full build
        cases.insert(cases.index(case), Case(case.data_name, case.data, False, case.generated))
        full.add(case.data_name)
    return cases


EDITED = re.compile(r'statement_en: "(\[edit \d+\] )?')


def edit_one_file(data: Path, count: int) -> Path:
    """Change one province file (the middle one) as a contributor would: its first English statement."""
    files = sorted((data / "jurisdictions").glob("tinh-*.yml"))
    path = files[len(files) // 2]
    text = path.read_text(encoding="utf-8")
    path.write_text(EDITED.sub(f'statement_en: "[edit {count}] ', text, count=1), encoding="utf-8")
    return path


def ensure_data(case: Case, real: Path):
    if case.generated is None or case.data.is_dir():
        return
    provinces, targets = case.generated
    for stale in case.data.parent.glob(f"{provinces}x{targets}-*"):  # made by an older generator or vocabulary
        shutil.rmtree(stale)
    print(f"generating {case.data.name} …", flush=True)
    temp = case.data.with_name(case.data.name + ".tmp")
    generate.generate(temp, provinces, targets, real=real)
    temp.rename(case.data)


# Each run is started by this small launcher, not by the runner itself: a child's peak memory
# (ru_maxrss) counts the memory of the process it was started from, and the runner may hold a
# generated data set in memory; the launcher holds a few MiB.
LAUNCHER = r"""
import glob, os, sys, threading, time
log, argv = sys.argv[1], sys.argv[2:]
fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
tree_peak, done = [0], threading.Event()

def pss(p):  # proportional set size, KiB: pages shared by a parent and its forked workers counted once in all
    try:
        with open(f"/proc/{p}/smaps_rollup") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
    except (OSError, StopIteration, ValueError):
        return 0

def tree(p):
    found = [p]
    for children in glob.glob(f"/proc/{p}/task/*/children"):
        try:
            with open(children) as f:
                for child in f.read().split():
                    found += tree(int(child))
        except OSError:
            pass
    return found

def sample():
    while not done.wait(0.05):
        tree_peak[0] = max(tree_peak[0], sum(pss(p) for p in tree(pid)))

sampler = threading.Thread(target=sample, daemon=True)
sampler.start()
_, status, usage = os.wait4(pid, 0)
done.set()
sampler.join()
print(time.perf_counter() - start, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, os.waitstatus_to_exitcode(status), tree_peak[0])
"""


def run(command: list, log: Path) -> Run:
    """One child process: its wall time and peak memory (KiB from wait4); its output in `log`."""
    launcher = subprocess.run([sys.executable, "-I", "-S", "-c", LAUNCHER, log, *map(str, command)], cwd=ROOT,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if launcher.returncode != 0:
        raise SystemExit(f"could not run {' '.join(map(str, command))}: {launcher.stderr}")
    seconds, cpu, kib, code, tree_kib = launcher.stdout.split()
    text = log.read_text(encoding="utf-8", errors="replace")
    if int(code) != 0:
        raise SystemExit(f"failed ({code}): {' '.join(map(str, command))}\n{text[-3000:]}")
    return Run(float(seconds), float(cpu), int(kib) / 1024, text.strip().splitlines()[-1] if text.strip() else "",
               int(tree_kib) / 1024)


def build_options(python) -> str:
    return subprocess.run([python, ROOT / "build.py", "--help"], cwd=ROOT, capture_output=True, text=True).stdout


def shared_option(python) -> bool:
    """Whether build.py still reads source texts from `--shared DIR` (before they moved into the data folder)."""
    return "--shared" in build_options(python)


def secs(x: float) -> str:
    return f"{x:.2f}" if x < 10 else f"{x:.1f}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default=DEFAULT_CASES, help=f"comma-separated (default: {DEFAULT_CASES})")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each build and floor (default: 3)")
    parser.add_argument("--cache", type=Path, default=ROOT / "dist" / "bench", help="generated data and outputs")
    parser.add_argument("--data", type=Path, default=ROOT / "data", help="the real data folder (case `today`)")
    parser.add_argument("--python", default=sys.executable, help="interpreter for build.py and the floor")
    parser.add_argument("--build-args", default="", help="more arguments for every build.py run, e.g. '--jobs 1'")
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    args = parser.parse_args(argv)

    cache, real = args.cache.resolve(), args.data.resolve()
    out = cache / "out"
    out.mkdir(parents=True, exist_ok=True)
    cases = parse_cases(args.cases, real, cache)
    build_py = ROOT / "build.py"
    options = build_options(args.python)
    shared = "--shared" in options
    # every build run is a full build: a build.py with a parse cache is told not to use it
    build_args = (["--no-cache"] if "--no-cache" in options else []) + args.build_args.split()

    # Before timing: the empty schema the floor starts from, copied from a database build.py makes.
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores; build.py {'--shared' if shared else 'reads DATA/sources'}"
          f"; build runs with: {' '.join(build_args) or '(no extra arguments)'}")
    source_db = out / "schema-source.db"
    run([args.python, build_py, "--data", real, "--output", source_db], out / "schema-source.log")
    schema = out / "schema.db"
    floor.make_schema(source_db, schema)

    jobs = []  # (label, command, output file, where the result goes, what to do first)
    floors: dict = {}
    for case in cases:
        ensure_data(case, real)
        extra = (["--shared", case.data / "sources"] if shared and case.generated else []) + build_args
        slug = case.name.replace(":", "-")
        if case.edit:  # a copy of the data with its own parse cache, built once in full before timing
            copy, store = out / f"{slug}-data", out / f"{slug}-cache"
            for folder in (copy, store):
                shutil.rmtree(folder, ignore_errors=True)
            shutil.copytree(case.data, copy)
            extra = [e for e in extra if e != "--no-cache"]
            command = [args.python, build_py, "--data", copy, "--output", out / f"{slug}.db", "--cache", store, *extra]
            if (out / f"{slug}.db").exists():
                (out / f"{slug}.db").unlink()
            print(f"{case.name}: a first, full build with the cache …", flush=True)
            run(command, out / f"{slug}.log")
            edits = iter(range(1, 10**6))
            jobs.append((f"{case.name} rebuild", command, None, case.build,
                         lambda copy=copy, edits=edits: edit_one_file(copy, next(edits))))
            continue
        if case.check:
            command = [args.python, build_py, "--data", case.data, "--check", *extra]
        else:
            command = [args.python, build_py, "--data", case.data, "--output", out / f"{slug}.db", *extra]
        jobs.append((f"{case.name} build", command, out / f"{slug}.db", case.build, None))
        if case.data_name not in floors:
            floors[case.data_name] = []
            floor_out = out / f"{case.data_name}-floor.db"
            jobs.append((f"{case.data_name} floor",
                         [args.python, BENCH / "floor.py", case.data, floor_out, "--schema", schema],
                         floor_out, floors[case.data_name], None))

    for repeat in range(args.repeats):
        for label, command, output, results, first in (jobs if repeat % 2 == 0 else reversed(jobs)):
            if first is not None:
                first()
            if output is not None and output.exists():  # a rebuild (output None) patches the last database
                output.unlink()
            result = run(command, out / (label.replace(":", "-").replace(" ", "-") + ".log"))
            results.append(result)
            note = f"  ({result.output})" if repeat == 0 else ""
            print(f"[{repeat + 1}/{args.repeats}] {label}: {secs(result.seconds)} s (cpu {secs(result.cpu)} s), "
                  f"{result.mib:.0f} MiB (all processes {result.tree_mib:.0f} MiB PSS){note}", flush=True)

    print()
    print(f"{'case':<16} {'build s':>9} {'floor s':>9} {'ratio':>6} {'build cpu':>10} {'floor cpu':>10} {'ratio':>6} "
          f"{'build MiB':>10} {'floor MiB':>10} {'ratio':>6} {'build all':>10} {'floor all':>10} {'ratio':>6}"
          "  (medians of wall and cpu seconds; highest peak: MiB of the largest process, and all: summed PSS of"
          " the process and its workers)")
    lines, report = [], []
    full = {c.data_name: c for c in cases if not c.check and not c.edit}
    for case in cases:
        b, f = case.build, floors[case.data_name]
        build_s, floor_s = statistics.median(r.seconds for r in b), statistics.median(r.seconds for r in f)
        build_cpu, floor_cpu = statistics.median(r.cpu for r in b), statistics.median(r.cpu for r in f)
        build_mib, floor_mib = max(r.mib for r in b), max(r.mib for r in f)
        build_all, floor_all = max(r.tree_mib for r in b), max(r.tree_mib for r in f)
        print(f"{case.name:<16} {secs(build_s):>9} {secs(floor_s):>9} {build_s / floor_s:>6.2f} "
              f"{secs(build_cpu):>10} {secs(floor_cpu):>10} {build_cpu / floor_cpu:>6.2f} "
              f"{build_mib:>10.0f} {floor_mib:>10.0f} {build_mib / floor_mib:>6.2f} "
              f"{build_all:>10.0f} {floor_all:>10.0f} {build_all / max(floor_all, 1):>6.2f}")
        lines.append(f"{case.name}: build {secs(build_s)} s, floor {secs(floor_s)} s, "
                     f"ratio {build_s / floor_s:.2f}, peak {build_mib:.0f} MiB")
        if case.edit:
            whole = statistics.median(r.seconds for r in full[case.data_name].build)
            lines.append(f"{case.name}: rebuild after editing one province file {secs(build_s)} s, full build "
                         f"{secs(whole)} s, {build_s / whole:.0%} of it (issue 10: at most 15%), peak {build_mib:.0f} MiB")
        report.append({"case": case.name, "data": str(case.data), "build_seconds": [r.seconds for r in b],
                       "build_cpu": [r.cpu for r in b], "build_mib": [r.mib for r in b],
                       "floor_seconds": [r.seconds for r in f], "floor_cpu": [r.cpu for r in f],
                       "floor_mib": [r.mib for r in f], "build_all_mib": [r.tree_mib for r in b],
                       "floor_all_mib": [r.tree_mib for r in f]})
    print()
    print("\n".join(lines))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
