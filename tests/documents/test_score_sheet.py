"""Printed documents: the score sheet, the rectification notice, the supervision record, the
self-assessment report. Checked through poppler as a reader would see them (text, fonts, pages,
images), and rendered to PNG under ``artifacts/pdf/`` for a person to look at."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from inspector import i18n
from inspector.centre.workdays import add_working_days
from inspector.documents.others import due_text, render_document
from inspector.documents.sheet_data import load_sheet, sheet_hash
from inspector.documents.style import short_hash
from inspector.errors import UsageError
from inspector.folder import open_folder
from inspector.store.demo import CHONGQING, FUJIAN, SICHUAN, fill_demo
from inspector.store.evaluations import EvaluationStore
from inspector.store.evidence import add_evidence
from inspector.store.rubrics import install_builtin_rubrics
from inspector.store.wording import kind_label
from tests.helpers import refused, run

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "pdf"
PHOTOS = 10


# -- the sample -------------------------------------------------------------------------------------


def make_photo(path: Path, n: int, size: tuple[int, int]) -> Path:
    """A photo-like picture (gradient, shapes, a label) as JPEG or PNG, by the file's suffix."""
    from PIL import Image, ImageDraw

    w, h = size
    img = Image.linear_gradient("L").resize((w, h)).convert("RGB")
    draw = ImageDraw.Draw(img)
    for k in range(6):
        x, y = (w * (k + 1)) // 8, (h * ((k * 3 + n) % 7 + 1)) // 9
        draw.rectangle([x, y, x + w // 10, y + h // 8], fill=(40 * k % 255, 90 + n * 12, 200 - k * 20))
    draw.ellipse([w // 3, h // 3, w // 2, h // 2], outline=(0, 0, 0), width=6)
    draw.text((20, 20), f"photo {n}", fill=(0, 0, 0))
    img.save(path, quality=88) if path.suffix == ".jpg" else img.save(path)
    return path


def make_signature(path: Path, seed: int) -> Path:
    """A drawn signature: black strokes on a transparent background, as the pad saves it."""
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    points = [(40 + i * 26, 100 + int(50 * ((i * (seed + 3)) % 5 - 2) / 2)) for i in range(20)]
    draw.line(points, fill=(0, 0, 0, 255), width=7, joint="curve")
    img.save(path)
    return path


@dataclass
class World:
    data: Path
    store: EvaluationStore
    photo_sheet: str  # Sichuan, complete, ten photos and a document, signed with drawn signatures
    photo_shas: list[str]
    demo_photos: int  # the site photos the demo itself put beside some deductions
    failed: str  # Sichuan, signed, failed (the demo's)
    draft: str  # Sichuan inspection in progress, beside the station's self-assessment
    self_eval: str
    recheck: str
    rectify: str  # Chongqing, complete, 60–79 points with overrides
    record: str  # Fujian supervision record


def find(store: EvaluationStore, rubric: str, kind: str, state: str, org: str = "") -> str:
    found = [
        e.id
        for e in store.list_evaluations()
        if (e.rubric_id, e.kind, e.state) == (rubric, kind, state) and org in e.org_name
    ]
    assert found, (rubric, kind, state, org)
    return found[0]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    base = tmp_path_factory.mktemp("report")
    data = base / "data"
    db = open_folder(data)
    install_builtin_rubrics(db)
    fill_demo(db)
    store = EvaluationStore(db, "张建国")
    sheet = find(store, SICHUAN, "inspection", "complete", "成都")
    # Ten photos (JPEG and PNG, landscape and portrait) and one non-image on lost and kept items.
    files = []
    for n in range(PHOTOS):
        suffix = ".jpg" if n % 3 else ".png"
        size = (1600, 1200) if n % 4 else (900, 1400)
        files.append(make_photo(base / f"现场照片{n + 1}{suffix}", n + 1, size))
    memo = base / "情况说明.txt"
    memo.write_text("现场情况说明：档案柜未上锁。\n", encoding="utf-8")
    items = [i.id for i in store.rubric(SICHUAN, 1).items()]
    shas = []
    current = store.current(sheet)
    demo_photos = sum(len((c.change.payload or {}).get("evidence", [])) for c in current.values())
    for n, path in enumerate(files):
        item = items[n * 5]
        digest = add_evidence(db, data, path)
        shas.append(digest)
        payload = dict(current[item].change.payload)
        payload["evidence"] = [
            *payload.get("evidence", []),
            {"sha256": digest, "name": path.name, "caption": f"现场照片 {n + 1}：档案室"},
        ]
        store.record(sheet, item, payload)
        current = store.current(sheet)
    memo_sha = add_evidence(db, data, memo)
    payload = dict(current[items[3]].change.payload)
    payload["evidence"] = [{"sha256": memo_sha, "name": memo.name, "caption": "情况说明"}]
    store.record(sheet, items[3], payload)
    signers = []
    for k, (name, role) in enumerate([("张建国", "组长"), ("周敏", "机构代表")]):
        drawn = add_evidence(db, data, make_signature(base / f"签名{k}.png", k))
        signers.append({"name": name, "role": role, "signature": drawn})
    store.sign(sheet, signers)
    # Chongqing: bring the renewal into 60–79 (rectification) with overrides.
    cq = find(store, CHONGQING, "inspection", "complete")
    rubric = store.rubric(CHONGQING, store.get(cq).rubric_version)
    for item in sorted(
        (i for i in rubric.items() if not rubric.locate(i.id)[0].bonus), key=lambda i: -i.points
    )[:3]:
        store.record(cq, item.id, {"points": 0, "reason": "现场核查发现严重问题，评估组合议给0分"})
    # Fujian: the one kind of line its form lets be not applicable (第三章一（三）: no report made).
    record = find(store, FUJIAN, "inspection", "draft")
    store.record(record, "4.1.1", {"na": True, "reason": "当次无群众举报"})
    total = store.report(cq).total
    assert 60 <= total < 80, total
    return World(
        data=data,
        store=store,
        photo_sheet=sheet,
        photo_shas=shas,
        demo_photos=demo_photos,
        failed=find(store, SICHUAN, "inspection", "signed", "自贡"),
        draft=find(store, SICHUAN, "inspection", "draft", "绵阳"),
        self_eval=find(store, SICHUAN, "self", "complete"),
        recheck=find(store, SICHUAN, "recheck", "draft"),
        rectify=cq,
        record=record,
    )


# -- reading PDFs as poppler does -----------------------------------------------------------------------


def poppler(*args: str | Path) -> str:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, check=True).stdout


@dataclass
class Pdf:
    path: Path
    layout: str
    raw: str  # content order, whitespace removed: a wrapped cell reads as one string; has diagonal text
    pages: int


def pdf(world: World, name: str, eval_id: str, kind: str = "sheet", **kw: object) -> Pdf:
    data = render_document(world.store, world.data, eval_id, kind, **kw)  # type: ignore[arg-type]
    assert data.startswith(b"%PDF-")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.pdf"
    path.write_bytes(data)
    info = poppler("pdfinfo", path)
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    raw = re.sub(r"\s+", "", poppler("pdftotext", "-raw", path, "-"))
    return Pdf(path, poppler("pdftotext", "-layout", path, "-"), raw, pages)


def fonts_embedded(path: Path) -> list[str]:
    """The fonts' lines from pdffonts, after checking each is embedded and subset."""
    lines = poppler("pdffonts", path).splitlines()[2:]
    assert lines, "no fonts"
    for line in lines:
        name, *_rest = line.split()
        emb, sub = line.split()[-5], line.split()[-4]
        assert (emb, sub) == ("yes", "yes"), line
        assert re.match(r"^[A-Z]{6}\+", name), line
    return lines


def first_page_png(doc: Pdf) -> Path:
    prefix = doc.path.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", doc.path, prefix], check=True
    )
    png = prefix.with_suffix(".png")
    assert png.stat().st_size > 10_000
    return png


def watermarked(doc: Pdf) -> bool:
    """The draft watermark is on page 1: a large area of its grey (0.85, not the 0.88 of shaded
    cells) in a render without anti-aliasing. It is a drawing: pdftotext reads none of its words."""
    from PIL import Image

    prefix = doc.path.with_name(doc.path.stem + "-wm")
    options = ["-png", "-gray", "-aa", "no", "-aaVector", "no", "-r", "50", "-singlefile"]
    subprocess.run(
        ["pdftoppm", *options, str(doc.path), str(prefix)],
        check=True,
    )
    with Image.open(prefix.with_suffix(".png")) as img:
        histogram = img.convert("L").histogram()
    assert "DRAFT" not in doc.raw and "未签署，不作为正式评估结果" not in doc.raw
    return sum(histogram[214:220]) > 1000


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


# -- the score sheet ---------------------------------------------------------------------------------------


def test_full_sheet_text_fonts_pages_and_appendix(world: World) -> None:
    doc = pdf(world, "sheet-signed-photos", world.photo_sheet)
    e = world.store.get(world.photo_sheet)
    report = world.store.report(world.photo_sheet)
    rubric = world.store.rubric(SICHUAN, 1)
    assert e.org_name in doc.layout
    for item in rubric.items():  # every item's text, however its cell wrapped it
        assert squeeze(item.text) in doc.raw, item.id
    lost = [rubric.item(r.id).text for r in report.lost if len(rubric.item(r.id).text) <= 14]
    assert lost and all(t in doc.layout for t in lost[:3])  # the findings table has them on one line
    assert re.search(rf"总分\s+{report.total}\s*分", doc.layout)
    assert report.outcome is not None and report.outcome.label in doc.layout
    assert doc.pages > 1
    for n in (1, doc.pages):  # drawn as "第 1 页 共 7 页"; pdftotext may drop the narrow spaces
        assert re.search(rf"第\s?{n}\s?页\s?共\s?{doc.pages}\s?页", doc.layout), n
    assert not watermarked(doc)  # signed
    fonts = fonts_embedded(doc.path)
    assert not any("Helvetica" in f for f in fonts)
    # The appendix: every photo numbered with its hash; the text file listed, not pictured.
    assert "附录：证据材料" in doc.layout
    for n, digest in enumerate(world.photo_shas, start=1):
        assert f"E{n}" in doc.layout and digest in doc.raw
    assert "情况说明.txt" in doc.raw and "其他证据文件" in doc.layout
    images = poppler("pdfimages", "-list", doc.path).splitlines()[2:]
    # ten photos, the demo's own, and two drawn signatures
    assert len(images) == PHOTOS + world.demo_photos + 2
    assert all(int(line.split()[3]) <= 800 and int(line.split()[4]) <= 800 for line in images)
    assert doc.path.stat().st_size < 3_000_000
    # Signatures: names, roles, dates of signing.
    assert "周敏" in doc.layout and "机构代表" in doc.layout
    first_page_png(doc)


def test_unsigned_sheet_has_the_watermark_and_the_comparison(world: World) -> None:
    doc = pdf(world, "sheet-draft", world.draft)
    assert watermarked(doc) and "进行中，未签署（草稿）" in doc.layout  # the state, in the window's word
    assert "自查自评对照" in doc.layout
    assert "尚未评分" in doc.layout and "—" in doc.layout  # unanswered items, marked in words
    fonts_embedded(doc.path)
    first_page_png(doc)


def test_an_amended_revision_says_so(world: World) -> None:
    amended = world.store.amend(world.failed, "复核时发现 2.1.3 计分有误")
    doc = pdf(world, "sheet-amended", amended.id)
    text = squeeze(doc.layout)
    assert "第1次修订" in text and "复核时发现2.1.3计分有误" in text
    assert watermarked(doc)  # the new revision is not signed yet


def test_draft_flag_forces_the_watermark(world: World) -> None:
    assert not watermarked(pdf(world, "sheet-failed", world.failed))
    assert watermarked(pdf(world, "sheet-failed-draft", world.failed, draft=True))


def test_overrides_and_not_applicable_are_flagged_in_words(world: World) -> None:
    doc = pdf(world, "sheet-chongqing", world.rectify)
    assert re.search(r"0\s*※", doc.layout)
    assert "人工调整" in doc.layout
    assert "加分" in doc.layout  # the Chongqing bonus row
    first_page_png(doc)


def test_recheck_shows_what_was_rectified(world: World) -> None:
    doc = pdf(world, "sheet-recheck", world.recheck)
    assert "整改情况" in doc.layout
    assert any(word in doc.layout for word in ("已整改", "未整改", "尚未复查"))
    first_page_png(doc)


# -- the content hash and the QR code ------------------------------------------------------------------------


def test_content_hash_is_printed_stable_and_language_neutral(world: World) -> None:
    sheet = load_sheet(world.store, world.data, world.failed)
    assert sheet.qr_text == f"INSPECTOR-SHEET/V1/{world.failed}/1/{sheet.digest}".upper()
    from reportlab.graphics.barcode.qrencoder import QRAlphaNum

    QRAlphaNum(sheet.qr_text)  # the compact alphanumeric mode takes it (raises ValueError if not)
    assert sheet_hash(world.store, world.data, world.failed) == sheet.digest
    before = i18n.language()
    i18n.set_language("en")
    try:
        assert sheet_hash(world.store, world.data, world.failed) == sheet.digest
    finally:
        i18n.set_language(before)
    doc = pdf(world, "sheet-failed", world.failed)
    assert short_hash(sheet.digest) in doc.layout
    # Another evaluation, another hash; a changed observation, another hash.
    other = sheet_hash(world.store, world.data, world.recheck)
    assert other != sheet.digest
    item = next(iter(world.store.rubric(SICHUAN, 1).items())).id
    world.store.record(world.recheck, item, {"problems": 1, "note": "复查时仍未整改"})
    assert sheet_hash(world.store, world.data, world.recheck) != other


# -- the other documents ---------------------------------------------------------------------------------


def test_rectification_notice_chongqing(world: World) -> None:
    doc = pdf(world, "notice-chongqing", world.rectify, "notice", issued=date(2026, 11, 30))
    text = squeeze(doc.layout)
    assert "整改通知书" in text and "重庆市建筑行业协会技能评价中心：" in text
    assert "2026年11月10日，经对你单位开展延续备案评估，发现存在以下问题" in text
    assert "整改期为6个月，整改期内暂停职业技能等级认定工作" in text and "特此通知" in text
    assert "重庆市人力资源和社会保障局（盖章）" in text and "2026年11月30日" in text
    assert "现场核查发现严重问题" in text  # an override's reason among the problems
    fonts_embedded(doc.path)
    first_page_png(doc)


def test_rectification_notice_for_a_failed_station(world: World) -> None:
    doc = pdf(world, "notice-failed", world.failed, "notice")
    text = squeeze(doc.layout)
    assert "整改期间不得开展鉴定工作" in text and "整改期为6个月" not in text  # Sichuan's own words
    assert "评估结论：不合格" in text
    assert not watermarked(doc)


def test_notice_refused_when_not_called_for(world: World) -> None:
    with pytest.raises(UsageError, match="合格"):
        render_document(world.store, world.data, world.photo_sheet, "notice")
    with pytest.raises(UsageError, match="未评分"):
        render_document(world.store, world.data, world.draft, "notice")


def test_supervision_record(world: World) -> None:
    doc = pdf(world, "record-fujian", world.record, "record")
    text = squeeze(doc.layout)
    e = world.store.get(world.record)
    assert "督导情况记录表" in text and e.org_name in text
    assert "外督应在督导工作结束后5个工作日内提交" in text
    assert e.visit_date is not None
    due = add_working_days(date.fromisoformat(e.visit_date), 5)
    assert f"{due.year}年{due.month}月{due.day}日前" in text
    assert "√" in doc.layout and "未记录" in text and watermarked(doc)
    assert "当次无群众举报" in text  # the not-applicable line, with its reason
    # one vocabulary: the kind as eval list and the home list say it (inspector.store.wording)
    assert f"类型{kind_label(e.kind)}" in text and "类型质量督导" not in text and e.kind == "inspection"
    fonts_embedded(doc.path)
    first_page_png(doc)
    # A checklist form's "sheet" is its record; a scored form has no record.
    assert b"%PDF" in render_document(world.store, world.data, world.record, "sheet")[:8]
    with pytest.raises(UsageError):
        render_document(world.store, world.data, world.failed, "record")


def test_due_date_beyond_the_calendar_says_the_rule() -> None:
    assert due_text("2099-01-05") == "2099年1月5日后5个工作日内"
    assert "前" in due_text("2026-11-21")


def test_self_assessment_report(world: World) -> None:
    doc = pdf(world, "self-report", world.self_eval, "self")
    report = world.store.report(world.self_eval)
    text = squeeze(doc.layout)
    assert "自查自评报告" in text and f"自评总分{report.total}分" in text
    assert "各大项自评得分" in text and "否决情形自查" in text and "整改措施" in text
    assert "评估组（本机构自查自评）" in text and "（未登记）" not in text  # no team is missing here
    fonts_embedded(doc.path)
    first_page_png(doc)
    with pytest.raises(UsageError):
        render_document(world.store, world.data, world.failed, "self")


# -- the command line ---------------------------------------------------------------------------------------


def test_cli_report_pdf(world: World, tmp_path: Path) -> None:
    out = tmp_path / "sheet.pdf"
    r = run("report", "pdf", world.failed, "--out", out, data=world.data)
    assert r.code == 0, r.err
    assert out.read_bytes().startswith(b"%PDF-")
    r = run(
        "report",
        "pdf",
        world.record,
        "--out",
        tmp_path / "r.pdf",
        "--kind",
        "record",
        "--draft",
        data=world.data,
    )
    assert r.code == 0, r.err
    refused(run("report", "pdf", "nosuchevaluation", "--out", out, data=world.data), "nosuchevaluation")
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    refused(run("report", "pdf", world.failed, "--out", blocker / "x.pdf", data=world.data))
    refused(run("report", "pdf", world.failed, "--out", tmp_path, data=world.data))
    refused(
        run("report", "pdf", world.photo_sheet, "--out", out, "--kind", "notice", data=world.data), "合格"
    )
    assert not list(tmp_path.glob(".*.tmp"))


def test_photos_are_downscaled(tmp_path: Path) -> None:
    from inspector.documents.images import load_picture

    big = make_photo(tmp_path / "big.jpg", 1, (3000, 2000))
    pic = load_picture(big)
    assert pic is not None and max(pic.width, pic.height) <= 800
    assert len(pic.data) < big.stat().st_size
    assert load_picture(tmp_path / "missing.jpg") is None
    (tmp_path / "not-an-image.png").write_bytes(b"not a png")
    assert load_picture(tmp_path / "not-an-image.png") is None


def test_the_sheet_takes_a_cryptographic_signature(world: World, tmp_path: Path) -> None:
    """The unsigned bytes are what inspector.crypto.pdfsign signs: an appended, invisible PAdES signature."""
    from inspector.crypto import keys, pdfsign

    ca_dir = tmp_path / "ca"
    info = keys.init_ca(ca_dir, "四川省职业技能鉴定指导中心", "centre-secret")
    cred = keys.issue_certificate(ca_dir, "centre-secret", "张建国", "SC-2026-0001", "组长", "123456")
    signer = keys.unlock(cred.p12, "123456")
    sheet = render_document(world.store, world.data, world.photo_sheet)
    signed = pdfsign.sign_pdf(
        sheet, signer, name="张建国", role="组长", reason="确认评估结果", location="成都市", field_name="sig1"
    )
    assert signed.startswith(sheet)  # incremental: the sheet's own bytes are untouched
    result = pdfsign.verify_pdf(signed, [info.certificate_pem])
    assert result["valid"] is True and result["modified_after_signing"] is False
    path = ARTIFACTS / "sheet-signed-photos-pades.pdf"
    path.write_bytes(signed)
    assert "张建国" in poppler("pdftotext", "-layout", path, "-")


# -- typography: sizes, line breaks, signatures ------------------------------------------------------------


def word_sizes(path: Path) -> list[tuple[float, str]]:
    """Every word pdftotext finds, with its box's height (the font size it was set in)."""
    out = poppler("pdftotext", "-bbox", path, "-")
    return [
        (float(y1) - float(y0), word)
        for y0, y1, word in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', out)
    ]


@pytest.mark.parametrize("kind", ["sheet", "notice", "self", "record"])
def test_no_printed_text_is_smaller_than_nine_points(world: World, kind: str) -> None:
    """Official forms are read at a desk and signed: 9 pt at least (the score table was 6.5-7 pt)."""
    eval_id = {
        "sheet": world.photo_sheet,
        "notice": world.failed,
        "self": world.self_eval,
        "record": world.record,
    }[kind]
    doc = pdf(world, f"sizes-{kind}", eval_id, kind)
    sizes = word_sizes(doc.path)
    assert sizes
    small = [(round(h, 1), w) for h, w in sizes if h < 8.95]
    assert not small, small[:10]
    if kind == "sheet":  # the item titles of the table are 10 pt, its tables' prose 10.5 (五号)
        assert sum(1 for h, _w in sizes if h >= 9.95) > len(sizes) / 2


def test_each_document_is_titled_by_its_own_name(world: World) -> None:
    for eval_id, kind, title in [
        (world.failed, "notice", "整改通知书"),
        (world.self_eval, "self", "自查自评报告"),
        (world.record, "record", "督导情况记录表"),
    ]:
        doc = pdf(world, f"title-{kind}", eval_id, kind)
        info = poppler("pdfinfo", doc.path)
        assert re.search(rf"Title:\s+{title} — ", info), info
    sheet = pdf(world, "title-sheet", world.failed)
    assert "检查评估表 — " in poppler("pdfinfo", sheet.path)


def test_lines_follow_the_chinese_breaking_rules(world: World) -> None:
    """No printed line begins with 。，：；、） or ends with （ (before: "。发现问题不得分。" and
    "，不得分" began lines of the score table)."""
    for name, eval_id, kind in [
        ("breaks-sheet", world.photo_sheet, "sheet"),
        ("breaks-chongqing", world.rectify, "sheet"),
        ("breaks-notice", world.failed, "notice"),
    ]:
        doc = pdf(world, name, eval_id, kind)
        # -raw keeps each line of each cell as its own line, in content order
        for line in poppler("pdftotext", "-raw", doc.path, "-").splitlines():
            line = line.strip()
            if not line:
                continue
            assert line[0] not in "。，：；、）", (name, line)
            assert line[-1] != "（", (name, line)


def test_drawn_signatures_print_the_size_of_a_signature(world: World) -> None:
    """Cropped to the ink, 40-50 mm wide (they printed about 15 mm wide in hairlines)."""
    doc = pdf(world, "sheet-signatures", world.photo_sheet)
    images = poppler("pdfimages", "-list", doc.path).splitlines()[2:]
    drawn = [line.split() for line in images if line.split()[8] == "image"]
    assert len(drawn) == 2  # PNG line art (photos are JPEG)
    for cols in drawn:
        width_mm = int(cols[3]) / int(cols[12]) * 25.4
        assert 40 <= width_mm <= 50, cols


def test_the_chongqing_sheet_follows_its_own_form(world: World) -> None:
    """附件3's columns and its closing 评估组意见 / 综合评价 block, not the Sichuan layout."""
    from inspector.documents.chongqing import split_method

    doc = pdf(world, "sheet-chongqing-form", world.rectify)
    text = doc.raw
    head = re.search(r"评估类别.*评估项目.*评估内容.*评估办法.*评分标准.*得分.*备注", text)
    assert head, text[:400]
    assert "扣分理由" not in text.split("扣分情况汇总")[0]  # the form's 备注 column holds the reasons
    for words in (
        "评估组意见",
        "机构评估得分",
        "评估组成员签字",
        "综合评价",
        "本次评估结论为",
        "组长（签名）",
    ):
        assert words in text, words
    assert "（4分）" in text  # the points after each 评估内容, as the form prints them
    assert split_method("现场查勘。未张贴安全提示或宣传画扣1分。") == (
        "现场查勘。",
        "未张贴安全提示或宣传画扣1分。",
    )
    sichuan = squeeze(pdf(world, "sheet-sichuan-form", world.failed).layout)
    assert "评估组意见" not in sichuan and "评估方法和标准" in sichuan
