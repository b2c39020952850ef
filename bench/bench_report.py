"""The score sheet's cost beside a plain reportlab table of the same rows, in the same run.

1. ``render_sheet``: the 61-item Sichuan sheet of a complete evaluation with ten phone photos
   (12 MP JPEG) as evidence — reading the evaluation, checking the evidence files, header, QR code,
   spanned table, results, findings, signatures, the photo appendix, page numbers, watermark.
2. The baseline: the same 61 rows × 7 columns of the same texts as ``Paragraph`` cells in one plain
   ``Table`` (header repeated, no spans, no appendix), same embedded font, same page size.

The font is registered before timing (both use it; registration is a one-off per process).

3. The same two as whole processes (issue 18, P3), interleaved: ``inspector report pdf EVAL --out F``
   (the command line: start, imports, open the data folder, the sheet, write the file) beside a
   process that starts, opens the same folder, loads the same evaluation, registers the same font
   and writes the plain table of step 2 (:data:`PLAIN_PROCESS`). Wall time and the process's CPU
   time (steadier on a shared machine).

Prints the medians and their ratios (target: within 1.5×); ``--write`` puts the figures in
``docs/performance.md`` under "## PDF score sheets", replacing that section if present.

Usage: ``.venv/bin/python bench/bench_report.py [--runs 5] [--write]``
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from perfdoc import Load, replace_section

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

# only what the plain table needs at the top: the baseline process of step 3 imports this module
from inspector.documents.score_sheet import COLUMNS, points_cell, reason_text
from inspector.documents.sheet_data import SheetData, load_sheet
from inspector.documents.style import MARGIN, PORTRAIT, content_width, font, grid, styles
from inspector.rubric.points import fmt

if TYPE_CHECKING:
    from inspector.store.evaluations import EvaluationStore

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## PDF score sheets"
PHOTOS = 10
# The baseline process of step 3: the plain table of ``plain_table`` below, in a process of its own.
PLAIN_PROCESS = """
import sys
from pathlib import Path
sys.path[:0] = [{root!r}, {bench!r}]
from bench_report import plain_table
from inspector.documents.sheet_data import load_sheet
from inspector.folder import open_folder
from inspector.store.evaluations import EvaluationStore
data = Path(sys.argv[1])
store = EvaluationStore(open_folder(data), None)
Path(sys.argv[3]).write_bytes(plain_table(load_sheet(store, data, sys.argv[2])))
"""


def phone_photo(path: Path, n: int) -> Path:
    """A 12-megapixel JPEG with some texture, so it weighs what a phone photo weighs (3–5 MB)."""
    from PIL import Image, ImageDraw

    w, h = 4032, 3024
    noise = Image.effect_noise((w // 4, h // 4), 60).resize((w, h))
    img = Image.merge("RGB", (noise, Image.linear_gradient("L").resize((w, h)), noise))
    draw = ImageDraw.Draw(img)
    for k in range(8):
        x = (w * (k + 1)) // 10
        draw.rectangle([x, h // 3, x + w // 14, h // 3 + h // (5 + n % 3)], fill=(30 * k, 200 - 9 * n, 90))
    img.save(path, quality=90)
    return path


def setup(folder: Path) -> tuple[EvaluationStore, Path, str]:
    from inspector.folder import open_folder
    from inspector.store.demo import SICHUAN, fill_demo
    from inspector.store.evaluations import EvaluationStore
    from inspector.store.evidence import add_evidence
    from inspector.store.rubrics import install_builtin_rubrics

    data = folder / "data"
    db = open_folder(data)
    install_builtin_rubrics(db)
    fill_demo(db)
    store = EvaluationStore(db, "bench")
    eval_id = next(
        e.id
        for e in store.list_evaluations()
        if (e.rubric_id, e.kind, e.state) == (SICHUAN, "inspection", "complete")
    )
    items = [i.id for i in store.rubric(SICHUAN, 1).items()]
    for n in range(PHOTOS):
        digest = add_evidence(db, data, phone_photo(folder / f"photo{n}.jpg", n))
        item = items[n * 6]
        payload = dict(store.current(eval_id)[item].change.payload)
        payload["evidence"] = [{"sha256": digest, "name": f"photo{n}.jpg", "caption": f"现场照片 {n + 1}"}]
        store.record(eval_id, item, payload)
    return store, data, eval_id


def plain_table(sheet: SheetData) -> bytes:
    """The baseline: the sheet's 61 rows and 7 columns of texts in one plain reportlab table."""
    st = styles()
    results = sheet.results
    rows = [
        [
            Paragraph(x, st["head"])
            for x in ("大项", "中项", "小项", "分值", "评估方法和标准", "得分", "扣分理由")
        ]
    ]
    for section in sheet.rubric.sections:
        for group in section.groups:
            for item in group.items:
                r = results[item.id]
                texts = [
                    f"{section.code}.{section.title}（{fmt(section.points)}分）",
                    group.label,
                    f"{item.id}　{item.text}",
                    fmt(item.points),
                    item.method,
                    points_cell(r),
                    reason_text(sheet, item, r).replace("\n", "<br/>"),
                ]
                rows.append([Paragraph(t, st["cell"]) for t in texts])
    buf = io.BytesIO()
    width = content_width(PORTRAIT)
    doc = SimpleDocTemplate(
        buf, pagesize=PORTRAIT, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN
    )
    table = Table(rows, colWidths=[width * c for c in COLUMNS], repeatRows=1)
    table.setStyle(TableStyle(grid()))
    doc.build([table])
    return buf.getvalue()


def timed(fn: Callable[[], bytes]) -> tuple[float, bytes]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def pages(pdf: bytes) -> int:
    return pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page ")


def process_times(cmd: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of a process run to its end."""
    # the .pyc files an installed program has (pip and the build compile it): written by the
    # warm-up, where PYTHONDONTWRITEBYTECODE would have every run compile the sources again
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT, env=env)
    assert p.stderr is not None
    err = p.stderr.read()
    _pid, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    p.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{cmd} failed: {err.decode(errors='replace')}")
    return wall, usage.ru_utime + usage.ru_stime


def processes(tmp: Path, data: Path, eval_id: str, runs: int) -> dict[str, list[tuple[float, float]]]:
    """Step 3: the command line and the plain table's process, interleaved after a warm-up each."""
    plain = tmp / "plain_process.py"
    plain.write_text(PLAIN_PROCESS.format(root=str(ROOT), bench=str(ROOT / "bench")), encoding="utf-8")
    commands = {
        "cli": [sys.executable, "-m", "inspector", "--data", str(data), "report", "pdf", eval_id,
                "--out", str(tmp / "cli.pdf")],
        "plain": [sys.executable, str(plain), str(data), eval_id, str(tmp / "plain.pdf")],
    }  # fmt: skip
    for cmd in commands.values():
        process_times(cmd)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _run in range(runs):
        for name, cmd in commands.items():
            times[name].append(process_times(cmd))
    return times


def main() -> None:
    from inspector.documents.score_sheet import render_sheet

    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--write", action="store_true", help="record the figures in docs/performance.md")
    args = ap.parse_args()
    load = Load()
    with tempfile.TemporaryDirectory() as tmp:
        store, data, eval_id = setup(Path(tmp))
        t0 = time.perf_counter()
        font()
        registration = time.perf_counter() - t0
        sheet = load_sheet(store, data, eval_id)
        render_sheet(store, data, eval_id)  # warm-up: imports, glyph caches
        plain_table(sheet)
        ours: list[float] = []
        base: list[float] = []
        for _run in range(args.runs):  # interleaved, so that drift hits both alike
            t, full = timed(lambda: render_sheet(store, data, eval_id))
            ours.append(t)
            t, plain = timed(lambda: plain_table(load_sheet(store, data, eval_id)))
            base.append(t)
        cold: list[float] = []
        for _run in range(3):  # no print copies yet: every photo decoded and downscaled
            shutil.rmtree(data / "cache", ignore_errors=True)
            cold.append(timed(lambda: render_sheet(store, data, eval_id))[0])
        photo_bytes = sum(p.stat().st_size for p in Path(tmp).glob("photo*.jpg"))
        render_sheet(store, data, eval_id)  # the print copies back in the cache, as a user has them
        store.db.conn.close()
        procs = processes(Path(tmp), data, eval_id, args.runs)
    m_ours, m_base = statistics.median(ours), statistics.median(base)
    ratio = m_ours / m_base

    def med(name: str, k: int) -> float:
        return statistics.median(t[k] for t in procs[name])

    wall_ratio, cpu_ratio = med("cli", 0) / med("plain", 0), med("cli", 1) / med("plain", 1)
    verdict = "met" if wall_ratio <= 1.5 and cpu_ratio <= 1.5 else "not met"

    lines = [
        f"- full sheet (61 items, {PHOTOS} photos of 12 MP, {photo_bytes / 2**20:.0f} MB in all): median "
        f"**{m_ours:.3f} s** over {args.runs} runs, {len(full) / 1024:.0f} kB, {pages(full)} pages",
        f"- plain reportlab table of the same 61 rows × 7 columns (Paragraph cells, same font, same load "
        f"of the evaluation): median **{m_base:.3f} s**, {len(plain) / 1024:.0f} kB, {pages(plain)} pages",
        f"- ratio {ratio:.2f}× (in one process; issue 18's goal is on the whole process, below);"
        f" font registration once per process: {registration:.3f} s",
        f"- first sheet after the photos were added (no print copies cached yet, {os.cpu_count()} cores): "
        f"median {statistics.median(cold):.3f} s over {len(cold)} runs",
        "",
        "| whole process, median of interleaved runs | wall | CPU |",
        "|---|---|---|",
        f"| `inspector report pdf` (the same sheet) | {med('cli', 0):.3f} s | {med('cli', 1):.3f} s |",
        f"| plain table's process (start, same folder and load, same font, write) | {med('plain', 0):.3f} s"
        f" | {med('plain', 1):.3f} s |",
        f"| ratio (issue 18 P3: ≤ 1.5×) | **{wall_ratio:.2f}×** | **{cpu_ratio:.2f}×** |",
        "",
        f"**Issue 18 P3 (`inspector report pdf` within 1.5× of the plain table's process, wall and CPU):"
        f" {wall_ratio:.3f}× wall, {cpu_ratio:.3f}× CPU, {verdict} in this run.**",
    ]
    print("\n".join(lines))
    if args.write:
        write_section(lines, load)


def write_section(lines: list[str], load: Load) -> None:
    body = "\n".join(
        [
            SECTION,
            "",
            f"`bench/bench_report.py`, {platform.python_version()}, {platform.machine()}, "
            f"{load.text()}. Both sides in the same run, interleaved, after a warm-up; both"
            " include reading the evaluation and checking every evidence file's SHA-256.",
            "",
            *lines,
            "",
            "What it took to get there, each measured here:",
            "",
            "- reportlab's `QrCodeWidget` in a `Drawing` builds a shape per dark run: 0.35 s for one code."
            " The `QrCode` flowable of the same module draws on the canvas (0.05 s); an upper-case payload"
            " uses the QR alphanumeric mode, version 5 instead of 8 (0.03 s).",
            "- Without reportlab's optional C accelerator (`rl-accel`, not installed) its ASCII85 encoder is"
            " pure Python: 0.3 s per embedded photo. The documents are written with binary streams"
            " (`rl_config.useA85 = 0` during the build), which are also a fifth smaller.",
            "- A 12 MP JPEG takes 80–100 ms to decode even at 1/4 scale (`Image.draft`); the 800 px print"
            " copies are cached in `cache/print/` under the evidence SHA-256, so only the first sheet after"
            " photos are added pays for them (decoded on all cores; on this loaded 2-core machine that"
            " gives little). Given the cached file's name rather than its bytes, reportlab embeds the JPEG"
            " as it is instead of decoding it to hash its pixels.",
            "- The spanned table reuses a measure the frame asks for twice, and numbers are plain strings"
            " rather than paragraphs; the table alone then costs about what the plain one does.",
            "- Issue 18 (P3): one paragraph per table cell, its lines as hard breaks, instead of one per"
            " line; a merged cell's paragraphs made only for the first row of its block (the others"
            ' are blank) and the "（续）" labels only when a page break calls for one; each'
            " paragraph's lines made once per width (a cell is measured with its whole table, then"
            " with each page's part): 788 paragraphs → 383 for the 61-item sheet, pages identical"
            " pixel for pixel at 60 dpi (pdftoppm) and in pdftotext. The draft watermark, some 4,000"
            " path segments of outlined glyphs, is drawn once per document as a form that every page"
            " shows, not again on each page (a tenth of a draft sheet's time).",
            "- What the whole sheet still costs beyond the plain table (cProfile): reportlab's CJK"
            " lines are built per character in Python (`makeCJKParaLine`, a `cjkU` object and a"
            " string width per glyph); the sheet also prints what the plain table has not — header,"
            " QR code (about 20 ms), results, findings, the comparison, signatures and the appendix"
            " with the ten photos (1.3 MB of JPEG written as they are). The command line adds click"
            " and its command modules (about 25 ms) and writes the file durably (a temporary name,"
            " fsync, rename) where the baseline's process just writes it.",
            "- Which ratio is the goal: issue 18's P3 row compares `inspector report pdf` with a plain"
            " reportlab table *with the same process start*, so the goal is the whole-process ratio of"
            " the second table (the first lines compare the sheet's rendering alone, in one process:"
            " the sheet prints far more than the table, and that ratio is shown for where the time"
            " goes, not as the goal).",
            "- Issue 18 P3, where it stands: three runs of this bench in a row on 2026-12-06 at load 7–10"
            " gave the whole process 1.71× / 1.44×, 1.50× / 1.44× (1.501×: not met) and 1.28× / 1.49×"
            " (wall / CPU; the third met). The CPU ratio sat just under 1.5× in every run; the wall"
            " ratio moves with the machine's load on either side of it. So the goal is met on CPU time"
            " and at the line in wall time on this shared machine: the verdict above is the table's run"
            " alone. What the sheet costs beyond the plain table is in the note before this one.",
            "- Timings on this machine vary by ±30 % with other work running (the load at the start and"
            " end of the run is in the first line); the ratio, taken from interleaved runs, is steadier.",
            "",
        ]
    )
    replace_section(SECTION, body)


if __name__ == "__main__":
    main()
