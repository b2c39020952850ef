"""The province bench's fixture (bench/bench_province.py): S stations evaluated once a year for Y years.

A centre folder with S stations in 21 cities and one plan (campaign) a year, every station a
target of every year's plan on a visit day in that year, and one Sichuan inspection per station
and year through the real change path, as ``bench_scale.fill`` does: the creation, the 61
observations drawn per station and year, a veto where one is found, the sign-off and the lock
with the figures fixed at signing (``fixed_payload(recorded_report(...))``), so that the kept
figures come from the real scoring engine. The form's version follows the years (version 1 for
2017–2019, 2 for 2020–2022, the newest after), as a centre's history does.

Variety the desk shows differently (each drawn from the station and year, the same every run):

- a share of evaluations with a veto found (否决项: 不合格 whatever the score), and a share with
  many findings (a score under the 60-point pass line: 不合格, a rectification notice due);
- in the latest year a few evaluations not signed yet (drafts, some items still unanswered);
- in every year a few targets cancelled (the station closed that year: no evaluation).

**A bench fixture, not the program's way of working**: to make 100,000 evaluations (6.4 million
changes) bearable on a 2-core machine it writes with ``PRAGMA synchronous=OFF``, many stations per
transaction, the targets inserted and cancelled by plain SQL (``insert_targets``; the cancellation
as ``cancel_target``'s UPDATE without its withdrawn-team bookkeeping: these targets never had a
team), and it may fill the years in ``workers`` processes, each on a copy of the folder made after
the stations and plans, merged back table by table (each evaluation's change chain is its own, so
rows made apart merge as they are). The measured commands open the folder with the normal program.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import random
import shutil
import sqlite3
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the program, run as a script

import sqlite_utils

from inspector.centre.plans import insert_targets, new_plan
from inspector.clock import now
from inspector.errors import NotFoundError
from inspector.folder import open_folder
from inspector.rubric.model import Item, Rubric
from inspector.store.changes import CREATE, LOCK, OBSERVE, SIGN, VETO
from inspector.store.db import DB_NAME, transaction
from inspector.store.evaluations import VETO_PREFIX, EvaluationStore, fixed_payload, recorded_report
from inspector.store.log import apply_change
from inspector.store.orgs import insert_org

RUBRIC = "sichuan-2017-inspection"
CITIES = 21  # Sichuan's prefecture-level divisions
PLANS_FILE = "PLANS"  # one line per year: "YEAR PLAN_ID" (written when that year is filled)
CITY_FILE = "CITY_PLAN"  # the latest year's plan of one city's stations (市00)
BATCH = 50  # stations per transaction
VETO_SHARE = 0.015
FAILING_SHARE = 0.04
CANCELLED_SHARE = 0.01
DRAFT_SHARE = 0.02  # latest year only


def station_id(k: int) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"inspector-bench-province/{k}").hex


def city(k: int) -> str:
    return f"市{k % CITIES:02d}"


def visit_day(k: int, year: int) -> dt.date:
    """A working day between March and November, spread over the stations (each its own day)."""
    day = dt.date(year, 3, 1) + dt.timedelta(days=(k * 7) % 260)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def form_version(year: int, newest: int) -> int:
    return 1 if year <= 2019 else min(2, newest) if year <= 2022 else newest


def fate(k: int, year: int, latest: int) -> str:
    """What happens to station ``k``'s target in ``year``: signed | veto | failing | draft | cancelled."""
    draw = random.Random(f"fate:{k}:{year}").random()
    if draw < CANCELLED_SHARE:
        return "cancelled"
    draw -= CANCELLED_SHARE
    if year == latest and draw < DRAFT_SHARE:
        return "draft"
    draw -= DRAFT_SHARE if year == latest else 0
    if draw < VETO_SHARE:
        return "veto"
    draw -= VETO_SHARE
    return "failing" if draw < FAILING_SHARE else "signed"


def plans_of(folder: Path) -> dict[int, str]:
    """The filled years' plans, by year (from the folder's PLANS file)."""
    path = folder / PLANS_FILE
    if not path.is_file():
        return {}
    return {int(y): p for y, p in (line.split() for line in path.read_text().splitlines() if line.strip())}


def setup(folder: Path, stations: int, years: list[int]) -> dict[int, str]:
    """The stations and one plan a year (no targets yet); the plans by year."""
    db = open_folder(folder, rubrics=True)
    with transaction(db) as conn:
        for k in range(stations):
            insert_org(conn, station_id(k), f"鉴定站{k:05d}", f"P{k:05d}", {"region": city(k)})
    plans = {
        y: new_plan(
            db, RUBRIC, f"{y}年度职业技能鉴定站（所）检查评估", "routine", year=y,
            starts=dt.date(y, 1, 1), ends=dt.date(y, 12, 31),
        ).id
        for y in years
    }  # fmt: skip
    store = EvaluationStore(db, "bench")
    for v in range(1, 4):  # read (and cached) before any copy is made: the copies add no rubric rows
        try:
            store.rubric(RUBRIC, v)
        except NotFoundError:  # a version this build does not ship
            break
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    return plans


def newest_version(store: EvaluationStore) -> int:
    newest = 1
    for v in range(2, 10):
        try:
            store.rubric(RUBRIC, v)
        except NotFoundError:  # no such version
            break
        newest = v
    return newest


def fill_year(db: sqlite_utils.Database, plan_id: str, year: int, stations: int, latest: int) -> None:
    """Every station a target of the year's plan, with its evaluation (see the module docstring)."""
    store = EvaluationStore(db, "bench")
    rubric = store.rubric(RUBRIC, form_version(year, newest_version(store)))
    items = list(rubric.items())
    vetoes = [v.id for v in rubric.vetoes]
    for first in range(0, stations, BATCH):
        with transaction(db) as conn:
            for k in range(first, min(stations, first + BATCH)):
                _station_year(conn, store, rubric, items, vetoes, plan_id, k, year, latest)


def _station_year(
    conn: sqlite3.Connection,
    store: EvaluationStore,
    rubric: Rubric,
    items: list[Item],
    vetoes: list[str],
    plan_id: str,
    k: int,
    year: int,
    latest: int,
) -> None:
    org_id, day, what = station_id(k), visit_day(k, year), fate(k, year, latest)
    insert_targets(conn, plan_id, [org_id], day, now())
    if what == "cancelled":
        conn.execute(
            "UPDATE plan_targets SET state = 'cancelled' WHERE plan_id = ? AND org_id = ?", (plan_id, org_id)
        )
        return
    eval_id = uuid.uuid4().hex
    head = {
        "rubric": rubric.id, "rubric_version": rubric.version, "rubric_hash": rubric.content_hash,
        "org": {"id": org_id, "name": f"鉴定站{k:05d}", "code": f"P{k:05d}"},
        "kind": "inspection", "team": [], "visit_date": day.isoformat(),
    }  # fmt: skip
    apply_change(conn, store._change(conn, eval_id, None, CREATE, head), store.rubric)
    draw = random.Random(f"{k}:{year}")  # each station and year its own findings, the same every run
    rate = 0.55 if what == "failing" else 1 / 7
    answered = items if what != "draft" else items[: draw.randrange(10, len(items) - 5)]
    for item in answered:
        found = draw.random() < rate
        obs: dict[str, object] = (
            {"tier": int(found)} if item.rule.kind == "tiers" else {"problems": int(found)}
        )
        if found:
            obs["note"] = "现场发现的问题"
        apply_change(conn, store._change(conn, eval_id, item.id, OBSERVE, obs), store.rubric)
    if what == "veto" and vetoes:
        veto = vetoes[draw.randrange(len(vetoes))]
        payload = {"veto": True, "note": "现场核实"}
        apply_change(conn, store._change(conn, eval_id, VETO_PREFIX + veto, VETO, payload), store.rubric)
    if what == "draft":
        return
    apply_change(
        conn, store._change(conn, eval_id, None, SIGN, {"name": "组长", "role": "组长"}), store.rubric
    )
    fixed = fixed_payload(recorded_report(conn, eval_id, store.rubric))
    apply_change(conn, store._change(conn, eval_id, None, LOCK, fixed), store.rubric)


def _fill_years(folder: Path, plans: dict[int, str], stations: int, latest: int) -> None:
    """One process's share: its years, in order, each year's line written to the folder's PLANS file
    once the year is filled (so that a fill stopped part way leaves whole years to measure)."""
    db = open_folder(folder)
    db.conn.execute("PRAGMA synchronous=OFF")  # a bench fixture (see the module docstring)
    for year, plan_id in sorted(plans.items()):
        t0 = time.perf_counter()
        fill_year(db, plan_id, year, stations, latest)
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        with (folder / PLANS_FILE).open("a") as out:
            out.write(f"{year} {plan_id}\n")
        took = time.perf_counter() - t0
        print(f"  {folder.name}: {year} filled, {stations:,} stations in {took:.0f} s"
              f" ({stations / took:.1f}/s)", file=sys.stderr, flush=True)  # fmt: skip
    db.conn.close()


def merge(into: Path, part: Path, snapshot: dict[str, int]) -> None:
    """The rows a worker added to its copy (after ``snapshot``: each rowid table's largest rowid at
    the copy; a WITHOUT ROWID table's rows by their primary key) into the folder ``into``."""
    conn = sqlite3.connect(into / DB_NAME, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("ATTACH DATABASE ? AS part", (str(part / DB_NAME),))
    conn.execute("BEGIN IMMEDIATE")
    for table, last in snapshot.items():
        where = "" if last < 0 else f" WHERE rowid > {last}"
        conn.execute(f"INSERT OR IGNORE INTO main.{table} SELECT * FROM part.{table}{where}")
    conn.execute("COMMIT")
    conn.execute("DETACH DATABASE part")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _snapshot(folder: Path) -> dict[str, int]:
    conn = sqlite3.connect(folder / DB_NAME)
    out = {}
    for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"):
        if name.startswith("sqlite_"):
            continue
        if "WITHOUT ROWID" in sql.upper():
            out[name] = -1
        else:
            out[name] = int(conn.execute(f"SELECT COALESCE(MAX(rowid), 0) FROM {name}").fetchone()[0])
    conn.close()
    return out


def fill(folder: Path, stations: int, years: list[int], workers: int = 1) -> dict[int, str]:
    """Fill a new folder (see the module docstring); its plans by year. The latest year's city plan
    (one city's stations, the same visit days) is made last, its id in ``CITY_FILE``."""
    folder.mkdir(parents=True, exist_ok=True)
    latest = max(years)
    plans = setup(folder, stations, years)
    (folder / "PLAN").write_text(plans[latest])  # bench_engines' server_centre copies it
    shares = [dict(sorted(plans.items())[w::workers]) for w in range(workers)]
    if workers == 1:
        _fill_years(folder, plans, stations, latest)
    else:
        snapshot = _snapshot(folder)
        parts = [folder.with_name(f"{folder.name}.part{w}") for w in range(workers)]
        for part in parts:
            shutil.rmtree(part, ignore_errors=True)
            shutil.copytree(folder, part)
        ctx = multiprocessing.get_context("spawn")
        procs = [
            ctx.Process(target=_fill_years, args=(part, share, stations, latest))
            for part, share in zip(parts, shares, strict=True)
        ]
        for p in procs:
            p.start()
        for p in procs:
            p.join()
            if p.exitcode:
                raise SystemExit(f"a filling worker failed ({p.exitcode})")
        merge_parts(folder, snapshot)
    city_plan(folder, max(plans_of(folder)))
    return plans_of(folder)


def merge_parts(folder: Path, snapshot: dict[str, int] | None = None) -> None:
    """The workers' copies (``FOLDER.partN``) merged into the folder and removed, with the years they
    finished. Also by hand (``--merge``) after workers were stopped part way: a year not finished is
    not in ``PLANS`` (not measured as a plan), its evaluations so far are in the centre all the same.
    The folder itself is not written while the workers run, so its snapshot is the one at the copy."""
    snapshot = snapshot or _snapshot(folder)
    for part in sorted(folder.parent.glob(folder.name + ".part*")):
        merge(folder, part, snapshot)
        if (part / PLANS_FILE).is_file():
            with (folder / PLANS_FILE).open("a") as out:
                out.write((part / PLANS_FILE).read_text())
        shutil.rmtree(part)


def city_plan(folder: Path, year: int) -> str:
    """The ``year``'s plan of one city's stations (市00: every 21st), each on its day of the year's
    plan: a city bureau's campaign among the province's evaluations."""
    if (folder / CITY_FILE).is_file():
        return (folder / CITY_FILE).read_text().strip()
    db = open_folder(folder)
    whole = plans_of(folder)[year]
    plan_id = new_plan(
        db, RUBRIC, f"{year}年度鉴定站（所）检查评估·市00", "routine", year=year, region="市00",
        starts=dt.date(year, 1, 1), ends=dt.date(year, 12, 31),
    ).id  # fmt: skip
    with transaction(db) as conn:
        rows = conn.execute(
            "SELECT t.org_id, t.visit_date, t.state FROM plan_targets t JOIN orgs o ON o.id = t.org_id"
            " WHERE t.plan_id = ? AND json_extract(o.details, '$.region') = '市00'",
            (whole,),
        ).fetchall()
        for org_id, day, state in rows:
            insert_targets(conn, plan_id, [org_id], dt.date.fromisoformat(day), now())
            if state == "cancelled":
                conn.execute(
                    "UPDATE plan_targets SET state = 'cancelled' WHERE plan_id = ? AND org_id = ?",
                    (plan_id, org_id),
                )
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    (folder / CITY_FILE).write_text(plan_id)
    return plan_id


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="fill a province folder (bench/bench_province.py's fixture)")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--stations", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--merge", action="store_true", help="merge the copies of workers stopped part way")
    args = parser.parse_args()
    if args.merge:
        merge_parts(args.folder)
        years = sorted(plans_of(args.folder))
        print(f"merged: years {years}, city plan {city_plan(args.folder, years[-1])}")
        return
    years = list(range(2027 - args.years, 2027))
    t0 = time.perf_counter()
    plans = fill(args.folder, args.stations, years, args.workers)
    took = time.perf_counter() - t0
    n = args.stations * len(plans)
    print(f"filled {len(plans)} years × {args.stations:,} stations in {took:.0f} s ({n / took:.1f} a second)")


if __name__ == "__main__":
    main()
