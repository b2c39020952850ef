"""The command line's start (issue 18, S1): what a command pays before and around its own work.

``inspector results PLAN --json`` at 10,000 evaluations must take at most 0.5 s for the whole
command; the desk's own work is most of that, so the imports before it must be few. Each command is
run as a fresh process (``python -m inspector …``, as the installed ``inspector`` runs it), the
programs compared interleaved round by round after a warm-up that writes their ``.pyc`` files (an
installed program has them; this session's environment sets ``PYTHONDONTWRITEBYTECODE``):

- this checkout, and with ``--before DIR`` another copy of the program (``git archive`` of the commit
  before), each command of both in the same round;
- the baseline of every round: the bare interpreter's start (``python -c pass``, the same site and
  virtual environment), what no command can go below.

Wall and CPU time (user + system of the child) are medians; the machine's cores are shared, so read
the CPU time beside the wall. A separate run of each command under ``-X importtime`` counts the
modules it imports beyond the bare interpreter's.

Usage: ``.venv/bin/python bench/bench_start.py --folder DIR [--before SRC] [--rounds 9] [--write]``
where DIR is a centre folder with its plan's id in ``DIR/PLAN`` (``bench_scale.py --folder`` keeps
one; the commands only read it, but opening a folder may install the shipped rubrics: give a copy).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from perfdoc import replace_section

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## The command line's start"
NOTES: list[str] = [
    "Reading the figures (issue 18, S1):",
    "",
    "- The goal is the whole command, `inspector results PLAN --json` at 10,000 evaluations in at most"
    " 0.5 s. Its own work (the desk read set-based, its JSON written) is the larger part and is another"
    " change's (the streamed JSON, branch s8-stream); this bench measures what the start adds to it:"
    " the interpreter, the command line, and the modules a command imports before it runs.",
    "- What this round changed: `inspector/cli/*.py` import the core's modules in the commands that use"
    " them, not at the top (a choice held by a core constant, such as `PLAN_KINDS`, is a `CoreChoice`"
    " read when parsing or help asks for it); the centre's modules name `sqlite_utils.Database` for"
    " their annotations only (`if TYPE_CHECKING`), as the store's modules on the window's path already"
    " did, so a command that reads through the plain connection (the desk, the statistics) never"
    " imports sqlite-utils with its dateutil, pluggy and tabulate. `tests/cli/test_lazy_start.py`"
    " runs the commands and fails if sqlite-utils, cryptography, openpyxl, reportlab, pyHanko, Pillow"
    " or Qt comes back on these paths, or a core module into `--help`.",
    "- What the desk's start still imports, and why: click (the command line itself, about 15 ms);"
    " the centre's modules the desk's code calls (plans, people, dispatch for the re-check draw,"
    " rulebooks, the register's scope, rectifications, reviews, verdicts) and the store and rubric"
    " under them: some 80 dataclasses, each made by `exec` of its generated methods at import (about"
    " 0.5 ms apiece); OpenSSL's hashlib (the shipped rubrics are checked by their SHA-256 at every"
    " open); the editable install's path finder of this virtual environment (about 10 ms, in the"
    " baseline too).",
    "- The machine has 2 cores shared with other engineers' work (tests, benches, builds); the load"
    " of the table's run is in its first line. In the run of 2026-12-06 with `--before` (the commit"
    " before this round, load 9–10) every CPU time was two to three times this machine's quiet figure,"
    " and for the two data commands (2 s of CPU then) the start's difference was inside the spread of"
    " five rounds; the help commands showed it whole (0.46 → 0.15 s and 0.56 → 0.18 s of CPU beyond"
    " the bare start; 199 → 84 and 234 → 80 modules). Measured when the machine was"
    " quiet (load 0.2–1, in one process with the `.pyc` files, three runs each): importing what"
    " `results PLAN --json` needs (the command line, the centre's commands, the desk) took 0.161–0.168 s"
    " of CPU before and 0.120–0.125 s after, the whole command 0.85 s of CPU before (0.87 s wall),"
    " of which the desk's own work was about 0.6 s (`plan_results` 0.40 s, `as_json` 0.07 s, the JSON"
    " text 0.11 s). **Not met** (0.5 s for the whole command) by the start alone: what the start"
    " still costs (about 0.12 s of imports and 0.03 s of interpreter) leaves the desk's own work"
    " 0.35 s at most.",
    "",
]


def command_lines(folder: Path) -> dict[str, list[str]]:
    plan = (folder / "PLAN").read_text().strip()
    return {
        "--version": ["--version"],
        "results --help": ["results", "--help"],
        "--help": ["--help"],
        "stats --json": ["--data", str(folder), "stats", "--json"],
        "results PLAN --json": ["--data", str(folder), "results", plan, "--json"],
    }


def run(
    src: Path | None, args: list[str], importtime: bool = False, pyc: bool = False
) -> tuple[float, float, str]:
    """One fresh process: wall seconds, CPU seconds (user + system), stderr. ``src`` None: the bare
    interpreter (``-c pass``)."""
    env = {k: v for k, v in os.environ.items() if k not in ("INSPECTOR_DATA", "INSPECTOR_LANG")}
    if pyc:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    argv = [sys.executable, *(["-X", "importtime"] if importtime else [])]
    if src is None:
        argv += ["-c", "pass"]
    else:
        env["PYTHONPATH"] = str(src)
        argv += ["-m", "inspector", *args]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(
        argv, env=env, cwd=src or ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{argv} failed ({done.returncode}): {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stderr


def modules(src: Path | None, args: list[str]) -> int:
    """How many modules the command imports (``-X importtime`` names each once). Their import time,
    summed from the same lines, moved by a factor of 3 between runs on this shared machine and is
    not reported: the CPU time of the timed runs says what they cost."""
    _wall, _cpu, err = run(src, args, importtime=True)
    return sum(1 for line in err.splitlines() if line.startswith("import time:") and "self [us]" not in line)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folder", type=Path, required=True, help="a centre folder with its plan id in PLAN")
    parser.add_argument("--before", type=Path, default=None, help="another copy of the program to compare")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    programs: dict[str, Path] = {"this": ROOT}
    if args.before:
        programs = {"before": args.before.resolve(), **programs}
    commands = command_lines(args.folder.resolve())
    subjects = [(name, cmd, src) for cmd in commands for name, src in programs.items()]
    for _name, cmd, src in subjects:  # warm-up: the page cache, and the .pyc files an install has
        run(src, commands[cmd], pyc=True)
    walls: dict[tuple[str, str], list[float]] = {(n, c): [] for n, c, _s in subjects}
    cpus: dict[tuple[str, str], list[float]] = {(n, c): [] for n, c, _s in subjects}
    walls[("bare", "")], cpus[("bare", "")] = [], []
    load = []
    for r in range(args.rounds):
        order = subjects if r % 2 == 0 else subjects[::-1]  # neither side always first
        wall, cpu, _err = run(None, [])
        walls[("bare", "")].append(wall)
        cpus[("bare", "")].append(cpu)
        for name, cmd, src in order:
            wall, cpu, _err = run(src, commands[cmd])
            walls[(name, cmd)].append(wall)
            cpus[(name, cmd)].append(cpu)
        load.append(os.getloadavg()[0])
        print(f"round {r + 1}/{args.rounds}, load {load[-1]:.1f}", file=sys.stderr, flush=True)
    wall_m = {k: statistics.median(v) for k, v in walls.items()}
    cpu_m = {k: statistics.median(v) for k, v in cpus.items()}
    bare_wall, bare_cpu = wall_m[("bare", "")], cpu_m[("bare", "")]
    bare_n = modules(None, [])
    lines = [
        SECTION,
        "",
        f"`bench/bench_start.py`, {platform.python_version()}, {platform.machine()},"
        f" {dt.date.today().isoformat()}: each command a fresh process (`python -m inspector …`),"
        f" medians of {args.rounds} interleaved rounds after a warm-up that wrote the `.pyc` files;"
        f" load average {min(load):.1f}–{max(load):.1f} on the 2 cores during the rounds."
        + (
            " *before*: a copy of the program at the commit before this work, in the same rounds."
            if args.before
            else ""
        )
        + f" Bare interpreter start (`python -c pass`, same virtual environment): {bare_wall:.3f} s"
        f" wall, {bare_cpu:.3f} s CPU, {bare_n} modules; the modules column counts those the command"
        " imports beyond these.",
        "",
        "| command | program | wall | CPU | CPU − bare start | modules imported |",
        "|---|---|---|---|---|---|",
    ]
    for cmd, argv in commands.items():
        for name, src in programs.items():
            n = modules(src, argv)
            wall, cpu = wall_m[(name, cmd)], cpu_m[(name, cmd)]
            lines.append(
                f"| `inspector {cmd}` | {name} | {wall:.3f} s | {cpu:.3f} s | {cpu - bare_cpu:.3f} s"
                f" | {n - bare_n} |"
            )
    evaluations = ""
    db = args.folder / "inspector.sqlite3"
    if db.exists():
        import sqlite3

        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            evaluations = f"{conn.execute('SELECT COUNT(*) FROM evaluations').fetchone()[0]:,}"
    lines += ["", f"The folder: {evaluations} evaluations, the plan of every station.", ""]
    for cmd, row in (("results PLAN --json", "S1"), ("stats --json", "S2")):
        wall, cpu = wall_m[("this", cmd)], cpu_m[("this", cmd)]
        if wall <= 0.5:
            verdict = "met"
        elif cpu <= 0.5:  # a quiet machine's wall time comes down towards the CPU time
            verdict = "not met in wall time at this load; the CPU time is within 0.5 s"
        else:
            verdict = "not met"
        lines.append(
            f"**Issue 18 {row} (`inspector {cmd}` at {evaluations} evaluations, the whole command; goal at"
            " 10,000: ≤ 0.5 s):"
            f" {wall:.3f} s wall, {cpu:.3f} s CPU in this run ({wall / bare_wall:.1f}× and"
            f" {cpu / bare_cpu:.1f}× the bare interpreter's start): {verdict}.**"
        )
        lines.append("")
    lines += NOTES
    print("\n".join(lines))
    if args.write:
        replace_section(SECTION, "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
