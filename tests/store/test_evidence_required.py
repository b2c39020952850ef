"""A rubric item may require a note or a photo for a deduction (issue 21): the loader checks the
key and its clause, and signing is refused, naming the items, while a deduction lacks it.

No shipped form's text requires evidence for a deduction, so no shipped rubric sets the key; a
centre sets it in a rubric version of its own, citing its own decision: that is what these tests do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from inspector.errors import RubricError, StoreError
from inspector.rubric.model import rubric_from_dict
from inspector.rubric.toml_form import dump_rubric_toml, parse_rubric_text
from inspector.store.db import open_database
from inspector.store.evaluations import EvaluationStore
from inspector.store.evidence import add_evidence
from inspector.store.orgs import add_org
from inspector.store.rubrics import builtin_rubric_files, get_rubric, install_builtin_rubrics, store_rubric
from inspector.store.signing_checks import refusal, sign_check

SICHUAN = "sichuan-2017-inspection"
CLAUSE = "本中心2026年第3号通知：扣分项须留存现场照片"


def centre_version(store: EvaluationStore, requires: dict[str, str], version: int = 90) -> None:
    """The shipped Sichuan form as a centre's own version, with ``evidence`` on some items."""
    data: dict[str, Any] = get_rubric(store.db, SICHUAN, 1).to_dict()
    data["version"] = version
    for section in data["sections"]:
        for group in section["groups"]:
            for item in group["items"]:
                if item["id"] in requires:
                    item["evidence"] = {"requires": requires[item["id"]], "clause": CLAUSE}
    store_rubric(store.db, rubric_from_dict(data), "test")


@pytest.fixture
def store(tmp_path: Path) -> EvaluationStore:
    db = open_database(tmp_path / "data")
    install_builtin_rubrics(db)
    return EvaluationStore(db, "张三")


def full_marks(store: EvaluationStore, version: int = 90) -> str:
    org = add_org(store.db, "成都市第一技工学校鉴定站")["id"]
    e = store.create(SICHUAN, org, rubric_version=version)
    for item in store.rubric(SICHUAN, version).items():
        store.record(e.id, item.id, {"tier": 0} if item.rule.kind == "tiers" else {"met": True})
    return e.id


def test_the_key_round_trips_and_changes_the_hash(store: EvaluationStore) -> None:
    centre_version(store, {"1.1.1": "photo"})
    mine = store.rubric(SICHUAN, 90)
    assert mine.item("1.1.1").evidence is not None
    assert mine.item("1.1.1").evidence.clause == CLAUSE  # type: ignore[union-attr]
    again = parse_rubric_text(dump_rubric_toml(mine), "x.toml")
    assert again == mine and again.content_hash == mine.content_hash
    plain = rubric_from_dict(
        {**mine.to_dict(), "sections": get_rubric(store.db, SICHUAN, 1).to_dict()["sections"]}
    )
    assert plain.content_hash != mine.content_hash


@pytest.mark.parametrize(
    "value",
    [
        '{requires = "photo"}',  # no clause: every rule cites its text
        '{requires = "photo", clause = "  "}',
        '{requires = "video", clause = "通知"}',
        '{requires = "photo", clause = "通知", extra = "1"}',
        '"photo"',
    ],
)
def test_the_loader_refuses_a_malformed_requirement_naming_the_line(value: str) -> None:
    text = next(p for p in builtin_rubric_files() if p.name.startswith("sichuan")).read_text("utf-8")
    marker = 'id = "1.2.1"\n'
    assert marker in text
    broken = text.replace(marker, marker + f"evidence = {value}\n", 1)
    with pytest.raises(RubricError, match="evidence") as refused:
        parse_rubric_text(broken, "centre.toml")
    line = broken[: broken.index(marker)].count("\n")  # the item's header is the line above its id
    assert refused.value.where == f"centre.toml:{line}"


def test_no_shipped_form_sets_a_requirement(store: EvaluationStore) -> None:
    """The seeds' forms do not require a photo or note for a deduction: none is invented."""
    for path in builtin_rubric_files():
        assert "evidence =" not in path.read_text("utf-8"), path.name


def test_a_deduction_without_the_required_photo_blocks_signing(
    store: EvaluationStore, tmp_path: Path
) -> None:
    centre_version(store, {"1.1.1": "photo", "1.2.1": "both", "1.3.1": "either"})
    eval_id = full_marks(store)
    # full marks need nothing
    assert sign_check(store, eval_id).without_evidence == ()
    store.record(eval_id, "1.1.1", {"met": False, "note": "未设鉴定站站长岗位"})
    store.record(eval_id, "1.2.1", {"met": False, "note": "考评员名册缺两人"})
    store.record(eval_id, "1.3.1", {"met": False})
    check = sign_check(store, eval_id)
    lacks = {m.item_id: m.label for m in check.without_evidence}
    assert lacks == {"1.1.1": "缺照片", "1.2.1": "缺照片", "1.3.1": "缺备注或照片"}
    message = refusal(check)
    assert "缺评估表要求的证据" in message and "1.1.1（缺照片）" in message and "1.3.1" in message
    with pytest.raises(StoreError, match=r"1\.1\.1（缺照片）") as refused:
        store.sign(eval_id, [{"name": "张三"}])
    assert "\n" not in str(refused.value)
    assert store.get(eval_id).state == "complete"  # nothing written
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 not much of a photo")
    digest = add_evidence(store.db, tmp_path / "data", photo)
    ev = [{"sha256": digest, "name": "现场.jpg"}]
    store.record(eval_id, "1.1.1", {"met": False, "note": "未设鉴定站站长岗位", "evidence": ev})
    store.record(eval_id, "1.2.1", {"met": False, "note": "考评员名册缺两人", "evidence": ev})
    store.record(eval_id, "1.3.1", {"met": False, "note": "制度未上墙"})  # either: the note is enough
    assert sign_check(store, eval_id).ok
    assert store.sign(eval_id, [{"name": "张三"}]).state == "signed"


def test_bonus_na_and_full_marks_are_not_deductions(store: EvaluationStore) -> None:
    centre_version(store, {"1.1.1": "note"})
    eval_id = full_marks(store)
    store.record(eval_id, "1.1.1", {"met": True})
    assert sign_check(store, eval_id).ok


def test_a_pinned_shipped_version_is_untouched(store: EvaluationStore) -> None:
    eval_id = full_marks(store, version=1)
    store.record(eval_id, "1.1.1", {"met": False, "note": "未设站长岗位"})
    assert sign_check(store, eval_id).without_evidence == ()
