"""The centre's desk at campaign scale, each figure beside a baseline measured in the same run.

1. The results workbook for 50,000 evaluations (rows generated synthetically: the point is the
   writer, not 50,000 real evaluations) — ``centre_xlsx.export_results`` from the desk's typed
   rows, all seven sheets with their header, widths, frozen pane, filter and print setup — beside
   bare openpyxl in write-only mode appending exactly the same cell values, prepared beforehand.
2. Dispatch for 2,000 targets and 500 supervisors through the store (``plans.run_dispatch``: read
   the roster and every history from the database, draw, store the published record and the
   teams, in one transaction), on top of a previous year's campaign of the same size as history;
   beside ``dispatch.dispatch`` alone on the very roster and targets the store handed it.

Usage: ``.venv/bin/python bench/bench_centre.py [--rows 50000] [--targets 2000] [--people 500] [--repeat 3]
[--write]``; ``--write`` replaces the section "The centre" of docs/performance.md (figures and notes).
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import Workbook
from perfdoc import Load, replace_section

from inspector.centre.dispatch import Target, dispatch
from inspector.centre.people import add_person, roster
from inspector.centre.plans import Plan, new_plan, run_dispatch, verify_dispatch
from inspector.centre.results import (
    Announcement,
    Difference,
    OverdueRecord,
    PlanResults,
    RecheckPick,
    Recommendation,
    RectificationRow,
    TargetResult,
)
from inspector.centre.workbooks import export_results, results_sheets
from inspector.centre.workdays import is_working_day
from inspector.folder import open_folder
from inspector.store.db import transaction
from inspector.store.rubrics import install_builtin_rubrics

TEAM = 3
SCOPE = "电工（初级、中级）；焊工（初级）"


def side_by_side(
    a: Callable[[], object], b: Callable[[], object], repeat: int
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Median (wall, CPU) seconds of ``a`` and of ``b``, run alternately so that a busy machine
    slows both alike; CPU time (this process only) is the steadier figure on a shared machine."""
    runs: dict[int, list[tuple[float, float]]] = {0: [], 1: []}
    for _ in range(repeat):
        for k, fn in enumerate((a, b)):
            w0, c0 = time.perf_counter(), time.process_time()
            fn()
            runs[k].append((time.perf_counter() - w0, time.process_time() - c0))
    return tuple(  # type: ignore[return-value]
        (statistics.median(w for w, _c in runs[k]), statistics.median(c for _w, c in runs[k])) for k in (0, 1)
    )


# -- 1. the results workbook -------------------------------------------------------------------------


def synthetic_results(n: int, rng: random.Random) -> PlanResults:
    plan = Plan(
        "P", "sichuan-2017-inspection", "基准计划", "routine", 2026, "四川省", None, None, "2026-01-01"
    )
    regions = ["成都市", "绵阳市", "自贡市", "德阳市", "乐山市", "宜宾市", "南充市", "达州市"]
    states = ["signed"] * 6 + ["complete", "draft", "dispatched", "planned"]
    rows = []
    for i in range(n):
        state = rng.choice(states)
        scored = state in ("signed", "complete", "draft")
        total = Decimal(rng.randint(300, 1000)) / 10 if scored else None
        self_total = total + rng.randint(0, 12) if total is not None and rng.random() < 0.3 else None
        passed = (total or 0) >= 60
        final = scored and state != "draft"
        rows.append(
            TargetResult(
                org_id=f"{i:032x}",
                org_name=f"第{i}职业技能鉴定站",
                org_code=f"12510{i:08d}MB0X",
                category="ABCDEFGHIJ"[i % 10],
                region=regions[i % 8],
                visit_date=f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}",
                team=(f"{i:030x}a1", f"{i:030x}b2", f"{i:030x}c3"),
                team_names=("张建国", "李秀英", "王志强"),
                record_due=f"2026-{1 + i % 12:02d}-{1 + (i + 7) % 28:02d}",
                eval_id=f"{i:031x}e" if scored else None,
                state=state,
                total=total,
                max_points=Decimal(100) if scored else None,
                outcome_code=("pass" if passed else "fail") if final else None,
                outcome_label=("合格" if passed else "不合格") if final else None,
                vetoes=("V3",) if rng.random() < 0.02 else (),
                self_total=self_total,
                self_difference=None if self_total is None or total is None else self_total - total,
                differing_items=rng.randint(1, 6) if self_total is not None else 0,
                rectification="open" if (total or 100) < 60 else None,
                record_overdue=rng.random() < 0.05,
            )
        )
    signed = [r for r in rows if r.state == "signed"]
    return PlanResults(
        plan=plan,
        today=date(2026, 11, 22),
        targets=rows,
        differences=[
            Difference(r.org_id, r.org_name, f"{k}.1.1", "职业技能鉴定考场规则", Decimal(2), Decimal(0))
            for r in rows[: n // 5]
            for k in (1, 2)
        ],
        recheck=[
            RecheckPick(r.org_id, r.org_name, r.eval_id or "", r.total, "random") for r in signed[: n // 10]
        ],
        recheck_seed="P",
        rectifications=[
            RectificationRow(
                r.org_id,
                r.org_name,
                r.eval_id or "",
                "open",
                "R",
                "川鉴整〔2026〕3号",
                "2026-05-19",
                "2026-11-19",
                -3,
                None,
                None,
                None,
                None,
                None,
            )
            for r in signed
            if r.rectification
        ],
        demonstration=[
            Recommendation(
                k + 1, r.org_id, r.org_name, r.eval_id or "", r.total or Decimal(0), Decimal(100), None
            )
            for k, r in enumerate(signed[: n // 100])
        ],
        announcement=[
            Announcement(
                r.org_id,
                r.org_name,
                r.org_code,
                r.category,
                r.region,
                r.outcome_code,
                r.outcome_label,
                "电工（初级、中级）；焊工（初级）",
            )
            for r in signed
        ],
        overdue=[
            OverdueRecord(
                r.org_id,
                r.org_name,
                r.visit_date or "",
                r.record_due or "",
                r.team_names,
                r.eval_id,
                r.state,
                4,
            )
            for r in rows
            if r.record_overdue
        ],
    )


def bare_openpyxl(path: Path, prepared: list[tuple[str, list[list[object]]]]) -> None:
    wb = Workbook(write_only=True)
    for title, rows in prepared:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)


def bench_workbook(n: int, repeat: int, folder: Path) -> list[str]:
    results = synthetic_results(n, random.Random(20261122))
    # The same cells, materialised once, outside the baseline's clock.
    prepared = [
        (s.title, [[c.header for c in s.columns], *[list(r) for r in s.rows]])
        for s in results_sheets(results)
    ]
    cells = sum(len(rows) * len(rows[0]) for _t, rows in prepared)
    mine, bare = side_by_side(
        lambda: export_results(results, folder / "mine.xlsx"),
        lambda: bare_openpyxl(folder / "bare.xlsx", prepared),
        repeat,
    )
    size = (folder / "mine.xlsx").stat().st_size / 2**20
    body = sum(len(r) - 1 for _t, r in prepared)
    print(f"results workbook: {n} evaluations, {body} rows in 7 sheets, {cells} cells, {size:.1f} MB")
    print(f"  {'':<40} {'wall':>7}   {'CPU':>7}")
    print(f"  {'centre_xlsx.export_results':<40} {mine[0]:7.2f} s {mine[1]:7.2f} s")
    print(f"  {'bare openpyxl write-only, same cells':<40} {bare[0]:7.2f} s {bare[1]:7.2f} s")
    print(f"  {'ratio (target ≤ 1.3×)':<40} {mine[0] / bare[0]:7.2f}×  {mine[1] / bare[1]:7.2f}×")
    return [
        f"**Results workbook for {n:,} evaluations** (rows generated synthetically: {n:,} targets plus"
        f" the desk's other lists, {body:,} rows in 7 sheets, {cells:,} cells, {size:.1f} MB),"
        " `centre_xlsx.export_results` from the desk's typed rows, with the header, widths, frozen pane,"
        " filter and print setup of every sheet, written atomically — beside bare openpyxl in write-only"
        " mode appending exactly the same cell values, prepared beforehand outside its clock; medians of"
        f" {repeat} interleaved runs:",
        "",
        "| | wall | CPU |",
        "|---|---|---|",
        f"| `export_results` | {mine[0]:.1f} s | {mine[1]:.1f} s |",
        f"| bare openpyxl write-only, same cells | {bare[0]:.1f} s | {bare[1]:.1f} s |",
        f"| ratio (target ≤ 1.3×) | **{mine[0] / bare[0]:.2f}×** | **{mine[1] / bare[1]:.2f}×** |",
    ]


# -- 2. dispatch through the store -------------------------------------------------------------------------


def working_days(year: int, last: date) -> list[date]:
    start = date(year, 1, 5)
    return [d for k in range((last - start).days + 1) if is_working_day(d := start + timedelta(days=k))]


def bench_dispatch(n_targets: int, n_people: int, folder: Path) -> list[str]:
    rng = random.Random(20260508)
    db = open_folder(folder)
    install_builtin_rubrics(db)
    t0 = time.perf_counter()
    with transaction(db) as conn:  # setup only: thousands of organisations in one commit
        org_ids = [f"{i:032x}" for i in range(n_targets)]
        conn.executemany(
            "INSERT INTO orgs (id, name, code, created_at) VALUES (?, ?, ?, '2026-01-01')",
            [(o, f"机构{i}", f"CODE-{i:05d}") for i, o in enumerate(org_ids)],
        )
    for i in range(n_people):
        issued = date(2023, 6, 1) + timedelta(days=rng.randrange(0, 900))
        add_person(
            db,
            name=f"督导员{i}",
            kind="external" if rng.random() < 0.7 else "internal",
            cert_no=f"510000{i:06d}",
            cert_issued=issued,
            employer_org=rng.choice(org_ids) if rng.random() < 0.6 else None,
            roles=[(o, "assessor") for o in rng.sample(org_ids, rng.randrange(0, 3))],
        )
    setup = time.perf_counter() - t0

    def campaign(year: int, last: date) -> tuple[str, list[Target]]:
        plan = new_plan(db, "sichuan-2017-inspection", f"{year}年检查评估", "routine")
        days = working_days(year, last)
        chosen = [(o, rng.choice(days)) for o in org_ids]
        with transaction(db) as conn:
            conn.executemany(
                "INSERT INTO plan_targets (plan_id, org_id, visit_date, added_at)"
                " VALUES (?, ?, ?, '2026-01-01')",
                [(plan.id, o, d.isoformat()) for o, d in chosen],
            )
        return plan.id, [Target(o, d) for o, d in chosen]

    first_plan, _ = campaign(2025, date(2025, 12, 19))
    t0 = time.perf_counter()
    run_dispatch(db, first_plan, team_size=TEAM, seed="2025")
    first = time.perf_counter() - t0
    plan_id, targets = campaign(2026, date(2026, 12, 18))
    t0 = time.perf_counter()
    people = roster(db)
    load = time.perf_counter() - t0
    t0 = time.perf_counter()
    dispatch(people, targets, plan_kind="routine", team_size=TEAM, seed="2026")
    pure = time.perf_counter() - t0
    t0 = time.perf_counter()
    rec = run_dispatch(db, plan_id, team_size=TEAM, seed="2026")
    store = time.perf_counter() - t0
    t0 = time.perf_counter()
    assert verify_dispatch(db, rec.id) == []
    verify = time.perf_counter() - t0
    history = sum(len(s.history) for s in people)
    record_mb = (
        db.conn.execute("SELECT length(record) FROM dispatches WHERE id = ?", (rec.id,)).fetchone()[0] / 2**20
    )
    print(f"dispatch: {n_targets} targets, {n_people} supervisors, teams of {TEAM}; {history} past visits")
    print(f"  {'setup (orgs, roster)':<40} {setup:7.2f} s")
    print(f"  {'run_dispatch, first campaign (2025)':<40} {first:7.2f} s")
    print(f"  {'run_dispatch, second campaign (2026)':<40} {store:7.2f} s")
    print(f"  {'  of which: roster + histories read':<40} {load:7.2f} s")
    print(f"  {'dispatch.dispatch alone, same input':<40} {pure:7.2f} s")
    print(f"  {'store / pure draw':<40} {store / pure:7.2f}×")
    print(f"  {'verify_dispatch (re-run from record)':<40} {verify:7.2f} s")
    print(f"  {'published record':<40} {record_mb:7.2f} MB")
    db.conn.close()
    return [
        f"**Dispatch for {n_targets:,} targets and {n_people} supervisors through the store**"
        " (`plans.run_dispatch`: read the roster with every history from the database, check the record"
        " deadlines, draw, store the published record and the teams, one durable transaction), the"
        f" previous year's campaign of the same size ({history:,} past visits) as history; beside"
        " `dispatch.dispatch` alone on the same roster and targets (one run each):",
        "",
        "| | time |",
        "|---|---|",
        f"| `run_dispatch`, first campaign (no history) | {first:.2f} s |",
        f"| `run_dispatch`, second campaign | {store:.2f} s |",
        f"| of which reading the roster and histories | {load:.2f} s |",
        f"| `dispatch.dispatch` alone, same input | {pure:.2f} s |",
        f"| store / pure draw | {store / pure:.1f}× |",
        f"| `verify_dispatch` (re-run from the record) | {verify:.2f} s |",
        f"| published record | {record_mb:.1f} MB |",
    ]


SECTION = "## The centre"

# What the figures mean, written after reading them (kept here so that --write regenerates it whole).
NOTES: list[str] = [
    "Reading the figures:",
    "",
    "- The workbook (target: within 1.3× of bare openpyxl): body cells carry no style (a styled cell"
    " costs a style lookup each); dates are ISO text; the printed names of states are looked up once per"
    " workbook, not once per cell (building them per row was 5 % of the time). The rest is openpyxl's own"
    " per-cell work (`lxml_write_cell`, `_bind_value`), which both sides pay alike. The workbook's"
    " seconds move with the machine's load (36 s for the same 50,000 rows at load 3.4 on 2026-11-22,"
    " 7.3 s on a quieter day); the ratio, from interleaved runs, is the figure to read.",
    "- Dispatch: the store's share is mostly the published record: pools of about 400 eligible people"
    " for each of 2,000 targets, kept as positions in the record's roster (as ids they would be 27 MB),"
    " encoded and written in about 0.3 s; `run_dispatch` returns the record it built rather than"
    " reading it back. There is no goal on this ratio; `bench_dispatch.py` compares the draw itself"
    " with bare `random.sample`.",
]


def write_section(parts: list[str], load: Load) -> None:
    lines = [
        SECTION,
        "",
        f"`bench/bench_centre.py`, {platform.python_version()}, {platform.machine()}, {load.text()}."
        " Both sides of the workbook ran interleaved; wall and the process's CPU time (steadier on a"
        " shared machine) are medians.",
        "",
        *parts,
        "",
        *NOTES,
    ]
    replace_section(SECTION, "\n".join(lines) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=50_000)
    ap.add_argument("--targets", type=int, default=2000)
    ap.add_argument("--people", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--write", action="store_true", help="record the figures in docs/performance.md")
    args = ap.parse_args()
    load = Load()
    with tempfile.TemporaryDirectory() as tmp:
        parts = bench_workbook(args.rows, args.repeat, Path(tmp))
        parts += ["", *bench_dispatch(args.targets, args.people, Path(tmp) / "data")]
    print(load.text())
    if args.write:
        write_section(parts, load)


if __name__ == "__main__":
    main()
