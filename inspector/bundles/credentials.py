"""A supervisor's credentials issued for their card: the certificate ends with the card.

Why here: issuing joins the roster (:mod:`inspector.centre.people`, the card) and the CA
(:mod:`inspector.crypto`), which do not import each other; the bundles layer sits above both.

A signing certificate never outlives the supervisor's card (证卡): a person whose card lapsed is no
longer a supervisor, and a signature made after that must not verify. The certificate runs to the
end of the card's last day in China Standard Time (the card's dates are Beijing dates; the roster
reads the last day as the dispatch does, see :class:`inspector.centre.people.Person`), or less when
``days`` or the CA's own end come first. A renewed card re-issues (``people renew --reissue``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlite_utils

from inspector.centre.people import Person, get_person
from inspector.crypto.identity import IssuedPair, issue_pair, record_issued
from inspector.errors import UsageError
from inspector.i18n import _

BEIJING = dt.timezone(dt.timedelta(hours=8), "CST")


def card_end(person: Person) -> dt.datetime:
    """The last instant of the card's last day, Beijing time (a 届满 date includes the whole day)."""
    last = person.cert_last_day
    return dt.datetime.combine(last, dt.time(23, 59, 59), BEIJING)


def certificate_person_id(person: Person) -> str:
    """The id written in the certificate: the card number when it is plain ASCII, else the roster id."""
    cert_no = person.cert_no
    return cert_no if cert_no.isascii() and cert_no.replace("-", "").isalnum() else person.id


def issue_for_person(
    db: sqlite_utils.Database,
    ca_folder: Path,
    ca_passphrase: str,
    person_id: str,
    passphrase: str,
    *,
    role: str | None = None,
    days: int = 3 * 365,
) -> tuple[Person, IssuedPair]:
    """Issue and record a supervisor's signing and encryption credentials, ending with their card."""
    p = get_person(db, person_id)
    end = card_end(p)
    if end <= dt.datetime.now(dt.UTC):
        raise UsageError(
            _("{name} 的证卡已于 {day} 到期，不能签发证书：请先换发证卡").format(
                name=p.name, day=p.cert_last_day.isoformat()
            ),
            p.id,
        )
    title = role or ("外督" if p.kind == "external" else "内督")
    pair = issue_pair(
        ca_folder,
        ca_passphrase,
        p.name,
        certificate_person_id(p),
        title,
        passphrase,
        valid_days=days,
        not_after=end,
    )
    record_issued(db, pair, p.id)
    return p, pair


STATION_DAYS = 366  # a self-assessment is yearly: the representative's credential lasts one round


def issue_for_station(
    db: sqlite_utils.Database,
    ca_folder: Path,
    ca_passphrase: str,
    org_id: str,
    representative: str,
    passphrase: str,
    *,
    days: int = STATION_DAYS,
) -> IssuedPair:
    """Issue and record a station representative's credentials (issue 19): the certificate's title
    is the station role and its id the organisation's register id (``org:`` + id), so that whatever
    it signs speaks for that station only (:mod:`inspector.bundles.authority`, rule ``station``)."""
    from inspector.crypto.identity import ORG_PREFIX, STATION_ROLE
    from inspector.store.orgs import get_org

    org = get_org(db, org_id)
    name = representative.strip()
    if not name:
        raise UsageError(_("请写明鉴定站（所）代表的姓名"))
    person = f"{ORG_PREFIX}{org['id']}"
    pair = issue_pair(ca_folder, ca_passphrase, name, person, STATION_ROLE, passphrase, valid_days=days)
    record_issued(db, pair, person)
    return pair
