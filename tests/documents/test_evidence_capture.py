"""The sheet's evidence appendix prints each photo's capture time, position and flags, in words.

Read back with pdftotext; rendered to PNG under ``artifacts/pdf/`` for a person to look at."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from inspector.documents.score_sheet import render_sheet
from inspector.folder import open_folder
from inspector.store.evaluations import EvaluationStore
from inspector.store.evidence import add_evidence
from inspector.store.orgs import add_org
from inspector.store.rubrics import install_builtin_rubrics
from tests.exif_photos import exif_photo

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "pdf"
RUBRIC = "sichuan-2017-inspection"


def test_appendix_prints_capture_time_position_and_flags(tmp_path: Path) -> None:
    from PIL import Image

    data = tmp_path / "data"
    db = open_folder(data)
    install_builtin_rubrics(db)
    store = EvaluationStore(db, "张建国")
    org = add_org(db, "绵阳市职业技能鉴定站", "51B002")["id"]
    e = store.create(RUBRIC, org, visit_date="2026-05-12")
    stripped = tmp_path / "微信图片.jpg"
    Image.new("RGB", (320, 240), "#888888").save(stripped)
    photos = [
        exif_photo(tmp_path / "档案室.jpg"),
        exif_photo(tmp_path / "旧照.jpg", taken="2026:04:30 09:00:00", gps=None, colour="#aa3333"),
        exif_photo(tmp_path / "修过.jpg", software="Adobe Photoshop 25.0", colour="#33aa33"),
        stripped,
    ]
    refs = [{"sha256": add_evidence(db, data, p), "name": p.name} for p in photos]
    store.record(e.id, "1.1.1", {"met": False, "evidence": refs[:2]})
    store.record(e.id, "1.2.1", {"met": False, "evidence": refs[2:]})

    path = ARTIFACTS / "sheet-evidence-capture.pdf"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render_sheet(store, data, e.id))
    text = subprocess.run(["pdftotext", "-raw", path, "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text)
    appendix = flat[flat.index("附录：证据材料") :]
    cells = re.split(r"(?=E\d小项)", appendix)[1:]
    assert [c[:2] for c in cells] == ["E1", "E2", "E3", "E4"]
    e1, e2, e3, e4 = cells
    assert "拍摄时间：2026-05-1210:03:15UTC+08:00" in e1 and "北纬30.657000°，东经104.066667°" in e1
    assert "相机：HUAWEIP40" in e1 and "注意" not in e1
    assert "※注意：拍摄日期不是督导当日（拍摄于2026-04-30，督导日为2026-05-12）" in e2
    assert "拍摄位置" not in e2  # no GPS in that photo: nothing invented
    assert "※注意：拍摄后经过编辑（由编辑软件保存：AdobePhotoshop25.0）" in e3
    assert "拍摄时间：无" in e4 and "※注意：无拍摄时间" in e4
    assert "拍摄后经过编辑" not in e4  # stripped EXIF is not an edit
    assert "其中3件标有“※注意”" in appendix
    subprocess.run(["pdftoppm", "-png", "-r", "60", path, path.with_suffix("")], check=True)
