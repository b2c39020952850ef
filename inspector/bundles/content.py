"""Reading and checking what a decrypted bundle carries, before anything is stored.

Each reader takes the members of an :class:`~inspector.bundles.opening.Opened` bundle and returns
typed values, or refuses with the member (and line) and the rule. Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography import x509

from inspector.bundles.format import (
    ASSIGNMENT_FILE,
    CHANGES,
    EVIDENCE_INDEX,
    MAX_LINE,
    ORGS,
    PDFS_INDEX,
    Member,
)
from inspector.centre.register import clean_register
from inspector.clock import not_a_real_date
from inspector.crypto import keys
from inspector.crypto.identity import certificate_problem
from inspector.errors import BundleError, InspectorError
from inspector.i18n import _
from inspector.rubric.model import Rubric
from inspector.rubric.observations import SHA256_HEX, check_text, parse_observation
from inspector.rubric.toml_form import parse_rubric_text
from inspector.store.changes import (
    CREATE,
    GENESIS,
    KINDS,
    LOCK,
    META,
    OBSERVE,
    SIGN,
    VETO,
    Change,
    canonical,
    loads,
)
from inspector.store.evaluations import KINDS as EVAL_KINDS
from inspector.store.evaluations import VETO_PREFIX
from inspector.store.log import HeadValue, head_row  # the store's own rule, not a copy of it

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
MAX_SEQ = 2**31 - 1  # a device's changes to one evaluation: far beyond any inspection, and an SQLite int
_ID = re.compile(r"^[0-9A-Za-z_.\-]{1,64}$")


def _json(members: dict[str, bytes], name: str) -> Any:
    try:
        return json.loads(members[name].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: nested thousands deep
        raise BundleError(_("不是有效的 JSON"), name) from None


# --- changes.jsonl --------------------------------------------------------------------------------


def _check_shape(c: Change, where: str) -> None:
    if c.kind not in KINDS:
        raise BundleError(_("未知的更改类型：{k}").format(k=c.kind[:20]), where)
    if not 1 <= c.device_seq <= MAX_SEQ or not _HEX64.match(c.hash) or not _HEX64.match(c.prev_hash):
        raise BundleError(_("更改的序号或哈希格式不对"), where)
    for value in (c.id, c.eval_id, c.device_id):
        if not _ID.match(value):
            raise BundleError(_("更改的编号格式不对"), where)
    needs_item = c.kind in (OBSERVE, VETO)
    if needs_item != (c.item_id is not None) or (c.item_id is not None and not isinstance(c.item_id, str)):
        raise BundleError(_("更改的小项编号不符合其类型"), where)
    if c.kind == VETO and not str(c.item_id).startswith(VETO_PREFIX):
        raise BundleError(_("更改的小项编号不符合其类型"), where)
    if c.kind in (CREATE, META, SIGN, LOCK) and not isinstance(c.payload, dict):
        raise BundleError(_("更改内容应为 JSON 对象"), where)
    if c.kind == CREATE and (c.device_seq != 1 or c.prev_hash != GENESIS):
        raise BundleError(_("创建评估的更改应是该设备对该评估的第一条"), where)


_STR_FIELDS = ("id", "eval_id", "kind", "author", "device_id", "wall_time", "prev_hash", "hash")
_FIELDS = frozenset((*_STR_FIELDS, "item_id", "payload", "parents", "device_seq"))


def _change(d: Any) -> Change:
    """A change from one parsed line, every field of exactly its type (nothing coerced)."""
    if not isinstance(d, dict) or d.keys() != _FIELDS:
        raise TypeError("fields")
    if not all(isinstance(d[k], str) for k in _STR_FIELDS) or not (
        d["item_id"] is None or isinstance(d["item_id"], str)
    ):
        raise TypeError("text")
    seq, parents = d["device_seq"], d["parents"]
    if type(seq) is not int or not isinstance(parents, list) or not all(isinstance(x, str) for x in parents):
        raise TypeError("numbers")
    return Change(
        id=d["id"], eval_id=d["eval_id"], item_id=d["item_id"], kind=d["kind"], payload=d["payload"],
        parents=tuple(parents), author=d["author"], device_id=d["device_id"], device_seq=seq,
        wall_time=d["wall_time"], prev_hash=d["prev_hash"], hash=d["hash"],
    )  # fmt: skip


def read_changes(members: dict[str, bytes]) -> list[tuple[Change, str]]:
    """Each line exactly ``canonical(change.to_json())``, its hash recomputed; (change, where) pairs."""
    data = members[CHANGES]
    if data and not data.endswith(b"\n"):
        raise BundleError(_("最后一行没有换行符（内容被截断？）"), CHANGES)
    out: list[tuple[Change, str]] = []
    seen: set[str] = set()
    for n, line in enumerate(data.split(b"\n")[:-1] if data else [], start=1):
        where = f"{CHANGES}:{n}"
        if len(line) > MAX_LINE:
            raise BundleError(_("这一行过长"), where)
        try:
            text = line.decode("utf-8")
            parsed = loads(text)
            c = _change(parsed)
        except (UnicodeDecodeError, ValueError, TypeError, RecursionError):
            raise BundleError(_("不是有效的更改记录"), where) from None
        # canonical: no second reading (duplicate keys, spacing, number forms) can differ from ours
        if canonical(parsed) != text:
            raise BundleError(_("更改记录不是规范格式"), where)
        _check_shape(c, where)
        # The line is canonical, so without its "hash" member it is exactly the canonical text that
        # Change.compute_hash hashes (keys sorted: "hash" sits between "eval_id" and "id").
        hashed = text.replace(f',"hash":"{c.hash}"', "", 1)
        if hashlib.sha256(hashed.encode("utf-8")).hexdigest() != c.hash:
            raise BundleError(_("更改内容与其哈希不符（记录被改动）"), where)
        if c.id in seen:
            raise BundleError(_("更改编号重复"), where)
        seen.add(c.id)
        out.append((c, where))
    return out


def check_payload(c: Change, rubric: Rubric, where: str) -> HeadValue | None:
    """The change means something under its evaluation's rubric; returns the item head that
    apply_change would compute for an observation or a veto (so that it is computed once)."""
    try:
        if c.kind == OBSERVE:
            assert c.item_id is not None
            if not rubric.has_item(c.item_id):
                return _stray(c, rubric, where)
            # received: the limits the laptop applies when it is typed (parse_observation with
            # new=True: text limits, counts as JSON integers, points as JSON numbers), then
            # head_row parses it once
            if c.payload is not None:  # None: the item was cleared
                parse_observation(c.payload, where, new=True)
            return head_row(rubric, c)  # parses and scores the observation: refuses what the rule refuses
        if c.kind == VETO:
            assert c.item_id is not None
            if not isinstance(c.payload, dict):
                raise BundleError(_("否决项记录应写明 veto: true 或 false"), where)
            if rubric.veto(c.item_id[len(VETO_PREFIX) :]) is None:
                return _stray(c, rubric, where)
            _check_veto(c.payload, where)
            return head_row(rubric, c)
        if c.kind == META and set(c.payload) - {"team", "visit_date"}:
            raise BundleError(_("评估信息更改中有未知字段"), where)
        if c.kind == META:
            _check_day(c.payload.get("visit_date"), where)
    except BundleError:
        raise
    except InspectorError as e:
        raise BundleError(e.message, where) from None
    return None


def _check_veto(payload: dict[str, Any], where: str) -> None:
    """A veto mark's payload as the laptop writes it: ``veto`` true or false, a note of text within
    the laptop's limit (ObservationError, reworded by :func:`check_payload`)."""
    if not isinstance(payload.get("veto"), bool):
        raise BundleError(_("否决项记录应写明 veto: true 或 false"), where)
    note = payload.get("note")
    if note is not None and not isinstance(note, str):
        raise BundleError(_("否决项的备注应为文字"), where)
    if note:
        check_text(note, "note", where)


def _stray(c: Change, rubric: Rubric, where: str) -> HeadValue:
    """A mark on an item or a veto the pinned form lacks (made by an older program, or its clearing):
    kept, as a local store keeps one (history, and the chain it sits in must travel whole), but
    never a point: its head has no section and no points, and the scoring engine refuses the
    evaluation's total and its signing while it is current (:func:`stray_marks` warns of it).
    Its shape is checked as the form's own marks are: a well-formed id, the laptop's limits."""
    assert c.item_id is not None
    # a stray veto is cleared as ``record(…, None)`` clears it (disallowed_marks.clear_mark): an
    # observation kind with no payload on the "veto:" key
    bare = c.item_id.removeprefix(VETO_PREFIX) if c.kind == VETO or c.payload is None else c.item_id
    if not _ID.match(bare):
        raise BundleError(_("更改的小项编号格式不对"), where)
    if c.kind == VETO:
        assert isinstance(c.payload, dict)
        _check_veto(c.payload, where)
        return head_row(rubric, c)
    if c.payload is not None:
        parse_observation(c.payload, where, new=True)
    return None, None, 0


def stray_marks(changes: list[tuple[Change, str]], pinned: Mapping[str, Rubric]) -> list[str]:
    """A warning for each mark in ``changes`` on an item or veto its evaluation's form lacks (the
    member's line, the item): imported, kept and shown, but no total until it is cleared."""
    out = []
    for c, where in changes:
        if c.kind not in (OBSERVE, VETO) or c.payload is None or c.eval_id not in pinned:
            continue
        rubric = pinned[c.eval_id]
        assert c.item_id is not None
        lacks = (
            rubric.veto(c.item_id[len(VETO_PREFIX) :]) is None
            if c.kind == VETO
            else not rubric.has_item(c.item_id)
        )
        if lacks and (c.kind == OBSERVE or c.payload.get("veto")):
            said = _("{where}：评估表 {r} 没有小项 {i}，这条记录已保留但不计分；清除前该评估无总分、不能签署")
            out.append(said.format(where=where, r=rubric.id, i=c.item_id))
    return out


def create_header(c: Change, where: str) -> tuple[str, int, str, dict[str, Any]]:
    """(rubric id, version, hash, org snapshot) of a CREATE change, its shape checked."""
    p = c.payload
    try:
        rubric_id, version, digest, org = p["rubric"], p["rubric_version"], p["rubric_hash"], p["org"]
        ok = (
            isinstance(rubric_id, str)
            and isinstance(version, int)
            and not isinstance(version, bool)
            and isinstance(digest, str)
            and isinstance(org, dict)
            and isinstance(org.get("id"), str)
            and isinstance(org.get("name"), str)
            and (org.get("code") is None or isinstance(org.get("code"), str))
            and p.get("kind") in EVAL_KINDS
            and isinstance(p.get("team", []), list)
        )
    except (KeyError, TypeError):
        ok = False
    if not ok:
        raise BundleError(_("创建评估的更改缺少评估表、机构或类型"), where)
    _check_day(p.get("visit_date"), where)
    return rubric_id, version, digest, org


def _check_day(value: Any, where: str) -> None:
    """A visit day as the laptop's store takes one (EvaluationStore: none, or a text
    ``date.fromisoformat`` reads): a member's crafted "2026-02-30" would otherwise be stored and
    break every desk that reads the plan's period."""
    if value is None:
        return
    try:
        dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        if not_a_real_date(value):
            raise BundleError(_("“{v}”不是真实存在的日期").format(v=value), where) from None
        raise BundleError(_("日期应写成 YYYY-MM-DD"), where) from None


def evidence_refs(c: Change) -> list[str]:
    """The evidence files a change refers to: an observation's photos, a signer's drawn signature."""
    p = c.payload
    if not isinstance(p, dict):
        return []
    if c.kind == OBSERVE:
        refs = []
        for e in p.get("evidence") or []:
            digest = e.get("sha256") if isinstance(e, dict) else e
            if isinstance(digest, str) and SHA256_HEX.match(digest):
                refs.append(digest)
        return refs
    if c.kind == SIGN and isinstance(p.get("signature"), str) and SHA256_HEX.match(p["signature"]):
        return [p["signature"]]
    return []


# --- the other members ----------------------------------------------------------------------------


@lru_cache(maxsize=16)
def _parse_rubric(text: str, name: str) -> Rubric:
    """Parsing a form costs about 20 ms; a thousand bundles carry the same one (rubrics never change)."""
    return parse_rubric_text(text, name)


def read_rubrics(members: dict[str, bytes]) -> dict[tuple[str, int], Rubric]:
    out: dict[tuple[str, int], Rubric] = {}
    for name in sorted(n for n in members if n.startswith("rubrics/")):
        stem = name.removeprefix("rubrics/").removesuffix(".toml")
        rubric_id, _v, version = stem.rpartition("-v")
        try:
            rubric = _parse_rubric(members[name].decode("utf-8"), name)
        except (UnicodeDecodeError, InspectorError) as e:
            raise BundleError(_("评估表文件无效：{e}").format(e=getattr(e, "message", e)), name) from None
        if (rubric.id, rubric.version) != (rubric_id, int(version)):
            raise BundleError(_("评估表的编号或版本与文件名不符"), name)
        out[(rubric.id, rubric.version)] = rubric
    return out


@dataclass(frozen=True)
class OrgEntry:
    id: str
    name: str
    code: str | None
    details: dict[str, Any]


def read_orgs(members: dict[str, bytes]) -> list[OrgEntry]:
    if ORGS not in members:
        return []
    try:
        data = loads(members[ORGS].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BundleError(_("不是有效的 JSON"), ORGS) from None
    if not isinstance(data, list):
        raise BundleError(_("机构列表应为 JSON 数组"), ORGS)
    out = []
    for i, entry in enumerate(data):
        where = f"{ORGS}[{i}]"
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("id"), str)
            or not _ID.match(entry["id"])
            or not isinstance(entry.get("name"), str)
            or not entry["name"].strip()
            or not (entry.get("code") is None or isinstance(entry.get("code"), str))
            or not isinstance(entry.get("details", {}), dict)
        ):
            raise BundleError(_("机构条目缺少编号或名称"), where)
        try:
            details = {
                k: v
                for k, v in clean_register(entry.get("details", {}), where).items()
                if v not in (None, [])
            }
        except InspectorError as e:
            raise BundleError(e.message, e.where or where) from None
        out.append(OrgEntry(entry["id"], entry["name"].strip(), entry.get("code"), details))
    return out


def read_evidence_index(
    members: dict[str, bytes], declared: Mapping[str, Member]
) -> dict[str, dict[str, Any]]:
    files = {n.removeprefix("evidence/") for n in members if n.startswith("evidence/")}
    index = _json(members, EVIDENCE_INDEX) if EVIDENCE_INDEX in members else {}
    if not isinstance(index, dict) or set(index) != files:
        raise BundleError(_("证据索引与证据文件不一致"), EVIDENCE_INDEX)
    for digest, meta in index.items():
        if (
            not isinstance(meta, dict)
            or not isinstance(meta.get("name"), str)
            or not isinstance(meta.get("mime"), str)
        ):
            raise BundleError(_("证据索引条目缺少文件名或类型"), f"{EVIDENCE_INDEX}:{digest[:12]}")
        if meta.get("size") != len(members[f"evidence/{digest}"]):
            raise BundleError(_("证据索引中的大小与文件不符"), f"evidence/{digest}")
    for digest in files:  # the name is the content's hash (checked against the manifest): a path
        if declared[f"evidence/{digest}"].sha256 != digest:
            raise BundleError(_("证据文件的内容与其名称（SHA-256）不符"), f"evidence/{digest}")
    return index


@dataclass(frozen=True)
class PdfEntry:
    eval_id: str
    sha256: str
    name: str
    member: str


def read_pdfs(members: dict[str, bytes], declared: Mapping[str, Member]) -> list[PdfEntry]:
    files = {n for n in members if n.startswith("pdfs/")}
    index = _json(members, PDFS_INDEX) if PDFS_INDEX in members else []
    if not isinstance(index, list):
        raise BundleError(_("PDF 索引应为 JSON 数组"), PDFS_INDEX)
    out = []
    for i, e in enumerate(index):
        if not isinstance(e, dict) or not all(isinstance(e.get(k), str) for k in ("eval", "sha256", "name")):
            raise BundleError(_("PDF 索引条目缺少评估、SHA-256 或文件名"), f"{PDFS_INDEX}[{i}]")
        out.append(PdfEntry(e["eval"], e["sha256"], e["name"], f"pdfs/{e['eval']}/{e['sha256']}.pdf"))
    if {p.member for p in out} != files:
        raise BundleError(_("PDF 索引与 PDF 文件不一致"), PDFS_INDEX)
    for p in out:
        if declared[p.member].sha256 != p.sha256:
            raise BundleError(_("PDF 文件的内容与其名称（SHA-256）不符"), p.member)
    return out


def read_certs(
    members: dict[str, bytes], ca: x509.Certificate, crl: x509.CertificateRevocationList | None, at: Any
) -> list[x509.Certificate]:
    """Team and centre certificates: each must be the CA's, unrevoked and fit for its purpose."""
    out = []
    for name in sorted(n for n in members if n.startswith("certs/")):
        try:
            cert = x509.load_pem_x509_certificate(members[name])
        except ValueError:
            raise BundleError(_("不是有效的证书文件"), name) from None
        if f"certs/{keys.fingerprint(cert)}.pem" != name:
            raise BundleError(_("证书与其文件名（指纹）不符"), name)
        purpose = keys.ENCRYPTION if keys.ID_KP_BUNDLE_ENCRYPTION in _eku(cert) else keys.SIGNING
        problem = certificate_problem(cert, ca, crl, at, purpose)
        if problem:
            raise BundleError(problem, name)
        out.append(cert)
    return out


def _eku(cert: x509.Certificate) -> list[x509.ObjectIdentifier]:
    try:
        return list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    except x509.ExtensionNotFound:
        return []


def read_assignment(members: dict[str, bytes]) -> dict[str, Any] | None:
    if ASSIGNMENT_FILE not in members:
        return None
    data = _json(members, ASSIGNMENT_FILE)
    if not isinstance(data, dict) or not isinstance(data.get("visits"), list):
        raise BundleError(_("派发说明缺少督导任务列表"), ASSIGNMENT_FILE)
    for i, v in enumerate(data["visits"]):
        if (
            not isinstance(v, dict)
            or not isinstance(v.get("eval"), str)
            or not isinstance(v.get("team", []), list)
        ):
            raise BundleError(_("督导任务缺少评估编号"), f"{ASSIGNMENT_FILE}:visits[{i}]")
    return data
