"""Random dispatch for a large campaign, beside bare ``random.sample`` in the same run.

A roster of 500 supervisors (each with a year of past visits, an employer, some assessor roles,
cards of both kinds and ages) and 2,000 targets (400 organisations, visits spread over the
working days of 2026), teams of three. Baselines, on the same sorted pool of 500 ids:

* ``random.sample`` × 2,000 from one shared generator: the draw alone, no rules, no seeding;
* ``random.Random(key)`` + ``random.sample`` × 2,000: the same with one seeded generator per
  target, as a reproducible per-target draw needs.

Usage: ``.venv/bin/python bench/bench_dispatch.py [--targets 2000] [--people 500] [--repeat 5] [--write]``;
``--write`` replaces the section "The dispatch draw" of docs/performance.md (figures and notes).
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from perfdoc import Load, replace_section

from inspector.centre.dispatch import Supervisor, Target, Visit, dispatch
from inspector.centre.workdays import is_working_day

TEAM = 3
SECTION = "## The dispatch draw"

# What the figures mean, written after reading them (kept here so that --write regenerates it whole).
NOTES: list[str] = [
    "Reading the figures: the draw checks every per-person rule for each target (the card valid on the"
    " day, the kind, recusal for an employer or a role there, rotation, one supervision a day) and"
    " seeds one generator per target from the plan's seed, so that anyone can re-run it from the"
    " published record. The"
    " baseline with one seeded generator per target is the fair one: what is left over it is the rules."
    " There is no goal on this ratio; the draw through the store is in *The centre*.",
]


def make_roster(n: int, orgs: list[str], rng: random.Random) -> list[Supervisor]:
    days_2025 = [date(2025, 1, 1) + timedelta(days=k) for k in range(365)]
    out = []
    for i in range(n):
        issued = date(2023, 6, 1) + timedelta(days=rng.randrange(0, 1000))
        out.append(
            Supervisor(
                id=f"S{i:04d}",
                name=f"督导员{i}",
                kind="external" if rng.random() < 0.7 else "internal",
                cert_no=f"350000{i:06d}",
                cert_issued=issued,
                employer_org=rng.choice(orgs) if rng.random() < 0.6 else None,
                roles_at=frozenset(rng.sample(orgs, rng.randrange(0, 3))),
                history=tuple(Visit(rng.choice(orgs), rng.choice(days_2025)) for _ in range(12)),
            )
        )
    return out


def make_targets(n: int, orgs: list[str], rng: random.Random) -> list[Target]:
    # Up to 20 December so that every record due date stays inside the calendar data (2026).
    days = [d for k in range(354) if is_working_day(d := date(2026, 1, 1) + timedelta(days=k))]
    chosen: set[Target] = set()
    while len(chosen) < n:
        chosen.add(Target(rng.choice(orgs), rng.choice(days)))
    return sorted(chosen, key=lambda t: (t.org_id, t.date))


def timed(fn: object, repeat: int) -> float:
    assert callable(fn)
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--targets", type=int, default=2000)
    ap.add_argument("--people", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--write", action="store_true", help="record the figures in docs/performance.md")
    args = ap.parse_args()
    load = Load()

    rng = random.Random(20260508)
    orgs = [f"ORG{i:03d}" for i in range(400)]
    roster = make_roster(args.people, orgs, rng)
    targets = make_targets(args.targets, orgs, rng)
    pool = sorted(s.id for s in roster)

    result = dispatch(roster, targets, plan_kind="routine", team_size=TEAM, seed="bench")
    assert len(result.assignments) == len(targets)
    mean_pool = statistics.mean(len(a.pool) for a in result.assignments)

    t_dispatch = timed(
        lambda: dispatch(roster, targets, plan_kind="routine", team_size=TEAM, seed="bench"), args.repeat
    )

    def shared_sample() -> None:
        r = random.Random(1)
        for _ in targets:
            r.sample(pool, TEAM)

    def seeded_sample() -> None:
        for t in targets:
            random.Random(f"bench:{t.org_id}:{t.date.isoformat()}").sample(pool, TEAM)

    t_shared = timed(shared_sample, args.repeat)
    t_seeded = timed(seeded_sample, args.repeat)

    n = len(targets)

    def line(label: str, seconds: float) -> None:
        print(f"  {label:<36} {seconds * 1000:8.1f} ms  {seconds / n * 1e6:7.1f} µs/target")

    print(f"{n} targets, {len(roster)} supervisors, teams of {TEAM}; mean eligible pool {mean_pool:.0f}")
    line("dispatch (all rules, seeded draw)", t_dispatch)
    line("baseline random.sample, shared rng", t_shared)
    line("baseline Random(key) + sample", t_seeded)
    print(f"  {'dispatch / seeded baseline':<36} {t_dispatch / t_seeded:8.1f}×")
    print(load.text())
    if not args.write:
        return

    def row(label: str, seconds: float) -> str:
        per = seconds / n * 1e6
        ratio = "" if seconds is t_dispatch else f"{t_dispatch / seconds:.1f}×"
        return f"| {label} | {seconds * 1000:.1f} ms | {per:.1f} µs | {ratio} |"

    lines = [
        SECTION,
        "",
        f"`bench/bench_dispatch.py`, {platform.python_version()}, {platform.machine()}, {load.text()}."
        f" {n:,} targets, {len(roster)} supervisors (each with a year of past visits), teams of {TEAM};"
        f" mean eligible pool {mean_pool:.0f}; medians of {args.repeat} runs of each, in one process.",
        "",
        "| | whole draw | per target | dispatch ÷ this |",
        "|---|---|---|---|",
        row("`dispatch.dispatch` (every rule, seeded draw per target)", t_dispatch),
        row("baseline: `random.sample`, one shared generator", t_shared),
        row("baseline: `random.Random(key)` + `random.sample` per target", t_seeded),
        "",
        *NOTES,
    ]
    replace_section(SECTION, "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
