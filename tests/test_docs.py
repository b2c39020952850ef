"""docs/rubric-format.md is tested: every example in it is checked against the real code.

The HTML comment on the line before a code block says how (the page lists the markers):
``complete`` rubrics parse, ``items`` build inside a one-section rubric, ``fragment`` is valid
TOML, ``rule`` blocks parse and format back identically, ``rule-input`` formats to the ``rule``
block after it, ``observation`` and ``refused`` are scored on a shipped item, ``answers`` is run
through ``inspector score --json`` and compared with the ``score-output`` block after it, and
``show-output`` with ``rubric show --json``. Every JSON block is valid JSON.

The README's tour and campaign (the ``sh`` blocks marked ``<!-- tour -->`` and ``<!-- campaign -->``)
are pasted into ``bash -e`` as they stand, from the clone, with the passphrases in the environment.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from inspector import i18n
from inspector.errors import InspectorError, ObservationError
from inspector.paths import rubrics_dir
from inspector.rubric.model import rubric_from_dict, rubric_json
from inspector.rubric.observations import parse_observation
from inspector.rubric.ruletext import format_rule, parse_rule
from inspector.rubric.scoring import score_item
from inspector.rubric.toml_form import parse_rubric_text
from tests.conftest import shipped
from tests.helpers import run

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "rubric-format.md"

_FENCE = re.compile(r"^```(\w*)\s*$")
_MARKER = re.compile(r"^<!--\s*(.*?)\s*-->$")

MARKERS = {
    "toml": {"complete", "items", "fragment"},
    "text": {"rule", "rule-input"},
    "json": {"observation", "refused", "answers", "score-output", "show-output"},
}


@dataclass(frozen=True)
class Block:
    lang: str
    body: str
    line: int  # of the opening fence, 1-based
    marker: str | None  # the first word of the comment before the fence
    args: tuple[str, ...]  # the other words

    def __str__(self) -> str:
        return f"{DOC.name}:{self.line} ({self.lang} {self.marker or 'unmarked'})"


def read_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        start = i
        i += 1
        body: list[str] = []
        while i < len(lines) and lines[i].rstrip() != "```":
            body.append(lines[i])
            i += 1
        assert i < len(lines), f"{DOC.name}:{start + 1}: code block not closed"
        marker = _MARKER.match(lines[start - 1].strip()) if start else None
        words = marker[1].split() if marker else []
        blocks.append(
            Block(m[1], "\n".join(body) + "\n", start + 1, words[0] if words else None, tuple(words[1:]))
        )
        i += 1
    return blocks


BLOCKS = read_blocks(DOC.read_text(encoding="utf-8"))


def blocks(lang: str, marker: str | None = None) -> list[Block]:
    return [b for b in BLOCKS if b.lang == lang and (marker is None or b.marker == marker)]


def ids(found: list[Block]) -> list[str]:
    return [f"line{b.line}" for b in found]


def following(block: Block, marker: str) -> Block:
    after = [b for b in BLOCKS if b.line > block.line and b.lang == block.lang]
    assert after and after[0].marker == marker, f"{block}: the next block must be marked {marker}"
    return after[0]


@pytest.fixture
def chinese() -> Iterator[None]:
    """Reasons and rule words as the page shows them, whatever INSPECTOR_LANG says."""
    before = i18n.language()
    i18n.set_language("zh")
    try:
        yield
    finally:
        i18n.set_language(before)


def contains(shown: Any, real: Any, path: str = "$") -> None:
    """``shown`` is ``real`` abridged: objects may omit keys, lists of objects with an ``id`` or a
    ``code`` may omit elements (the rest are matched by it); everything shown must be equal."""
    if isinstance(shown, dict):
        assert isinstance(real, dict), f"{path}: expected an object, got {real!r}"
        for key, value in shown.items():
            assert key in real, f"{path}: no key {key!r} in the real output"
            contains(value, real[key], f"{path}.{key}")
    elif isinstance(shown, list) and shown and all(isinstance(s, dict) for s in shown):
        assert isinstance(real, list), f"{path}: expected a list, got {real!r}"
        key = next((k for k in ("id", "code") if all(k in s for s in shown)), None)
        if key is None:
            assert shown == real, f"{path}: {shown!r} != {real!r}"
            return
        for s in shown:
            match = [r for r in real if isinstance(r, dict) and r.get(key) == s[key]]
            assert match, f"{path}: no element with {key} = {s[key]!r} in the real output"
            contains(s, match[0], f"{path}[{key}={s[key]}]")
    else:
        assert type(shown) is type(real) or not (isinstance(shown, bool) or isinstance(real, bool)), (
            f"{path}: {shown!r} != {real!r}"
        )
        assert shown == real, f"{path}: the page shows {shown!r}, the program gives {real!r}"


# -- the page itself ------------------------------------------------------------------------------


def test_the_page_has_examples() -> None:
    assert len(blocks("toml", "complete")) >= 2
    assert len(blocks("text", "rule")) >= 10
    assert blocks("json", "answers") and blocks("json", "score-output")


def test_every_block_is_marked_or_plain() -> None:
    for b in BLOCKS:
        known = MARKERS.get(b.lang, set())
        if b.lang == "toml":
            assert b.marker in known, f"{b}: mark a toml block complete, items or fragment"
        elif b.marker is not None:
            assert b.marker in known, f"{b}: unknown marker for a {b.lang or 'plain'} block"


def test_contents_links_point_at_headings() -> None:
    text = DOC.read_text(encoding="utf-8")
    headings = {
        re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
        for h in re.findall(r"^#{2,3} (.+)$", text, re.M)
    }
    for anchor in re.findall(r"\]\(#([^)]+)\)", text):
        assert anchor in headings, f"no heading for #{anchor}"


# -- rubric files -----------------------------------------------------------------------------------


@pytest.mark.parametrize("block", blocks("toml", "complete"), ids=ids(blocks("toml", "complete")))
def test_complete_rubric_parses(block: Block) -> None:
    rubric = parse_rubric_text(block.body, str(block))
    assert rubric.sections and rubric.max_points == sum(s.points for s in rubric.base_sections())


@pytest.mark.parametrize("block", blocks("toml", "items"), ids=ids(blocks("toml", "items")))
def test_items_build_in_a_rubric(block: Block) -> None:
    data = tomllib.loads(block.body, parse_float=Decimal)
    assert set(data) == {"sections"}, f"{block}: only [[sections.groups.items]] tables"
    items = data["sections"]["groups"]["items"]
    assert isinstance(items, list) and items
    total = sum((Decimal(str(i["points"])) for i in items), Decimal(0))
    rubric = rubric_from_dict(
        {
            "id": "docs-example",
            "version": 1,
            "title": "docs",
            "max_points": total,
            "sections": [
                {
                    "code": "1",
                    "title": "示例",
                    "points": total,
                    "groups": [{"code": "1.1", "title": "示例", "items": items}],
                }
            ],
        }
    )
    assert len(list(rubric.items())) == len(items)


@pytest.mark.parametrize("block", blocks("toml", "fragment"), ids=ids(blocks("toml", "fragment")))
def test_fragment_is_toml(block: Block) -> None:
    assert tomllib.loads(block.body, parse_float=Decimal)


# -- rule texts ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("block", blocks("text", "rule"), ids=ids(blocks("text", "rule")))
def test_rule_text_round_trips(block: Block) -> None:
    text = block.body.strip("\n")
    assert format_rule(parse_rule(text)) == text, f"{block}: not the program's own form"


@pytest.mark.parametrize("block", blocks("text", "rule-input"), ids=ids(blocks("text", "rule-input")))
def test_rule_input_formats_as_shown(block: Block) -> None:
    canonical = following(block, "rule").body.strip("\n")
    assert format_rule(parse_rule(block.body)) == canonical


# -- observations and scores --------------------------------------------------------------------------


@pytest.mark.parametrize("block", blocks("json"), ids=ids(blocks("json")))
def test_json_is_valid(block: Block) -> None:
    json.loads(block.body)


def _item(block: Block) -> tuple[str, str]:
    assert len(block.args) >= 2, f"{block}: say RUBRIC ITEM"
    return block.args[0], block.args[1]


@pytest.mark.parametrize("block", blocks("json", "observation"), ids=ids(blocks("json", "observation")))
def test_observation_scores(block: Block) -> None:
    rubric_id, item_id = _item(block)
    expected = dict(a.split("=", 1) for a in block.args[2:])
    obs = parse_observation(json.loads(block.body, parse_float=Decimal), item_id)
    result = score_item(shipped(rubric_id).item(item_id), obs)
    if "points" in expected:
        assert result.points == Decimal(expected["points"]), f"{block}: scores {result.points}"


@pytest.mark.parametrize("block", blocks("json", "refused"), ids=ids(blocks("json", "refused")))
def test_observation_is_refused(block: Block) -> None:
    rubric_id, item_id = _item(block)
    item = shipped(rubric_id).item(item_id)
    with pytest.raises(ObservationError):
        score_item(item, parse_observation(json.loads(block.body, parse_float=Decimal), item_id))


@pytest.mark.parametrize("block", blocks("json", "answers"), ids=ids(blocks("json", "answers")))
def test_answers_score_as_shown(block: Block, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (rubric_id,) = block.args
    shown = json.loads(following(block, "score-output").body)
    answers = tmp_path / "answers.json"
    answers.write_text(block.body, encoding="utf-8")
    monkeypatch.setenv("INSPECTOR_LANG", "zh")
    result = run("score", rubric_id, "--answers", answers, "--json", data=tmp_path / "data")
    assert result.code == 0, result.err
    real = result.json()
    assert (shown["total"], shown["outcome"]) == (real["total"], real["outcome"])
    contains(shown, real)


@pytest.mark.parametrize("block", blocks("json", "show-output"), ids=ids(blocks("json", "show-output")))
def test_show_output_as_shown(block: Block, chinese: None) -> None:
    (rubric_id,) = block.args
    contains(json.loads(block.body), json.loads(json.dumps(rubric_json(shipped(rubric_id)))))


# -- the table of shipped forms -------------------------------------------------------------------------


def shipped_table() -> dict[str, list[str]]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## The shipped forms", 1)[1]
    rows: dict[str, list[str]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = cells
    return rows


def test_shipped_forms_table_matches_the_files() -> None:
    rows = shipped_table()
    files = sorted(p.stem for p in rubrics_dir().glob("*.toml"))
    assert sorted(rows) == files, "every shipped form has one row in the table"
    for rubric_id, (_id, _source, items, points, *_rest) in rows.items():
        try:
            r = shipped(rubric_id)
        except InspectorError as e:  # pragma: no cover - the shipped-rubric tests say more
            pytest.fail(str(e))
        numbers = [int(n) for n in re.findall(r"\d+", points)]
        assert numbers[0] == r.max_points, (rubric_id, points)
        assert (numbers[1] if len(numbers) > 1 else 0) == r.bonus_points, (rubric_id, points)
        count = re.match(r"\d+", items)
        assert count and int(count[0]) == sum(1 for _i in r.items()), (rubric_id, items)
        sections = re.search(r"(\d+) sections", items)
        groups = re.search(r"(\d+) groups", items)
        assert sections and int(sections[1]) == len(r.sections), (rubric_id, items)
        assert groups and int(groups[1]) == sum(len(s.groups) for s in r.sections), (rubric_id, items)


# -- the README's tour and campaign, pasted into a shell ---------------------------------------------

README = ROOT / "README.md"
DEMO_PASSPHRASE = "demo-1234"  # what `inspector demo` prints and the README says


def readme_block(name: str) -> str:
    """The ``sh`` block after ``<!-- name -->`` in the README."""
    marked = [b for b in read_blocks(README.read_text(encoding="utf-8")) if b.marker == name]
    assert len(marked) == 1 and marked[0].lang == "sh", f"README.md: one sh block marked <!-- {name} -->"
    return marked[0].body


def as_pasted(block: str) -> str:
    """The block as a user's shell runs it, with two stand-ins a test needs: ``inspector`` is this
    checkout's (a shim on PATH, instead of activating a ``.venv`` the test run may not have), and
    the window renders once to a PNG instead of staying open."""
    lines = []
    for line in block.splitlines():
        command = line.split("#", 1)[0].strip()
        if command == ". .venv/bin/activate":
            continue
        if command == "inspector gui":
            line = "inspector gui --screenshot window.png"
        lines.append(line)
    return "\n".join(lines) + "\n"


def paste(block: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``block`` line by line (``bash -e``: the first line that fails stops it) in the clone."""
    shim = tmp_path / "bin"
    shim.mkdir(exist_ok=True)
    (shim / "inspector").write_text(
        f'#!/bin/sh\nPYTHONPATH="{ROOT}" exec "{sys.executable}" -m inspector "$@"\n', encoding="utf-8"
    )
    (shim / "inspector").chmod(0o755)
    scratch = tmp_path / "tmp"
    scratch.mkdir(exist_ok=True)
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith("INSPECTOR_") and k != "PYTHONPATH"
    }
    environment.update(
        PATH=f"{shim}{os.pathsep}{os.environ['PATH']}",
        TMPDIR=str(scratch),  # mktemp -d: the fresh folders are made under the test's own
        QT_QPA_PLATFORM="offscreen",
        INSPECTOR_NO_OPEN="1",
        INSPECTOR_LANG="zh",
        PYTHONIOENCODING="utf-8",
        **env,
    )
    script = tmp_path / "pasted.sh"
    script.write_text(as_pasted(block), encoding="utf-8")
    return subprocess.run(
        ["bash", "-e", "-x", str(script)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=900,
    )


def test_readme_links_stay_in_the_repository() -> None:
    text = README.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#]+)\)", text):
        if "://" in target:
            continue
        assert not target.startswith(".."), f"README.md links outside the repository: {target}"
        assert (ROOT / target).exists(), f"README.md links to a missing file: {target}"
    assert "./dev.sh test" in text and "smoke" in text.split("./dev.sh test", 2)[2][:600]


@pytest.mark.slow
def test_readme_tour_runs_as_written(tmp_path: Path) -> None:
    tour = readme_block("tour")
    assert DEMO_PASSPHRASE in tour, "the tour says the demo's passphrase"
    r = paste(
        tour, tmp_path, INSPECTOR_PASSPHRASE=DEMO_PASSPHRASE, INSPECTOR_BACKUP_PASSPHRASE="导览备份-口令-2026"
    )
    assert r.returncode == 0, r.stderr[-3000:]
    assert f"演示口令：{DEMO_PASSPHRASE}" in r.stdout  # the demo prints what the README says
    assert "Traceback" not in r.stderr
    made = next(tmp_path.glob("tmp/*/"))  # the scratch folder of `cd "$(mktemp -d)"`
    for name in ("form.xlsx", "sheet.pdf", "stats.xlsx", "backup.zip", "2027.toml", "window.png"):
        assert (made / name).stat().st_size > 0, name
    assert '"valid": true' in r.stdout  # pdf verify --json on the sheet the tour signed


@pytest.mark.slow
def test_readme_campaign_runs_as_written(tmp_path: Path) -> None:
    r = paste(
        readme_block("campaign"),
        tmp_path,
        INSPECTOR_CA_PASSPHRASE="ca-secret-2026",
        INSPECTOR_PASSPHRASE="wang-fang-2026",  # the centre's own (set at init-ca) and, on her laptop, hers
        INSPECTOR_PERSON_PASSPHRASE="wang-fang-2026",
    )
    assert r.returncode == 0, r.stderr[-3000:]
    assert "Traceback" not in r.stderr
    made = next(tmp_path.glob("tmp/*/"))
    sheets = list((made / "centre" / "pdfs").glob("*/*.pdf"))
    assert len(sheets) == 1, "the signed score sheet reached the centre"
    assert "王芳（组长）" in r.stdout and "签名有效" in r.stdout
    assert "成都市技师学院职业技能鉴定所  已签署" in r.stdout  # results at the centre


# -- docs/cli.md, generated from the commands ------------------------------------------------------------


def test_cli_page_is_current() -> None:
    """docs/cli.md is what docs/make_cli_doc.py makes from the click commands now. After adding or
    changing a command or an option, run ``python docs/make_cli_doc.py`` and commit the page."""
    spec = importlib.util.spec_from_file_location("make_cli_doc", ROOT / "docs" / "make_cli_doc.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert page == module.render(), "docs/cli.md is stale: run `python docs/make_cli_doc.py`"
    assert "#### `inspector eval sign`" in page and "`--lang` [zh\\|en]" in page


# -- docs/performance.md, written by the benches ---------------------------------------------------------

PERF = ROOT / "docs" / "performance.md"


@dataclass(frozen=True)
class Bench:
    path: Path
    section: str  # its ``SECTION``: the heading of the section its ``--write`` replaces
    notes: tuple[str, ...]  # the paragraphs of its notes, as its ``--write`` puts them in the section


def benches() -> list[Bench]:
    """Every bench/*.py with a top-level ``SECTION``, read from its source (importing a bench would
    import Qt, reportlab, a PostgreSQL driver …). Its notes: the strings of a top-level ``NOTES``
    list, and the bullet paragraphs (``"- …"``) written as plain string literals anywhere in it."""
    found = []
    for path in sorted((ROOT / "bench").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        section = None
        notes: list[str] = []
        in_fstrings = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
        for node in tree.body:
            target = node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None
            if isinstance(node, ast.AnnAssign):
                target = node.target
            value = getattr(node, "value", None)
            if isinstance(target, ast.Name) and target.id == "SECTION" and value is not None:
                section = ast.literal_eval(value)
            if isinstance(target, ast.Name) and target.id == "NOTES" and isinstance(value, ast.List):
                notes += [e.value for e in value.elts if isinstance(e, ast.Constant) and str(e.value).strip()]
        for n in ast.walk(tree):
            if (
                isinstance(n, ast.Constant)
                and isinstance(n.value, str)
                and n.value.startswith("- ")
                and len(n.value) >= 60
                and id(n) not in in_fstrings
            ):
                notes.append(n.value)
        if section is not None:
            found.append(Bench(path, section, tuple(dict.fromkeys(notes))))
    return found


def perf_sections() -> tuple[str, dict[str, str]]:
    """The page's index (before the first ``## ``) and each ``## `` section's body by heading."""
    parts = re.split(r"^(## .*?)[ \t]*$", PERF.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return parts[0], {parts[k]: parts[k + 1] for k in range(1, len(parts), 2)}


def test_benches_are_found() -> None:
    names = {b.path.name for b in benches()}
    assert {
        "bench_store.py",
        "bench_report.py",
        "bench_gui.py",
        "bench_bundles.py",
        "bench_scale.py",
    } <= names, "the benches of issue 18's rows"


def test_every_performance_section_is_a_bench_s() -> None:
    """Nothing on docs/performance.md is a figure no bench writes: each ``## `` section is the
    ``SECTION`` of exactly one bench (which writes it whole with ``--write``), every bench's section is
    there, and the hand-written index before them names each section with its bench. Records of
    past runs go to docs/performance-history.md, which nothing regenerates."""
    index, sections = perf_sections()
    owners: dict[str, list[str]] = {}
    for b in benches():
        owners.setdefault(b.section, []).append(b.path.name)
    assert all(len(v) == 1 for v in owners.values()), f"two benches write one section: {owners}"
    unowned = [s for s in sections if s not in owners]
    assert not unowned, f"sections of docs/performance.md that no bench writes: {unowned}"
    missing = [s for s in owners if s not in sections]
    assert not missing, f"bench sections never written (run the bench with --write): {missing}"
    for section, (name,) in owners.items():
        title = section.removeprefix("## ")
        assert title in index and f"bench/{name}" in index, f"the index does not name {title!r} by {name}"


def test_performance_notes_are_the_benches() -> None:
    """Each bench's notes stand in its section as the bench writes them: a note edited by hand in the
    page would be lost at the next ``--write``, one edited in the bench alone is not on the page
    (after changing a bench's notes, run it with ``--write``)."""
    _index, sections = perf_sections()
    stale = [
        f"{b.path.name}: {note[:70]}…"
        for b in benches()
        if b.section in sections
        for note in b.notes
        if note.strip() not in sections[b.section]
    ]
    assert not stale, "notes that differ between a bench and its section:\n" + "\n".join(stale)


def test_a_bench_replaces_only_its_own_section(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A heading that begins another (``## The centre`` of ``## The centre on both engines at scale``)
    or that the index mentions is not taken for it; a new section goes at the end."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import perfdoc
    finally:
        sys.path.remove(str(ROOT / "bench"))
    page = tmp_path / "performance.md"
    page.write_text(
        "# Performance\n\nThe index names `## The centre` and ## The centre too.\n\n"
        "## The centre on both engines at scale\n\nengines\n\n## The store\n\nstore\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(perfdoc, "DOC", page)
    perfdoc.replace_section("## The centre", "## The centre\n\ncentre, first run\n")
    perfdoc.replace_section("## The store", "## The store\n\nstore, again\n")
    perfdoc.replace_section("## The centre", "## The centre\n\ncentre, second run\n")
    assert page.read_text(encoding="utf-8") == (
        "# Performance\n\nThe index names `## The centre` and ## The centre too.\n\n"
        "## The centre on both engines at scale\n\nengines\n\n## The store\n\nstore, again\n\n"
        "## The centre\n\ncentre, second run\n"
    )
