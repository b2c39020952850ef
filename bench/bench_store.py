"""The store's figures, each beside its baseline in the same run.

1. A durable record of one observation (``EvaluationStore.record``) vs a bare ``sqlite3``
   single-row INSERT + COMMIT under the same pragmas (WAL, synchronous=FULL), interleaved.
2. Many evaluations × 61 items: deriving one evaluation's current state, and listing all with
   totals, at 1,000 and 10,000 evaluations.

Usage: ``.venv/bin/python bench/bench_store.py [--evals 1000,10000] [--records 2000] [--write]``
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import statistics
import struct
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, NamedTuple

from perfdoc import replace_section

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from inspector.folder import open_folder
from inspector.store.db import transaction
from inspector.store.evaluations import EvaluationStore
from inspector.store.orgs import add_org
from inspector.store.rubrics import install_builtin_rubrics

RUBRIC = "sichuan-2017-inspection"
SECTION = "## The store"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


class BareCommits:
    """One INSERT + COMMIT per call, bare sqlite3, the store's pragmas."""

    def __init__(self, folder: Path) -> None:
        self.conn = sqlite3.connect(folder / "bare.sqlite3", isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = FULL")
        self.conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, item TEXT, payload TEXT)")
        self.i = 0

    def run(self, n: int) -> list[tuple[float, float]]:
        times = []
        for _ in range(n):
            self.i += 1
            t0, c0 = time.perf_counter(), time.thread_time()
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.execute(
                "INSERT INTO t (item, payload) VALUES (?, ?)", ("4.1.1", f'{{"problems":{self.i % 3}}}')
            )
            self.conn.execute("COMMIT")
            times.append((time.perf_counter() - t0, time.thread_time() - c0))
        return times


class StoreRecords:
    """``EvaluationStore.record`` of one observation per call, into one growing evaluation."""

    def __init__(self, folder: Path) -> None:
        db = open_folder(folder / "store")
        install_builtin_rubrics(db)
        self.store = EvaluationStore(db, "bench")
        org = add_org(db, "基准测试机构")["id"]
        self.eval_id = self.store.create(RUBRIC, org).id
        rubric = self.store.rubric(RUBRIC, 1)
        self.items = [i.id for i in rubric.items() if i.rule.kind in ("all_or_nothing", "yes_no")]
        self.i = 0

    def run(self, n: int) -> list[tuple[float, float]]:
        times = []
        for _ in range(n):
            self.i += 1
            obs = {"problems": self.i % 3} if self.i % 2 else {"met": True}
            t0, c0 = time.perf_counter(), time.thread_time()
            self.store.record(self.eval_id, self.items[self.i % len(self.items)], obs)
            times.append((time.perf_counter() - t0, time.thread_time() - c0))
        return times


# one call's wall and CPU seconds (the CPU of this thread: the fsync's wait is not in it)
Timing = tuple[float, float]


def interleaved(folder: Path, n: int, chunk: int = 100) -> tuple[list[Timing], list[Timing], dict[str, Any]]:
    bare, rec = BareCommits(folder), StoreRecords(folder)
    bare.run(50), rec.run(50)  # warm-up
    b: list[Timing] = []
    r: list[Timing] = []
    for _ in range(max(1, n // chunk)):
        b += bare.run(chunk)
        r += rec.run(chunk)
    counts = {
        "statements": (statements(bare.conn, bare.run), statements(rec.store.conn, rec.run)),
        "frames": (wal_frames(bare.conn, bare.run), wal_frames(rec.store.conn, rec.run)),
    }
    return b, r, counts


class Round(NamedTuple):
    """One round's medians and p99s (wall, CPU) of each side, fresh database files."""

    bare: list[Timing]
    rec: list[Timing]

    def wall(self, side: list[Timing], p: float | None = None) -> float:
        values = [w for w, _c in side]
        return pct(values, p) if p is not None else statistics.median(values)

    def cpu(self, side: list[Timing]) -> float:
        return statistics.median(c for _w, c in side)

    def ratio(self, p: float | None = None) -> float:
        return self.wall(self.rec, p) / self.wall(self.bare, p)


def rounds(where: Path, n: int, count: int, chunk: int) -> tuple[list[Round], dict[str, Any]]:
    """``count`` rounds of ``n`` records on each side, interleaved in chunks, each round in new
    files under ``where``: one round's ratio moves with the disk's fsync and the other work on the
    machine at that moment; the rounds' median and range show how far."""
    out: list[Round] = []
    counts: dict[str, Any] = {}
    for k in range(count):
        with tempfile.TemporaryDirectory(dir=where) as tmp:
            b, r, counts = interleaved(Path(tmp), n, chunk)
        out.append(Round(b, r))
        print(
            f"  {where}: round {k + 1}/{count}: record {out[-1].wall(r) * 1e3:.3f} ms, bare"
            f" {out[-1].wall(b) * 1e3:.3f} ms, {out[-1].ratio():.2f}× (p99 {out[-1].ratio(0.99):.2f}×),"
            f" load {os.getloadavg()[0]:.1f}",
            file=sys.stderr,
            flush=True,
        )
    return out, counts


def statements(conn: sqlite3.Connection, run: Any, n: int = 100) -> float:
    """SQL statements per call (BEGIN and COMMIT included), from sqlite3's trace callback."""
    seen: list[str] = []
    conn.set_trace_callback(seen.append)
    try:
        run(n)
    finally:
        conn.set_trace_callback(None)
    return len(seen) / n


def wal_frames(conn: sqlite3.Connection, run: Any, n: int = 100) -> float:
    """WAL frames (pages) written per commit: the log emptied first, then the frames of this
    run's commits counted in it (fewer than the 1,000 pages that would checkpoint it)."""
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    run(n)
    path = Path(conn.execute("PRAGMA database_list").fetchone()[2] + "-wal")
    data = path.read_bytes()
    page = struct.unpack(">I", data[8:12])[0]
    frames = commits = 0
    offset = 32
    while offset + 24 + page <= len(data):
        if data[offset + 8 : offset + 16] != data[16:24]:  # not of this log's generation
            break
        frames += 1
        commits += struct.unpack(">I", data[offset + 4 : offset + 8])[0] != 0  # a commit's last frame
        offset += 24 + page
    return frames / max(1, commits)


def fill(store: EvaluationStore, n_evals: int, start: int) -> None:
    """Bulk-create evaluations with all 61 answers through the real change path, batched."""
    org = add_org(store.db, f"机构{start}")["id"]
    rubric = store.rubric(RUBRIC, 1)
    answers = [(i.id, {"tier": 0} if i.rule.kind == "tiers" else {"problems": 0}) for i in rubric.items()]
    from inspector.store.changes import CREATE, OBSERVE
    from inspector.store.log import apply_change

    payload_head = {
        "rubric": rubric.id, "rubric_version": 1, "rubric_hash": rubric.content_hash,
        "org": {"id": org, "name": f"机构{start}", "code": None}, "kind": "inspection", "team": [],
    }  # fmt: skip
    for k in range(n_evals):
        with transaction(store.db) as conn:
            import uuid

            eval_id = uuid.uuid4().hex
            apply_change(conn, store._change(conn, eval_id, None, CREATE, payload_head), store.rubric)
            for item_id, obs in answers:
                apply_change(conn, store._change(conn, eval_id, item_id, OBSERVE, obs), store.rubric)
        if k % 500 == 0:
            print(f"  … {start + k} evaluations", file=sys.stderr)


def scale(folder: Path, sizes: list[int]) -> list[tuple[int, float, float, float]]:
    db = open_folder(folder / "scale")
    install_builtin_rubrics(db)
    store = EvaluationStore(db, "bench")
    made = 0
    out = []
    for size in sizes:
        fill(store, size - made, made)
        made = size
        one = store.list_evaluations()[0].id
        t0 = time.perf_counter()
        for _ in range(20):
            store.report(one)
        derive = (time.perf_counter() - t0) / 20
        t0 = time.perf_counter()
        everything = store.list_evaluations()
        list_only = time.perf_counter() - t0
        t0 = time.perf_counter()
        store.totals(everything)
        totals = time.perf_counter() - t0
        assert len(everything) == size
        out.append((size, derive, list_only, totals))
    return out


RAM = Path("/dev/shm")  # a RAM disk on Linux: fsync costs nothing there, what is left is CPU


def round_lines(title: str, found: list[Round]) -> list[str]:
    """The table of one place's rounds: pooled medians and p99s, CPU, wait, and the rounds' ratios."""
    bare = [t for r in found for t in r.bare]
    rec = [t for r in found for t in r.rec]
    pool = Round(bare, rec)
    ratios = sorted(r.ratio() for r in found)
    p99s = sorted(r.ratio(0.99) for r in found)
    cpu_ratios = sorted(r.cpu(r.rec) / r.cpu(r.bare) for r in found)

    def row(label: str, side: list[Timing]) -> str:
        wait = max(0.0, statistics.median(w - c for w, c in side))
        return (
            f"| {label} | {pool.wall(side) * 1e3:.3f} ms | {pool.wall(side, 0.99) * 1e3:.3f} ms"
            f" | {pool.cpu(side) * 1e3:.3f} ms | {wait * 1e3:.3f} ms |"
        )

    return [
        f"| {title} | median | p99 | CPU, median | waiting (wall − CPU), median |",
        "|---|---|---|---|---|",
        row("`EvaluationStore.record` (checked, scored, hash-chained, indexed)", rec),
        row("bare `sqlite3` INSERT + COMMIT, same pragmas", bare),
        f"| ratio, all rounds' calls together (target ≤ 1.5×) | **{pool.ratio():.2f}×**"
        f" | {pool.ratio(0.99):.2f}×"
        f" | {pool.cpu(rec) / pool.cpu(bare):.1f}× | |",
        f"| ratio, each round's own: median (lowest–highest of {len(found)})"
        f" | {statistics.median(ratios):.2f}×"
        f" ({ratios[0]:.2f}–{ratios[-1]:.2f}) | {statistics.median(p99s):.2f}× ({p99s[0]:.2f}–{p99s[-1]:.2f})"
        f" | {statistics.median(cpu_ratios):.1f}× ({cpu_ratios[0]:.1f}–{cpu_ratios[-1]:.1f}) | |",
        f"| the bare commit's median wall time, each round (what one fsync took here then)"
        f" | {' / '.join(f'{w * 1e3:.3f}' for w in (r.wall(r.bare) for r in found))} ms | | | |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=2000, help="records on each side, per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds, each in new database files")
    parser.add_argument("--chunk", type=int, default=100, help="records of one side before the other's")
    parser.add_argument("--evals", default="1000,10000")
    parser.add_argument("--write", action="store_true", help="record the figures in docs/performance.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        on_disk, counts = rounds(folder, args.records, args.rounds, args.chunk)
        in_ram = rounds(RAM, args.records, args.rounds, args.chunk)[0] if RAM.is_dir() else []
        sizes = [int(s) for s in args.evals.split(",") if s]
        scaled = scale(folder, sizes)
    lines = [
        *round_lines("durable write of one observation, on this disk", on_disk),
        "",
    ]
    if in_ram:
        lines += [*round_lines("the same on a RAM disk (`/dev/shm`: fsync free, CPU only)", in_ram), ""]
    lines += [
        "| per durable write | `EvaluationStore.record` | bare INSERT + COMMIT |",
        "|---|---|---|",
        f"| SQL statements (BEGIN and COMMIT included) | {counts['statements'][1]:.1f}"
        f" | {counts['statements'][0]:.1f} |",
        f"| WAL frames (pages) per commit | {counts['frames'][1]:.2f} | {counts['frames'][0]:.2f} |",
        "",
        "| evaluations × 61 items | current state + score of one | list all | totals of all |",
        "|---|---|---|---|",
    ]
    for size, derive, list_only, totals in scaled:
        lines.append(
            f"| {size:,} | {derive * 1e3:.2f} ms | {list_only * 1e3:.0f} ms | {totals * 1e3:.0f} ms |"
        )
    print("\n".join(lines))
    if args.write:
        write_section(lines, args.records, args.rounds, args.chunk)


def write_section(lines: list[str], records: int, count: int, chunk: int) -> None:
    body = "\n".join(
        [
            SECTION,
            "",
            f"`bench/bench_store.py`, Python {platform.python_version()}, {platform.machine()},"
            f" {time.strftime('%Y-%m-%d')}, load average {os.getloadavg()[0]:.1f} at the end on the 2"
            f" cores shared with four other engineers' work. {count} rounds of {records:,} records on each"
            f" side, interleaved in chunks of {chunk} after a warm-up, each round into new database files"
            " (WAL, `synchronous=FULL`); wall and CPU time (this thread's) of every call.",
            "",
            *lines,
            "",
            "Reading the figures:",
            "",
            "- The target is a durable record within 1.5× of a bare commit, median and p99. Both"
            " wait for one fsync per commit; where the disk acknowledges it in well under a"
            " millisecond the bare commit is almost pure CPU and the record's own work shows in"
            " full: the rubric rule run on the observation, the change's canonical JSON and SHA-256"
            " chained to the device's previous change, in one transaction (read the evaluation and"
            " the item's heads; insert the change and its supersedes link; replace the item's head;"
            " move the item's share of the evaluation's kept figures). Where an fsync takes"
            " milliseconds the ratio falls towards 1×.",
            "- Issue 18 (P2), is the spread noise? The wall ratio of the same code measured 1.11–1.62×"
            " in earlier runs, and 0.95× to 3.9× in this afternoon's runs of this bench. Within a run it"
            " is not noise of the measurement: both sides are interleaved in chunks of 100 and meet the"
            " same machine. Between runs it is the machine: the ratio is (the record's wait + its CPU)"
            " ÷ (the bare commit's wait + its CPU), and both moved. The shared disk's fsync (the bare"
            " commit's wall time) went from 0.25 ms to 4 ms within ten minutes (other engineers' builds,"
            " tests and benches on the same disk): at 0.23–0.28 ms the rounds gave 1.9–3.7×, at 1.4–4 ms"
            " with a quiet disk 0.95–1.36×; but in the run above, with the disk busy with others'"
            " writes, the record (6.6 WAL pages per commit against one) waited 8.8 ms where the bare"
            " commit waited 3.3 ms, and the ratio was 2.2–3.9× at the same fsync time. CPU load moves"
            " the record's own work: on a RAM disk (fsync free) a record took 0.17–0.19 ms at load 5–7,"
            " each round within ±3 % of the others, and 0.30 ms at load 10 (rounds 26–41× a bare"
            " commit's 0.009 ms). Pinning the bench to one core (`taskset -c 1`) changed nothing beyond"
            " these (1.02–1.30× against 1.04–1.17× in alternating runs at the same fsync time). So the"
            " bench now runs several rounds in new files and prints, beside each ratio, what the round"
            " met: the fsync time, each side's CPU and its wait, and the same on a RAM disk; a figure is"
            " read with these, and the steadiest comparison is the RAM disk's at a stated load.",
            "- The goal: with the record's own work at about 0.1 ms of CPU in a tight loop and 0.25–0.3 ms"
            " right after an fsync's wait (see the third round), the 1.5× ratio holds only on a disk whose"
            " fsync takes a millisecond or more and that is not busy with other writes; it is missed on a"
            " fast disk (about 1.9× at 0.25 ms, 3.4× where the fsync is nearly free) and on a busy one."
            " **Not met** in general; what stands in the way is in the last note but one.",
            "- Issue 18 (P2), second round, from 15 statements per mark that moves the figures"
            " (main) to 11, and from six b-trees' pages to five (the evaluations row is no longer"
            " rewritten): the item's heads are read once (the record's parents"
            " and the figures' view of them in one query, handed to `apply_change`); `apply_change`"
            " counts the item's other heads from what its DELETEs removed and, with none left,"
            " hands the new sole winner to the figures instead of reading it back; the latest"
            " change's time is kept in `eval_figures.updated_at` (schema v13), in the row a mark"
            " rewrites anyway, so the evaluations row is no longer rewritten; the figures' list of"
            " items below full points is decoded and re-encoded only when the item's entry moves."
            " CPU per record on a RAM disk (fsync free): about 135 µs on main, 118 µs now,"
            " interleaved, under load 8–12; the bare commit there takes 7 µs. WAL frames per commit"
            " measured 6.3–6.7 on main and here alike: they vary by ±0.3 between runs with page"
            " splits of the append-only `changes` table (a WITHOUT ROWID b-tree"
            " gets no append fast path: 1.6 leaf pages and 0.3 interior pages per commit) and of"
            " `supersedes` (keyed by random change ids).",
            "- Issue 18 (P2), third round, from 11 statements per mark to 7 (BEGIN, one read, four"
            " writes, COMMIT): one query reads the evaluation (form, signed or not: the authority check"
            " stays in the mark's transaction), its kept figures, this device's chain tip on it and the"
            " item's heads (`_MARK_READ` in inspector/store/evaluations.py), and hands them to"
            " `apply_change`; the tip is read there in every mark, so the tip cache and its"
            " `PRAGMA data_version` are gone (nothing is cached across transactions); the item's one"
            " head row is moved to the new change by one UPDATE (the same row DELETE + INSERT wrote);"
            " the figures no longer parse and score the mark a second time (`record` has scored it as a"
            " new mark, which refuses whatever the form disallows). Change ids are time-ordered"
            " (`new_change_id`: the same 32 hex digits in the UUIDv7 layout of RFC 9562 section 5.7),"
            " so a mark's `supersedes` row lands at that b-tree's right edge: its pages per commit"
            " went from 1.48–1.69 to 1.20–1.24. Nothing orders by or reads meaning into a change id"
            " (the log is ordered by time, device and sequence, a conflict's winner by time and then"
            " device; a bundle takes any id of 1–64 letters, digits and `_.-`), and old random ids mix"
            " with new ones (tests/store/test_change_ids.py). The `changes` table itself is keyed by"
            " (evaluation, device, sequence), so a mark already appends at its evaluation's right edge;"
            " its 1.9–2.2 pages per commit are right-edge splits of a WITHOUT ROWID b-tree (rows of"
            " about 350 bytes, 11 a page, no append fast path: each split rewrites two or three"
            " siblings and their parent), which only a rowid-keyed or narrower change row would"
            " avoid (a schema change that is not additive). New evaluation ids stay random: a mark"
            " writes within its one evaluation's range of `heads` and `changes` whatever its id."
            " Measured interleaved with main in the same minutes (load 8.7–8.8, 3 runs each): CPU per"
            " record on a RAM disk 116–130 µs on main, 94–107 µs now; the same after a 1 ms pause"
            " before each record 289–342 µs on main, 264–297 µs now; WAL frames per commit 6.28–6.75"
            " on main, 6.08–6.33 now. On ext4 in a loop file on the RAM disk (an fsync of about"
            " 0.04 ms) the record took 0.165–0.205 ms on main and 0.152–0.164 ms now (3.9–4.5× and"
            " 3.4–3.75× the bare commit). On the shared disk the rounds' own spread (fsync 0.23 ms to"
            " 4 ms within minutes) was larger than the difference.",
            "- What a page costs, and why the CPU on a disk is three times the CPU on a RAM disk"
            " (`bench/bench_record_costs.py`): bare commits writing 1, 3, 5 and 7 pages each, interleaved,"
            " took the same time on the shared disk (0.54–0.72 ms median, CPU 0.11–0.14 ms, in no"
            " order of the pages) and 0.033–0.054 ms on the ext4 loop file: the record's five extra"
            " pages cost a few microseconds. What costs is the record's code run cold: the same"
            " `record` on a RAM disk took 0.093–0.103 ms of CPU one after another and 0.25–0.29 ms"
            " (2.7–2.8×) when each call followed a 1 ms pause, as each follows an fsync's wait on a"
            " disk (the two cores' other work evicts its code and data from the caches); the bare"
            " commit's code is a fraction of it.",
            "- Kept as they were: one `apply_change` for every change (window, command line,"
            " bundle), `synchronous=FULL`, the hash chain, the authority checks (the evaluation row"
            " is read in the transaction of every mark). tests/store/test_figures.py compares the"
            " kept figures (now with `updated_at`) with a recomputation after every step of random"
            " sequences, and checks every item's winner against the conflict rule.",
            "- What stands in the way of 1.5× with a fast fsync (0.25 ms): the record would have to"
            " finish within about 0.13 ms of CPU after the fsync's wait, where its code takes 0.25–0.3 ms"
            " cold (0.1 ms warm). A profile of 3,000 records on the RAM disk (cProfile, after the third"
            " round, at load 9; the profiler inflates Python's share): SQLite's 7 statements, COMMIT"
            " included, 31 % of the time; canonical JSON (the hash's fields, the payload, the"
            " parents, the figures' section sums) 14 %, decoding the section sums 4 %; the mark's"
            " check (parse, score, to_dict) 12 %; sealing (SHA-256 over its JSON, the change) 9 %;"
            " the figures' arithmetic 8 %; the clock 3 %, the id 3 %; the rest the record's and"
            " `apply_change`'s own lines and the transaction's context. Each is work a mark must do"
            " inside its durable transaction (check, seal, chain, index, keep the figures), and none"
            " but SQLite's is above a sixth, so no single cut halves it. Halving it would take moving"
            " work out of the durable transaction (the kept figures or the heads index updated after"
            " the commit), which gives up their being true at every commit, or a narrower change"
            " row, a schema change beyond an additive migration; neither is traded for the ratio.",
            "- Deriving the state of one evaluation does not grow with the store; listing grows with"
            " the number of evaluations (one query, then each evaluation's totals from its item"
            " states, read from schema v8's narrow index of the winning heads).",
            "",
        ]
    )
    replace_section(SECTION, body, first=True)


if __name__ == "__main__":
    main()
