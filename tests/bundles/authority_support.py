"""A centre, two teams and an outsider CA, for the hostile-bundle suite (who may change what).

Team 1 is tests.bundle_support's world (three laptops, one inspection of station A). Team 2 is one
more supervisor with her own laptop, dispatched to station B. Station C is on the register and was
never dispatched. The outsider runs a CA of its own. Built once per session, copied per test.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from inspector.bundles.export import export_bundle
from inspector.bundles.format import CHANGES
from inspector.bundles.importer import ImportReport, import_bundle
from inspector.centre.people import add_person
from inspector.clock import now
from inspector.crypto import keys
from inspector.crypto.identity import Keyring, issue_pair, load_identity, record_issued, unlock_identity
from inspector.store.changes import GENESIS, Change, canonical
from inspector.store.db import DB_NAME
from inspector.store.orgs import add_org
from tests.bundle_support import CA_PASS, RUBRIC, World, build_world, copy_world, craft, write_members

PIN_B = "444444"
NAME_B = "赵敏"
OUTSIDER_PASS = "outsider-secret"


@dataclass
class Teams:
    w: World
    laptop_b: Path
    eval_b: str
    org_b: str
    org_c: str
    person_b: str
    outsider: Path  # the outsider's CA folder

    def keyring(self, folder: Path) -> Keyring:
        if folder == self.laptop_b:
            return unlock_identity(folder, PIN_B)
        return self.w.keyring(folder)

    def results(self, frm: Path, to: str | None = None, **kw: Any) -> Path:
        out = self.w.path("results")
        export_bundle(self.w.db(frm), frm, self.keyring(frm), "results", out, to=to, **kw)
        return out

    def import_(self, into: Path, bundle: Path) -> ImportReport:
        return import_bundle(self.w.db(into), into, bundle, keyring=self.keyring(into))

    def send(
        self,
        frm: Path,
        into: Path,
        changes: Sequence[Change],
        *,
        device: str,
        members: dict[str, bytes] | None = None,
        manifest_edit: Any = None,
    ) -> Path:
        """A hand-made results bundle carrying ``changes``, signed with ``frm``'s real key."""
        ident = load_identity(into)
        assert ident is not None and ident.encryption is not None
        inner = {CHANGES: lines(changes), **(members or {})}
        made = craft(self.keyring(frm), ident.encryption, inner, device=device, manifest_edit=manifest_edit)
        return write_members(self.w.path("crafted"), made)

    def device(self, folder: Path) -> str:
        return self.w.store(folder).device  # made on first use

    def tip(self, folder: Path, eval_id: str, device: str) -> tuple[int, str]:
        row = (
            self.w.db(folder)
            .conn.execute(
                "SELECT device_seq, hash FROM changes WHERE eval_id = ? AND device_id = ?"
                " ORDER BY device_seq DESC LIMIT 1",
                (eval_id, device),
            )
            .fetchone()
        )
        return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def change(
    eval_id: str,
    kind: str,
    item: str | None,
    payload: Any,
    *,
    device: str,
    seq: int = 1,
    prev: str = GENESIS,
    parents: Sequence[str] = (),
    author: str = "测试",
    wall: str | None = None,
) -> Change:
    return Change(
        uuid.uuid4().hex,
        eval_id,
        item,
        kind,
        payload,
        tuple(parents),
        author,
        device,
        seq,
        wall or now(),
        prev,
    ).sealed()


def chain(*made: Change) -> list[Change]:
    """Re-link changes of one device in order (seq 1.., prev_hash), keeping everything else."""
    out: list[Change] = []
    prev, seq = made[0].prev_hash, made[0].device_seq
    for c in made:
        fields = {**c.hashed_fields(), "parents": c.parents, "device_seq": seq, "prev_hash": prev}
        sealed = Change(**fields).sealed()
        out.append(sealed)
        prev, seq = sealed.hash, seq + 1
    return out


def lines(changes: Sequence[Change]) -> bytes:
    return b"".join(canonical(c.to_json()).encode("utf-8") + b"\n" for c in changes)


def minutes_ago(n: float) -> str:
    return (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=n)).astimezone().isoformat(timespec="milliseconds")


def build_teams(root: Path) -> Teams:
    w = build_world(root)
    centre = w.centre
    db = w.db(centre)
    org_b = add_org(db, "绵阳市测试职业技能鉴定所", "12510700TEST0002")["id"]
    org_c = add_org(db, "宜宾市未派督导的鉴定所", "12511500TEST0003")["id"]
    person = add_person(db, name=NAME_B, kind="external", cert_no="510000201903", cert_issued="2024-03-15")
    record_issued(db, issue_pair(centre / "ca", CA_PASS, NAME_B, person.cert_no, "外督", PIN_B), person.id)
    store = w.store(centre, "省鉴定中心")
    team = [{"name": NAME_B, "role": "组长", "person_id": person.id, "sections": ["1"]}]
    e = store.create(RUBRIC, org_b, "inspection", visit_date="2026-12-02", team=team)
    laptop_b = root / "laptop-b"
    out = w.path("assignment-b")
    export_bundle(db, centre, w.keyring(centre), "assignment", out, eval_ids=[e.id], to=person.id)
    import_bundle(w.db(laptop_b), laptop_b, out, passphrase=PIN_B, ca_fingerprint=w.ca_fingerprint)
    outsider = root / "outsider-ca"
    keys.init_ca(outsider, "伪造的指导中心", OUTSIDER_PASS)
    w.close()
    for db_path in root.rglob(DB_NAME):
        conn = sqlite3.connect(db_path)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
    return Teams(w, laptop_b, e.id, org_b, org_c, person.id, outsider)


@pytest.fixture(scope="session")
def teams_template(tmp_path_factory: pytest.TempPathFactory) -> Teams:
    return build_teams(tmp_path_factory.mktemp("two-teams"))


@pytest.fixture
def teams(teams_template: Teams, tmp_path: Path) -> Iterator[Teams]:
    t = teams_template
    w = copy_world(t.w, tmp_path)
    shutil.copytree(t.laptop_b, tmp_path / t.laptop_b.name)
    shutil.copytree(t.outsider, tmp_path / t.outsider.name)
    copy = Teams(
        w, tmp_path / t.laptop_b.name, t.eval_b, t.org_b, t.org_c, t.person_b, tmp_path / t.outsider.name
    )
    yield copy
    w.close()
