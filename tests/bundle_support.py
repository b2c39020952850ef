"""A centre and a team of three laptops with real keys, for the bundle tests.

Built once per session (a CA, credentials, an inspection with its self-assessment, an assignment
bundle imported on each laptop) and copied for every test.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import shutil
import sqlite3
import uuid
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from inspector.bundles.container import write_container
from inspector.bundles.export import export_bundle
from inspector.bundles.format import (
    CHANGES,
    ENCRYPTION,
    FORMAT,
    MANIFEST,
    PAYLOAD,
    SENDER,
    SIGNATURE,
    build_inner,
    encrypt_payload,
    manifest_bytes,
    sign,
)
from inspector.bundles.importer import ImportReport, import_bundle
from inspector.centre.people import add_person
from inspector.centre.register import set_register
from inspector.crypto.identity import (
    Keyring,
    init_centre,
    issue_pair,
    load_identity,
    record_issued,
    unlock_identity,
)
from inspector.crypto.keys import fingerprint
from inspector.folder import open_folder
from inspector.store.changes import canonical
from inspector.store.db import DB_NAME
from inspector.store.evaluations import EvaluationStore
from inspector.store.orgs import add_org
from inspector.store.rubrics import install_builtin_rubrics
from tests.pg_support import database_rows

CA_PASS = "centre-secret"
CENTRE_NAME = "四川省职业技能鉴定指导中心"
PINS = ("111111", "222222", "333333")
NAMES = ("张建国", "李秀英", "王志强")
RUBRIC = "sichuan-2017-inspection"


@dataclass
class World:
    root: Path
    centre: Path
    laptops: list[Path]
    eval_id: str
    self_id: str
    org_id: str
    people: list[str]
    _dbs: dict[Path, sqlite_utils.Database] = field(default_factory=dict)
    _keys: dict[Path, Keyring] = field(default_factory=dict)
    _n: int = 0

    @property
    def ca_fingerprint(self) -> str:
        """The fingerprint the centre prints on each assignment slip."""
        identity = load_identity(self.centre)
        assert identity is not None
        return fingerprint(identity.ca)

    def db(self, folder: Path) -> sqlite_utils.Database:
        if folder not in self._dbs:
            self._dbs[folder] = open_folder(folder)
            install_builtin_rubrics(self._dbs[folder])
        return self._dbs[folder]

    def store(self, folder: Path, author: str = "测试") -> EvaluationStore:
        return EvaluationStore(self.db(folder), author)

    def keyring(self, folder: Path) -> Keyring:
        if folder not in self._keys:
            secret = CA_PASS if folder == self.centre else PINS[self.laptops.index(folder)]
            self._keys[folder] = unlock_identity(folder, secret)
        return self._keys[folder]

    def path(self, name: str = "b") -> Path:
        self._n += 1
        return self.root / "stick" / f"{self._n:03d}-{name}.inspbundle"

    def results(self, frm: Path, to: str | None = None, **kw: Any) -> Path:
        out = self.path("results")
        export_bundle(self.db(frm), frm, self.keyring(frm), "results", out, to=to, **kw)
        return out

    def import_(self, into: Path, bundle: Path) -> ImportReport:
        return import_bundle(self.db(into), into, bundle, keyring=self.keyring(into))

    def close(self) -> None:
        for db in self._dbs.values():
            db.conn.close()
        self._dbs.clear()


def build_world(root: Path) -> World:
    centre = root / "centre"
    db = open_folder(centre)
    install_builtin_rubrics(db)
    init_centre(centre, centre / "ca", CENTRE_NAME, CA_PASS)
    org = add_org(db, "成都市测试职业技能鉴定所", "12510100TEST0001")
    set_register(
        db, org["id"], {"category": "A", "region": "成都市", "equipment": [{"name": "车床", "quantity": 2}]}
    )
    people = []
    for i, name in enumerate(NAMES):
        p = add_person(db, name=name, kind="external", cert_no=f"5100002019{i:02d}", cert_issued="2024-03-15")
        record_issued(db, issue_pair(centre / "ca", CA_PASS, name, p.cert_no, "外督", PINS[i]), p.id)
        people.append(p.id)
    store = EvaluationStore(db, "省鉴定中心")
    own = store.create(RUBRIC, org["id"], "self", visit_date="2026-11-01")
    store.record(own.id, "1.1.1", {"met": True})
    store.record(own.id, "4.1.1", {"problems": 0})
    team = [
        {"name": NAMES[i], "role": "组长" if i == 0 else "组员", "person_id": people[i], "sections": s}
        for i, s in enumerate((["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"]))
    ]
    e = store.create(RUBRIC, org["id"], "inspection", visit_date="2026-12-01", team=team)
    world = World(root, centre, [root / f"laptop{i + 1}" for i in range(3)], e.id, own.id, org["id"], people)
    world._dbs[centre] = db
    for i, laptop in enumerate(world.laptops):
        out = world.path("assignment")
        export_bundle(db, centre, world.keyring(centre), "assignment", out, eval_ids=[e.id], to=people[i])
        ldb = world.db(laptop)
        import_bundle(ldb, laptop, out, passphrase=PINS[i], ca_fingerprint=world.ca_fingerprint)
    world.close()
    for db_path in root.rglob(DB_NAME):
        conn = sqlite3.connect(db_path)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
    return world


@pytest.fixture(scope="session")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(tmp_path_factory.mktemp("bundle-world"))


def copy_world(template: World, root: Path) -> World:
    for folder in (template.centre, *template.laptops):
        shutil.copytree(folder, root / folder.name)
    (root / "stick").mkdir(exist_ok=True)
    return World(
        root,
        root / template.centre.name,
        [root / p.name for p in template.laptops],
        template.eval_id,
        template.self_id,
        template.org_id,
        template.people,
        _n=100,
    )


@pytest.fixture
def world(world_template: World, tmp_path: Path) -> Iterator[World]:
    w = copy_world(world_template, tmp_path)
    yield w
    w.close()


# --- the state of a folder, to compare ---------------------------------------------------------------


def dump(folder: Path) -> dict[str, Any]:
    """Every row of every table (sorted), and every file outside the database with its SHA-256."""
    out: dict[str, Any] = dict(database_rows(folder))  # its SQLite file, or its database on the server
    files = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.name.startswith(DB_NAME):
            files[str(p.relative_to(folder))] = hashlib.sha256(p.read_bytes()).hexdigest()
    out["<files>"] = files
    return out


def state(store: EvaluationStore, eval_id: str) -> dict[str, Any]:
    """What a user sees of an evaluation: its changes, current values, rivals, score."""
    current = store.current(eval_id)
    return {
        "changes": sorted(c.hash for c in store.changes(eval_id)),
        "current": {i: (cur.change.id, sorted(r.id for r in cur.rivals)) for i, cur in current.items()},
        "state": store.get(eval_id).state,
        "conflicts": store.get(eval_id).conflicts,
        "total": str(store.report(eval_id).total),
    }


# --- hand-made bundles, signed with a real key (hostile senders) --------------------------------------


def craft(
    keyring: Keyring,
    recipient_certificate: Any,
    members: dict[str, bytes],
    *,
    kind: str = "results",
    manifest_edit: Callable[[dict[str, Any]], None] | None = None,
    inner: bytes | None = None,
    device: str = "f" * 32,
) -> list[tuple[str, bytes]]:
    """A bundle made by the rules except where the test bends them; signed by ``keyring``."""
    bundle = str(uuid.uuid4())
    plain = inner if inner is not None else build_inner(members)
    payload = encrypt_payload(plain, recipient_certificate, bundle, kind)
    ident = keyring.identity
    assert ident.encryption is not None
    chain = b"".join(
        c.public_bytes(__import__("cryptography").hazmat.primitives.serialization.Encoding.PEM)
        for c in (ident.signing, ident.encryption, ident.ca)
    )
    changes = [line for line in members.get(CHANGES, b"").split(b"\n") if line]
    evals = sorted({__import__("json").loads(line)["eval_id"] for line in changes})
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "bundle": bundle,
        "kind": kind,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
        "sender": {
            "name": ident.name,
            "certificate": fingerprint(ident.signing),
            "encryption_certificate": fingerprint(ident.encryption),
            "serial": format(ident.signing.serial_number, "X"),
            "device": device,
        },
        "recipient": {"name": "x", "certificate": fingerprint(recipient_certificate)},
        "counts": {
            "evaluations": len(evals),
            "changes": len(changes),
            "evidence": sum(n.startswith("evidence/") for n in members),
            "rubrics": sum(n.startswith("rubrics/") for n in members),
            "orgs": 0,
            "pdfs": sum(n.startswith("pdfs/") for n in members),
            "certificates": sum(n.startswith("certs/") for n in members),
            "credentials": 0,
        },
        "evaluations": evals,
        "full": True,
        "since": [],
        "payload": {
            "name": PAYLOAD,
            "encryption": ENCRYPTION,
            "sha256": hashlib.sha256(payload).hexdigest(),
            "size": len(payload),
            "members": {
                n: {"sha256": hashlib.sha256(b).hexdigest(), "size": len(b)}
                for n, b in sorted(members.items())
            },
        },
        "outer": {SENDER: {"sha256": hashlib.sha256(chain).hexdigest(), "size": len(chain)}},
    }
    if manifest_edit is not None:
        manifest_edit(manifest)
    raw = manifest_bytes(manifest)
    return [(MANIFEST, raw), (SIGNATURE, sign(keyring.signing_key, raw)), (SENDER, chain), (PAYLOAD, payload)]


def write_members(path: Path, members: list[tuple[str, bytes]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        write_container(f, members)
    return path


def zip_of(entries: list[tuple[str, bytes, int]]) -> bytes:
    """An inner ZIP with the given (name, data, compress_type) entries, duplicates allowed."""
    out = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w") as z:
        warnings.simplefilter("ignore")  # "Duplicate name": that is the point of some tests
        for name, data, method in entries:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = method
            z.writestr(info, data)
    return out.getvalue()


def change_lines(store: EvaluationStore, eval_id: str) -> bytes:
    return b"".join(canonical(c.to_json()).encode() + b"\n" for c in store.changes(eval_id))


def signed_pdf(world: World, laptop: Path, text: str = "总分：98 分  结论：合格") -> bytes:
    """A real one-page PDF signed (PAdES, invisible) with the laptop's own credential."""
    from reportlab.pdfgen import canvas

    from inspector.crypto import keys, pdfsign

    buf = io.BytesIO()
    page = canvas.Canvas(buf, invariant=1)
    page.drawString(72, 760, text.encode("ascii", "replace").decode())
    page.showPage()
    page.save()
    secret = CA_PASS if laptop == world.centre else PINS[world.laptops.index(laptop)]
    signer = keys.load_signer(laptop, secret)
    return pdfsign.sign_pdf(
        buf.getvalue(),
        signer,
        name=keys.common_name(signer.certificate.subject),
        role="组长",
        reason="确认评估结果",
        location="成都市",
        field_name="sig1",
    )
