"""The data folder's one SQLite database: opening it safely and migrating its schema.

The schema is versioned with ``PRAGMA user_version``; :data:`MIGRATIONS` are applied in order, each
in its own transaction, so a database made by any earlier version of the product upgrades in place.
A database from a *newer* version is refused rather than damaged. Every connection runs WAL (the
rollback journal on a network share, where WAL must not be used) with ``synchronous=FULL`` (a commit
is on disk before it returns) and foreign keys on.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, cast

from inspector.errors import StoreError
from inspector.i18n import _, os_reason

if TYPE_CHECKING:  # imported when first used (inspector.store.lazy_db): 12 MB with its dependencies
    import sqlite_utils

DB_NAME = "inspector.sqlite3"
SERVER_ENV = "INSPECTOR_DB"
SERVER_FILE = "server.url"

Migration = Callable[[sqlite3.Connection], None]


def _m001_rubrics(conn: sqlite3.Connection) -> None:
    conn.execute(
        """
        CREATE TABLE rubrics (
            id TEXT NOT NULL,
            version INTEGER NOT NULL,
            hash TEXT NOT NULL,
            title TEXT NOT NULL,
            max_points TEXT NOT NULL,
            bonus_points TEXT NOT NULL,
            items INTEGER NOT NULL,
            toml TEXT NOT NULL,
            origin TEXT NOT NULL,
            imported_at TEXT NOT NULL,
            PRIMARY KEY (id, version)
        )
        """
    )
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


def _script(conn: sqlite3.Connection, script: str) -> None:
    """Run several statements inside the caller's transaction.

    ``executescript`` would COMMIT first, breaking the one-transaction-per-migration rule.
    """
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            conn.execute(buffer)
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete SQL statement: {buffer!r}")


def _m002_evaluations(conn: sqlite3.Connection) -> None:
    _script(
        conn,
        """
        CREATE TABLE orgs (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            code TEXT UNIQUE,
            details TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL
        );
        -- The log: append-only (the triggers refuse any UPDATE or DELETE) and hash-chained.
        -- Clustered by evaluation and chain (WITHOUT ROWID, no secondary index): a record touches
        -- few pages, which is what a durable commit pays for. device_seq counts one device's
        -- changes to one evaluation; (eval, device, seq) is unique, and so is the UUID by birth.
        CREATE TABLE changes (
            eval_id TEXT NOT NULL,
            device_id TEXT NOT NULL,
            device_seq INTEGER NOT NULL,
            id TEXT NOT NULL,
            item_id TEXT,
            kind TEXT NOT NULL,
            payload TEXT,
            parents TEXT NOT NULL,
            author TEXT NOT NULL,
            wall_time TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL,
            received_at TEXT NOT NULL,
            PRIMARY KEY (eval_id, device_id, device_seq)
        ) WITHOUT ROWID;
        CREATE TRIGGER changes_append_only_update BEFORE UPDATE ON changes
            BEGIN SELECT RAISE(ABORT, 'changes are append-only'); END;
        CREATE TRIGGER changes_append_only_delete BEFORE DELETE ON changes
            BEGIN SELECT RAISE(ABORT, 'changes are append-only'); END;
        -- Derived from the log (rebuildable): which change supersedes which, the current head(s)
        -- of every item, and one row per evaluation.
        CREATE TABLE supersedes (
            parent_id TEXT NOT NULL,
            child_id TEXT NOT NULL,
            PRIMARY KEY (parent_id, child_id)
        ) WITHOUT ROWID;
        CREATE TABLE evaluations (
            id TEXT PRIMARY KEY,
            rubric_id TEXT NOT NULL,
            rubric_version INTEGER NOT NULL,
            rubric_hash TEXT NOT NULL,
            org_id TEXT NOT NULL REFERENCES orgs (id),
            kind TEXT NOT NULL,
            visit_date TEXT,
            team TEXT NOT NULL DEFAULT '[]',
            revision INTEGER NOT NULL DEFAULT 1,
            previous_id TEXT,
            amend_reason TEXT,
            items INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            signed_at TEXT
        );
        CREATE INDEX evaluations_by_org ON evaluations (org_id);
        CREATE TABLE heads (
            eval_id TEXT NOT NULL,
            item_id TEXT NOT NULL,
            change_id TEXT NOT NULL,
            device_id TEXT NOT NULL,
            device_seq INTEGER NOT NULL,
            section TEXT,
            points_c INTEGER,
            answered INTEGER NOT NULL,
            winner INTEGER NOT NULL,
            PRIMARY KEY (eval_id, item_id, change_id)
        ) WITHOUT ROWID;
        CREATE TABLE evidence (
            sha256 TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            name TEXT NOT NULL,
            mime TEXT NOT NULL,
            added_at TEXT NOT NULL
        );
        CREATE TABLE ui_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        """,
    )


def _m003_centre(conn: sqlite3.Connection) -> None:
    """The centre's desk: roster, plans, the published dispatch records, rectifications.

    Dates are ISO text (YYYY-MM-DD). The register's fields live in ``orgs.details`` (JSON,
    checked by inspector.centre.register), so this migration adds no column to ``orgs``.
    """
    _script(
        conn,
        """
        -- The roster of supervisors (质量督导员). cert_valid_until is the last valid day when the card
        -- prints one; NULL means the three-year term read in inspector.centre.dispatch.certificate_last_day.
        -- active = 0: suspended or dismissed (福建办法 第二章八), left out of every dispatch.
        CREATE TABLE people (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('internal', 'external')),
            cert_no TEXT NOT NULL UNIQUE,
            cert_issued TEXT NOT NULL,
            cert_valid_until TEXT,
            employer_org TEXT REFERENCES orgs (id),
            phone TEXT,
            active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
            inactive_reason TEXT,
            created_at TEXT NOT NULL,
            CHECK (cert_valid_until IS NULL OR cert_valid_until >= cert_issued)
        );
        CREATE INDEX people_by_employer ON people (employer_org);
        -- Where a person acts as internal supervisor, assessor or exam staff: grounds for recusal.
        CREATE TABLE person_roles (
            person_id TEXT NOT NULL REFERENCES people (id),
            org_id TEXT NOT NULL REFERENCES orgs (id),
            role TEXT NOT NULL CHECK (role IN ('internal_supervisor', 'assessor', 'exam_staff')),
            PRIMARY KEY (person_id, org_id, role)
        ) WITHOUT ROWID;
        CREATE INDEX person_roles_by_org ON person_roles (org_id);
        -- A campaign: one rubric, one kind (routine 日常 / special 专项), one organisation at most once.
        CREATE TABLE plans (
            id TEXT PRIMARY KEY,
            rubric_id TEXT NOT NULL,
            title TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('routine', 'special')),
            year INTEGER NOT NULL,
            region TEXT,
            starts TEXT,
            ends TEXT,
            created_at TEXT NOT NULL,
            CHECK (starts IS NULL OR ends IS NULL OR starts <= ends)
        );
        -- state is what the centre decides (planned, dispatched, cancelled); the progress of the
        -- visit itself (draft, complete, signed) is read from the linked evaluation, never copied.
        CREATE TABLE plan_targets (
            plan_id TEXT NOT NULL REFERENCES plans (id),
            org_id TEXT NOT NULL REFERENCES orgs (id),
            visit_date TEXT,
            state TEXT NOT NULL DEFAULT 'planned' CHECK (state IN ('planned', 'dispatched', 'cancelled')),
            eval_id TEXT REFERENCES evaluations (id),
            added_at TEXT NOT NULL,
            PRIMARY KEY (plan_id, org_id)
        ) WITHOUT ROWID;
        CREATE INDEX plan_targets_by_org ON plan_targets (org_id);
        -- The published record of one draw ("双随机、一公开"): the seed, the roster with the
        -- histories the rules saw, the targets, every team and the pool it was drawn from. Never
        -- changed afterwards: anyone can re-run the draw from it.
        CREATE TABLE dispatches (
            id TEXT PRIMARY KEY,
            plan_id TEXT NOT NULL REFERENCES plans (id),
            seed TEXT NOT NULL,
            team_size INTEGER NOT NULL CHECK (team_size >= 1),
            kind_required TEXT CHECK (kind_required IN ('internal', 'external')),
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            record TEXT NOT NULL
        );
        CREATE INDEX dispatches_by_plan ON dispatches (plan_id);
        CREATE TRIGGER dispatches_published_update BEFORE UPDATE ON dispatches
            BEGIN SELECT RAISE(ABORT, 'a published dispatch record is never changed'); END;
        CREATE TRIGGER dispatches_published_delete BEFORE DELETE ON dispatches
            BEGIN SELECT RAISE(ABORT, 'a published dispatch record is never changed'); END;
        -- The same teams, queryable: who went where and when (histories, rotation, the roster).
        -- A withdrawn assignment (a supervisor fell ill, the visit was called off) keeps its row.
        CREATE TABLE assignments (
            dispatch_id TEXT NOT NULL REFERENCES dispatches (id),
            plan_id TEXT NOT NULL,
            org_id TEXT NOT NULL,
            visit_date TEXT NOT NULL,
            record_due TEXT,
            withdrawn_at TEXT,
            withdrawn_reason TEXT,
            PRIMARY KEY (dispatch_id, org_id),
            FOREIGN KEY (plan_id, org_id) REFERENCES plan_targets (plan_id, org_id)
        ) WITHOUT ROWID;
        CREATE INDEX assignments_by_target ON assignments (plan_id, org_id);
        CREATE TABLE assignment_members (
            dispatch_id TEXT NOT NULL,
            org_id TEXT NOT NULL,
            person_id TEXT NOT NULL REFERENCES people (id),
            position INTEGER NOT NULL,
            PRIMARY KEY (dispatch_id, org_id, person_id),
            FOREIGN KEY (dispatch_id, org_id) REFERENCES assignments (dispatch_id, org_id)
        ) WITHOUT ROWID;
        CREATE INDEX assignment_members_by_person ON assignment_members (person_id);
        -- The centre's evaluation of a supervisor after each task (郑州办法 第十一条) and the
        -- annual assessment (第十条).
        CREATE TABLE person_reviews (
            id TEXT PRIMARY KEY,
            person_id TEXT NOT NULL REFERENCES people (id),
            plan_id TEXT REFERENCES plans (id),
            org_id TEXT REFERENCES orgs (id),
            eval_id TEXT REFERENCES evaluations (id),
            task_date TEXT NOT NULL,
            rating TEXT NOT NULL CHECK (rating IN ('excellent', 'good', 'pass', 'fail')),
            violation INTEGER NOT NULL DEFAULT 0 CHECK (violation IN (0, 1)),
            comment TEXT,
            reviewer TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX person_reviews_by_person ON person_reviews (person_id, task_date);
        CREATE TABLE person_annual (
            person_id TEXT NOT NULL REFERENCES people (id),
            year INTEGER NOT NULL,
            result TEXT NOT NULL CHECK (result IN ('excellent', 'pass', 'basic', 'fail')),
            comment TEXT,
            assessed_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (person_id, year)
        ) WITHOUT ROWID;
        -- 整改: the notice, its deadline, the re-evaluation and the close.
        CREATE TABLE rectifications (
            id TEXT PRIMARY KEY,
            org_id TEXT NOT NULL REFERENCES orgs (id),
            eval_id TEXT NOT NULL REFERENCES evaluations (id),
            plan_id TEXT REFERENCES plans (id),
            notice_no TEXT,
            notice_sent TEXT NOT NULL,
            deadline TEXT NOT NULL,
            recheck_eval_id TEXT REFERENCES evaluations (id),
            closed_on TEXT,
            result TEXT CHECK (result IN ('passed', 'failed')),
            note TEXT,
            created_at TEXT NOT NULL,
            CHECK (notice_sent <= deadline),
            CHECK ((closed_on IS NULL) = (result IS NULL))
        );
        CREATE INDEX rectifications_by_eval ON rectifications (eval_id);
        CREATE INDEX rectifications_by_plan ON rectifications (plan_id);
        """,
    )


def _m004_bundles(conn: sqlite3.Connection) -> None:
    """USB sync bundles: what went out and came in, what each recipient already holds, whom we know.

    This folder's own identity (its keys and role) stays in ``keys/`` as :mod:`inspector.crypto.keys`
    keeps it: the role is read from the installed certificate (the centre's carries the centre's
    purpose), so it cannot disagree with the key that acts on it.
    """
    _script(
        conn,
        """
        -- Every bundle written here or taken in. A refused bundle leaves no row: it changed nothing.
        -- Importing a bundle whose id is here already changes nothing ("已导入过").
        CREATE TABLE bundles (
            id TEXT PRIMARY KEY,
            direction TEXT NOT NULL CHECK (direction IN ('export', 'import')),
            kind TEXT NOT NULL CHECK (kind IN ('assignment', 'results')),
            sender TEXT NOT NULL,
            recipient TEXT NOT NULL,
            created TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            counts TEXT NOT NULL,
            outcome TEXT NOT NULL,
            file TEXT
        );
        -- What a recipient (its encryption certificate's fingerprint) already holds: per chain
        -- (evaluation, device) the highest device_seq sent to it or received from it. Chains are
        -- contiguous from 1, so the mark says "1..seq". ``--full`` ignores the marks.
        CREATE TABLE bundle_marks (
            recipient TEXT NOT NULL,
            eval_id TEXT NOT NULL,
            device_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            PRIMARY KEY (recipient, eval_id, device_id)
        ) WITHOUT ROWID;
        -- Evidence files and signed PDFs a recipient already holds (by SHA-256).
        CREATE TABLE bundle_files (
            recipient TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            PRIMARY KEY (recipient, sha256)
        ) WITHOUT ROWID;
        -- Certificates of others this folder may address or hear from: the centre, the team (from
        -- assignment bundles), everyone the centre issued. pair: the same person's other certificate.
        CREATE TABLE peers (
            fingerprint TEXT PRIMARY KEY,
            purpose TEXT NOT NULL CHECK (purpose IN ('signing', 'encryption')),
            pair TEXT,
            person_id TEXT,
            roster_id TEXT,
            name TEXT NOT NULL,
            role TEXT,
            centre INTEGER NOT NULL DEFAULT 0 CHECK (centre IN (0, 1)),
            serial TEXT NOT NULL,
            not_after TEXT NOT NULL,
            pem TEXT NOT NULL,
            added_at TEXT NOT NULL
        );
        CREATE INDEX peers_by_roster ON peers (roster_id);
        -- At the centre: the credentials it issued, still encrypted with the person's passphrase,
        -- to be carried to the person's laptop in an assignment bundle.
        CREATE TABLE credentials (
            serial TEXT PRIMARY KEY,
            roster_id TEXT,
            person_id TEXT NOT NULL,
            name TEXT NOT NULL,
            signing TEXT NOT NULL,
            encryption TEXT NOT NULL,
            signing_p12 BLOB NOT NULL,
            encryption_p12 BLOB NOT NULL,
            issued_at TEXT NOT NULL,
            not_after TEXT NOT NULL,
            revoked_at TEXT
        );
        CREATE INDEX credentials_by_roster ON credentials (roster_id);
        -- The centre's register data of an organisation, as of the assignment bundle made at
        -- ``created``: an older bundle arriving later never overwrites a newer register.
        CREATE TABLE register_marks (
            org_id TEXT PRIMARY KEY,
            created TEXT NOT NULL
        );
        """,
    )


def _m005_cards(conn: sqlite3.Connection) -> None:
    _script(
        conn,
        """
        -- A supervisor's earlier cards (质量督导员证卡): when a card is renewed (every three years) or
        -- corrected, the one it replaces is kept here with who, when and why; people holds the current.
        CREATE TABLE person_cards (
            person_id TEXT NOT NULL REFERENCES people (id),
            cert_no TEXT NOT NULL,
            cert_issued TEXT NOT NULL,
            cert_valid_until TEXT,
            replaced_at TEXT NOT NULL,
            replaced_by TEXT NOT NULL,
            reason TEXT NOT NULL
        );
        CREATE INDEX person_cards_by_person ON person_cards (person_id, replaced_at);
        CREATE INDEX person_cards_by_no ON person_cards (cert_no);
        """,
    )


def _m006_authority(conn: sqlite3.Connection) -> None:
    """Who may change what (docs/bundle-format.md): whose device a chain is, and the changes held apart."""
    _script(
        conn,
        """
        -- A data folder (device) belongs to one person: bound when a signed manifest first names it
        -- as its sender's folder (sender.device), or, for the centre, when an assignment does. person
        -- is a roster id, or CENTRE. A re-issued credential of the same person continues the binding.
        CREATE TABLE device_owners (
            device_id TEXT PRIMARY KEY,
            person TEXT NOT NULL,
            bound_at TEXT NOT NULL,
            bundle TEXT
        );
        -- Changes that arrived outside the rules: kept here, never in the log, until the centre (or
        -- the laptop's user) accepts or rejects each one explicitly. A change is held at most once.
        CREATE TABLE held_changes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            eval_id TEXT NOT NULL,
            device_id TEXT NOT NULL,
            device_seq INTEGER NOT NULL,
            change_id TEXT NOT NULL,
            hash TEXT NOT NULL,
            change TEXT NOT NULL,
            rule TEXT NOT NULL,
            reason TEXT NOT NULL,
            bundle TEXT NOT NULL,
            sender TEXT NOT NULL,
            held_at TEXT NOT NULL,
            decision TEXT CHECK (decision IN ('accepted', 'rejected')),
            decided_at TEXT,
            decided_by TEXT,
            decision_reason TEXT,
            UNIQUE (eval_id, device_id, device_seq)
        );
        CREATE INDEX held_changes_open ON held_changes (decision, eval_id);
        """,
    )


def _m007_rulebooks(conn: sqlite3.Connection) -> None:
    """Each jurisdiction's rules as its own rulebook (inspector.centre.rulebooks).

    A plan made before keeps ``rulebook_hash`` NULL: it reads the rulebook shipped for its rubric
    until its next draw pins one. Published draw records are not touched: one without a rulebook
    is verified under the rules it was drawn with (DrawRules.legacy).
    """
    _script(
        conn,
        """
        -- Every rulebook a plan has named, by the SHA-256 of its resolved content; never changed,
        -- so a draw record's hash always finds the rules it ran under.
        CREATE TABLE rulebooks (
            hash TEXT PRIMARY KEY,
            id TEXT NOT NULL,
            title TEXT NOT NULL,
            origin TEXT NOT NULL CHECK (origin IN ('shipped', 'centre')),
            content TEXT NOT NULL,
            source TEXT,
            added_at TEXT NOT NULL,
            added_by TEXT NOT NULL
        );
        CREATE INDEX rulebooks_by_id ON rulebooks (id, added_at);
        CREATE TRIGGER rulebooks_kept_update BEFORE UPDATE ON rulebooks
            BEGIN SELECT RAISE(ABORT, 'a stored rulebook is never changed'); END;
        CREATE TRIGGER rulebooks_kept_delete BEFORE DELETE ON rulebooks
            BEGIN SELECT RAISE(ABORT, 'a stored rulebook is never changed'); END;
        ALTER TABLE plans ADD COLUMN rulebook_hash TEXT REFERENCES rulebooks (hash);
        -- 暂停 (reversible, with its term) and 取消资格 (final: 福建办法 第四章一).
        ALTER TABLE people ADD COLUMN suspended_until TEXT;
        ALTER TABLE people ADD COLUMN cancelled_at TEXT;
        -- Grounds for recusal beyond employer and posts, each with its dates (included).
        CREATE TABLE person_grounds (
            id TEXT PRIMARY KEY,
            person_id TEXT NOT NULL REFERENCES people (id),
            org_id TEXT NOT NULL REFERENCES orgs (id),
            ground TEXT NOT NULL CHECK (ground IN ('relative', 'former_employer', 'consultancy', 'other')),
            since TEXT,
            until TEXT,
            note TEXT,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            CHECK (since IS NULL OR until IS NULL OR since <= until)
        );
        CREATE INDEX person_grounds_by_person ON person_grounds (person_id);
        -- The evaluation group's verdict where the form has no pass line (河南 2011): with its reason.
        -- A correction is a new row; the latest counts.
        CREATE TABLE group_verdicts (
            eval_id TEXT NOT NULL REFERENCES evaluations (id),
            verdict TEXT NOT NULL CHECK (verdict IN ('pass', 'fail')),
            reason TEXT NOT NULL,
            recommend INTEGER NOT NULL DEFAULT 0 CHECK (recommend IN (0, 1)),
            opinion TEXT,
            recorded_by TEXT NOT NULL,
            recorded_at TEXT NOT NULL
        );
        CREATE INDEX group_verdicts_by_eval ON group_verdicts (eval_id, recorded_at);
        -- "双随机": the organisations of a plan drawn from the register by a published seed (when the
        -- plan's rulebook has it); the record holds the pool, the number and the result.
        CREATE TABLE org_draws (
            id TEXT PRIMARY KEY,
            plan_id TEXT NOT NULL REFERENCES plans (id),
            seed TEXT NOT NULL,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            record TEXT NOT NULL
        );
        CREATE INDEX org_draws_by_plan ON org_draws (plan_id);
        CREATE TRIGGER org_draws_published_update BEFORE UPDATE ON org_draws
            BEGIN SELECT RAISE(ABORT, 'a published draw record is never changed'); END;
        CREATE TRIGGER org_draws_published_delete BEFORE DELETE ON org_draws
            BEGIN SELECT RAISE(ABORT, 'a published draw record is never changed'); END;
        -- A team leader (组长) the centre designates for a target's current team, with who and why;
        -- without one the first drawn leads, marked as drawn in the published record.
        CREATE TABLE plan_leaders (
            plan_id TEXT NOT NULL,
            org_id TEXT NOT NULL,
            person_id TEXT NOT NULL REFERENCES people (id),
            designated_by TEXT NOT NULL,
            designated_at TEXT NOT NULL,
            PRIMARY KEY (plan_id, org_id),
            FOREIGN KEY (plan_id, org_id) REFERENCES plan_targets (plan_id, org_id)
        ) WITHOUT ROWID;
        -- 郑州办法 第十一条's four points of a task review, recorded apart (the rating stays).
        ALTER TABLE person_reviews ADD COLUMN completion TEXT;
        ALTER TABLE person_reviews ADD COLUMN attitude TEXT;
        ALTER TABLE person_reviews ADD COLUMN objectivity TEXT;
        -- The steps of a target's procedure (福建办法 第三章四: 专项督导), each with its day.
        CREATE TABLE target_steps (
            plan_id TEXT NOT NULL,
            org_id TEXT NOT NULL,
            step TEXT NOT NULL,
            done_on TEXT NOT NULL,
            note TEXT,
            recorded_by TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            PRIMARY KEY (plan_id, org_id, step),
            FOREIGN KEY (plan_id, org_id) REFERENCES plan_targets (plan_id, org_id)
        ) WITHOUT ROWID;
        -- A plan's timetable milestones (the rulebook's) marked done, with the day.
        CREATE TABLE plan_milestones (
            plan_id TEXT NOT NULL REFERENCES plans (id),
            name TEXT NOT NULL,
            done_on TEXT NOT NULL,
            recorded_by TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            PRIMARY KEY (plan_id, name)
        ) WITHOUT ROWID;
        """,
    )


def _m008_head_figures(conn: sqlite3.Connection) -> None:
    # The centre's desk and statistics read, for thousands of evaluations at once, only the winning
    # heads' section, points and answered flags (issue 18, S1/S2). The heads table is clustered by
    # (eval, item, change) with two 32-character ids in every row; this narrow index, in
    # (eval, section) order, lets those reads group without a sort and without touching the wide rows.
    # A conflict's losing heads (winner = 0, rare) and the lock changes (one per signed evaluation)
    # get partial indexes of their own, so that counting conflicts and reading the figures fixed at
    # signing no longer scan every head and every change. An ordinary record (one winning head
    # replaced) writes one more index entry; bench/bench_store.py measures what that costs.
    # winner is a column of the partial indexes too: without it a query naming winner is not covered
    # and looks up every wide row again (measured: 0.85 s instead of 0.15 s at 10,000 evaluations).
    # Derived like the rows they index: nothing to backfill, SQLite builds them from the rows.
    _script(
        conn,
        """
        CREATE INDEX heads_figures ON heads (eval_id, section, item_id, points_c, answered, winner)
            WHERE winner = 1;
        CREATE INDEX heads_rivals ON heads (eval_id, winner) WHERE winner = 0;
        CREATE INDEX changes_locks ON changes (eval_id) WHERE kind = 'lock';
        """,
    )


def _m009_register_corrections(conn: sqlite3.Connection) -> None:
    """Register corrections a station proposes and the centre decides one by one (issue 19)."""
    _script(
        conn,
        """
        -- A change to one field of the 登记表 a station proposes (origin 'own', in the station's
        -- folder, until sent in a bundle) or the centre received (origin 'received'); values are
        -- JSON. old_value is the value as the station held it; centre_value what the centre held
        -- when it decided. Nothing is applied until the centre accepts it; a decision is final.
        CREATE TABLE register_corrections (
            id TEXT PRIMARY KEY,
            org_id TEXT NOT NULL REFERENCES orgs (id),
            field TEXT NOT NULL,
            old_value TEXT NOT NULL,
            new_value TEXT NOT NULL,
            reason TEXT NOT NULL,
            proposed_at TEXT NOT NULL,
            proposed_by TEXT NOT NULL,
            origin TEXT NOT NULL CHECK (origin IN ('own', 'received')),
            sent_bundle TEXT,
            sent_at TEXT,
            received_bundle TEXT,
            received_at TEXT,
            signer TEXT,
            decision TEXT CHECK (decision IN ('accepted', 'rejected')),
            decided_at TEXT,
            decided_by TEXT,
            decision_reason TEXT,
            centre_value TEXT,
            reregistration TEXT,
            CHECK ((decision IS NULL) = (decided_at IS NULL))
        );
        CREATE INDEX register_corrections_by_org ON register_corrections (org_id, decision);
        -- Every change of a register field made through a decision, appended, never changed.
        CREATE TABLE register_history (
            id TEXT PRIMARY KEY,
            org_id TEXT NOT NULL REFERENCES orgs (id),
            field TEXT NOT NULL,
            old_value TEXT NOT NULL,
            new_value TEXT NOT NULL,
            changed_at TEXT NOT NULL,
            changed_by TEXT NOT NULL,
            source TEXT NOT NULL
        );
        CREATE INDEX register_history_by_org ON register_history (org_id, changed_at);
        -- A register entry that needs re-registration (四川 297号 三（一）: a change of 负责人 or
        -- contact), from the accepted correction that caused it until the centre records it done.
        CREATE TABLE reregistrations (
            correction_id TEXT PRIMARY KEY,
            org_id TEXT NOT NULL REFERENCES orgs (id),
            field TEXT NOT NULL,
            rule TEXT NOT NULL,
            marked_at TEXT NOT NULL,
            done_on TEXT,
            done_by TEXT
        );
        CREATE INDEX reregistrations_by_org ON reregistrations (org_id, done_on);
        """,
    )


def _m010_target_reviews(conn: sqlite3.Connection) -> None:
    # 重庆 延续备案通知 三（二）1: an employer's renewal is reviewed, not scored; the review's outcome
    # (符合延续备案条件 or not) and opinion belong to the plan's target, which has no scored evaluation.
    # Appended only: a correction is a new row, the latest counts, the earlier ones stay.
    _script(
        conn,
        """
        CREATE TABLE target_reviews (
            id TEXT PRIMARY KEY,
            plan_id TEXT NOT NULL,
            org_id TEXT NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN ('eligible', 'ineligible')),
            opinion TEXT,
            reviewed_on TEXT NOT NULL,
            recorded_by TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            FOREIGN KEY (plan_id, org_id) REFERENCES plan_targets (plan_id, org_id)
        );
        CREATE INDEX target_reviews_by_target ON target_reviews (plan_id, org_id, recorded_at);
        """,
    )


def _m011_self_assessment_requests(conn: sqlite3.Connection) -> None:
    # Issue 19: the centre sends each station of a plan a self-assessment request bundle and gets
    # the station's signed self-assessment back. One row per request: at the centre, sent and
    # (later) returned; at the station, the request it received. The deadline is the plan's
    # rulebook milestone (e.g. Sichuan 2017 三（一）自查自评 4月30日前), kept with its clause.
    _script(
        conn,
        """
        CREATE TABLE self_assessment_requests (
            id TEXT PRIMARY KEY,
            plan_id TEXT NOT NULL,
            plan_title TEXT NOT NULL,
            org_id TEXT NOT NULL,
            rubric_id TEXT NOT NULL,
            rubric_version INTEGER NOT NULL,
            deadline TEXT,
            deadline_source TEXT,
            representative TEXT NOT NULL,
            credential TEXT NOT NULL,
            sent_at TEXT NOT NULL,
            received_at TEXT,
            returned_bundle TEXT,
            returned_at TEXT,
            eval_id TEXT,
            signed_by TEXT
        );
        CREATE INDEX self_assessment_requests_plan ON self_assessment_requests (plan_id, org_id);
        """,
    )


def _m012_eval_figures(conn: sqlite3.Connection) -> None:
    # Figures kept per evaluation (inspector.store.figures; issue 18, S1–S3): the desk, the lists and
    # the statistics read one row per evaluation instead of summing its heads at every read.
    # Additive; maintained in Python by the one write path (apply_change), not by triggers, so that
    # the schema runs as it is on another database. Points are in hundredths like heads.points_c;
    # the JSON columns are plain text. Backfilled by recomputing every evaluation from its marks
    # with the scoring engine (the stored rubrics are parsed and checked by their hash).
    _script(
        conn,
        """
        CREATE TABLE eval_figures (
            eval_id TEXT PRIMARY KEY REFERENCES evaluations (id),
            answered INTEGER NOT NULL,
            conflicts INTEGER NOT NULL,
            sections TEXT NOT NULL,
            base_c INTEGER NOT NULL,
            bonus_c INTEGER NOT NULL,
            total_c INTEGER NOT NULL,
            outcome TEXT,
            vetoes TEXT NOT NULL,
            lost TEXT NOT NULL,
            fixed_at TEXT,
            fixed_total TEXT,
            fixed_base TEXT,
            fixed_bonus TEXT,
            fixed_outcome TEXT,
            fixed_label TEXT
        );
        """,
    )
    # backfilled by v13 (_m013_figures_refused_updated_at), once the table has all the columns it writes


def _m013_figures_refused_updated_at(conn: sqlite3.Connection) -> None:
    # Two columns of the kept figures, then every row recomputed once with the scoring engine:
    # - ``refused``: an evaluation whose marks the engine refuses as a whole (an item or a veto its
    #   pinned version lacks) has no total and no outcome; v12 kept a sum of its heads, which the
    #   desk and the statistics showed while the score sheet refused. It holds the engine's reason
    #   (NULL: scored).
    # - ``updated_at`` (issue 18 P2): the evaluation's latest change time, kept in the row every mark
    #   rewrites anyway, so a mark no longer also rewrites its evaluations row (one statement and
    #   one table less per durable mark); evaluations.updated_at stays as the evaluation was created.
    #   Filled from the log (the latest wall time of each evaluation's changes).
    # Additive; the recomputation is inspector.store.figures.backfill.
    _script(
        conn,
        """
        ALTER TABLE eval_figures ADD COLUMN refused TEXT;
        ALTER TABLE eval_figures ADD COLUMN updated_at TEXT;
        """,
    )
    from inspector.store.figures import backfill  # the scoring engine sits above this module

    backfill(conn)
    from inspector.store.figures import backfill  # the scoring engine sits above this module

    backfill(conn)


def _m014_figures_disallowed_marks(conn: sqlite3.Connection) -> None:
    # No new table or column: the kept figures of an evaluation whose current marks include one the
    # form disallows (a not-applicable without the form's leave, an override off the item's grid,
    # as a team member's bundle could bring) are recomputed once into a refusal (``refused``: no
    # total, no outcome, signing's own words, inspector.rubric.scoring.disallowed), where a v13
    # program kept their sum: the desk, the lists and the statistics showed a total signing refused.
    # Only those rows are rewritten (inspector.store.figures.recompute_disallowed).
    from inspector.store.figures import recompute_disallowed  # the scoring engine sits above this module

    recompute_disallowed(conn)


def _m015_figures_refusal_parts(conn: sqlite3.Connection) -> None:
    # No new table or column: ``eval_figures.refused`` is kept in parts (JSON: the items, the kind
    # of refusal, the form's clause), put into words on read in the reader's language; a v13/v14
    # program kept the words of the process that computed it. Those rows (refused, not in parts)
    # are recomputed once by the scoring engine (inspector.store.figures.recompute_refusals).
    from inspector.store.figures import recompute_refusals  # the scoring engine sits above this module

    recompute_refusals(conn)


def _m016_desk_indexes(conn: sqlite3.Connection) -> None:
    # Indexes only (issue 18 S1/S3): the results desk reads a plan's evaluations so that the work
    # grows with the plan, not with the store (a province over ten years: ten evaluations a station).
    # - ``evaluations_by_target``: a target's candidates (inspector.centre.results._candidates: the
    #   organisation, the plan's form, an inspection, a first revision, the visit day) found and read
    #   from the index alone, every column the desk reads of them included; before, each of the
    #   organisation's evaluations of every year was looked up in the table.
    # - ``evaluations_by_previous``: the revisions (previous_id set), a few, without a scan of all.
    # - ``evaluations_by_kind``: the organisations with a self-assessment, without a scan of all.
    _script(
        conn,
        """
        CREATE INDEX IF NOT EXISTS evaluations_by_target ON evaluations
            (org_id, rubric_id, kind, previous_id, visit_date, created_at, id, rubric_version, signed_at,
             items);
        CREATE INDEX IF NOT EXISTS evaluations_by_previous ON evaluations (previous_id);
        CREATE INDEX IF NOT EXISTS evaluations_by_kind ON evaluations (kind, org_id);
        """,
    )


MIGRATIONS: list[Migration] = [
    _m001_rubrics,
    _m002_evaluations,
    _m003_centre,
    _m004_bundles,
    _m005_cards,
    _m006_authority,
    _m007_rulebooks,
    _m008_head_figures,
    _m009_register_corrections,
    _m010_target_reviews,
    _m011_self_assessment_requests,
    _m012_eval_figures,
    _m013_figures_refused_updated_at,
    _m014_figures_disallowed_marks,
    _m015_figures_refusal_parts,
    _m016_desk_indexes,
]
SCHEMA_VERSION = len(MIGRATIONS)


def journal_mode(folder: Path) -> str:
    """WAL, except on a network share: WAL's shared memory does not work across machines, and
    SQLite's documentation forbids it there; the rollback journal is the safe choice (slower, and
    readers wait for a writer). inspector.folder warns the user about such a folder."""
    from inspector.drives import on_network_share

    return "DELETE" if on_network_share(folder) else "WAL"


def _connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE … COMMIT), never implicit.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute(f"PRAGMA journal_mode = {journal_mode(path.parent)}")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, where: str, target: int = SCHEMA_VERSION) -> int:
    """Bring the schema up to ``target`` (default: current); returns the version it started from."""
    start = schema_version(conn)
    if start > SCHEMA_VERSION:
        raise StoreError(
            _("数据库由更新版本的程序创建（结构版本 {v}，本程序支持到 {s}）：请升级程序后再打开").format(
                v=start, s=SCHEMA_VERSION
            ),
            where,
        )
    for version in range(start, target):
        conn.execute("BEGIN IMMEDIATE")
        try:
            if schema_version(conn) > version:  # another desk of a shared server migrated meanwhile
                conn.execute("COMMIT")
                continue
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return start


def server_url(folder: Path) -> str | None:
    """The PostgreSQL server holding this folder's database, if it is on one: ``INSPECTOR_DB``
    (``inspector --db URL``), else the URL in the folder's ``server.url`` (a centre desk's folder
    keeps its keys and settings, the database is the centre's server). None: the folder's own SQLite."""
    url = os.environ.get(SERVER_ENV, "").strip()
    if not url:
        try:
            url = (folder / SERVER_FILE).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        except OSError as e:
            raise StoreError(_("无法使用数据文件夹：{e}").format(e=os_reason(e)), str(folder)) from None
    return url or None


def open_server_database(url: str) -> sqlite_utils.Database:
    """The centre's database on a PostgreSQL server, migrated like a folder's (inspector.store.pg)."""
    from inspector.store.pg import open_server  # psycopg is loaded only for a server

    return open_server(url, migrate)


def open_database(folder: Path) -> sqlite_utils.Database:
    """Open (creating if needed) the database in a data folder, migrated to the current schema."""
    url = server_url(folder)
    if url is not None:
        db = open_server_database(url)
        db.conn.database_file = folder / DB_NAME  # type: ignore[attr-defined]  # PRAGMA database_list
        return db
    path = folder / DB_NAME
    try:
        folder.mkdir(parents=True, exist_ok=True)
        conn = _connect(path)
        migrate(conn, str(path))
    except sqlite3.DatabaseError as e:
        raise StoreError(_("无法打开数据库：{e}").format(e=sqlite_reason(e)), str(path)) from None
    except OSError as e:
        raise StoreError(_("无法使用数据文件夹：{e}").format(e=os_reason(e)), str(folder)) from None
    # The folder's stored holiday notices are put in force by inspector.folder.open_folder, the
    # one way the program opens a folder: the store does not know the calendar.
    # No sqlite-utils plugins: none is part of the product, and looking for them scans every
    # installed distribution's entry points (importlib.metadata) at each start: 20-80 ms.
    # The wrapper itself is made on first use: the window's start reads through ``db.conn`` only.
    from inspector.store.lazy_db import LazyDatabase

    return cast("sqlite_utils.Database", LazyDatabase(conn))


def _why(text: str) -> str | None:
    """What SQLite says when the disk, not the program, is at fault: the user can act on these."""
    if "database or disk is full" in text:
        return _("磁盘已满")
    if "readonly database" in text:
        return _("数据库为只读（文件夹或介质写保护？）")
    if "disk i/o error" in text:
        return _("磁盘读写错误")
    if "database is locked" in text:
        return _("数据库正被另一程序占用")
    if "unable to open database file" in text:
        return _("无法打开数据库文件")
    return None


def sqlite_reason(e: sqlite3.Error) -> str:
    """What SQLite said, in the user's language where it is one of the messages a user meets
    (SQLite's own are English whatever the interface says)."""
    text = str(e).lower()
    why = _why(text)
    if why is not None:
        return why
    if "file is not a database" in text:
        return _("文件不是本程序的数据库（或已被其他程序改写）")
    if "malformed" in text:
        return _("数据库文件已损坏")
    return str(e)


def environment_error(e: sqlite3.Error) -> StoreError | None:
    why = _why(str(e).lower())
    return None if why is None else StoreError(_("无法写入数据库：{why}，未保存任何更改").format(why=why))


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite3.Connection]:
    """One durable transaction: all of it is on disk when the block ends, or none of it is."""
    conn = db.conn
    try:
        conn.execute("BEGIN IMMEDIATE")
        yield conn
        conn.execute("COMMIT")
    except sqlite3.Error as e:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        mapped = environment_error(e)
        if mapped is None:
            raise
        raise mapped from None
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def data_version(conn: sqlite3.Connection) -> int:
    """SQLite's count of commits by other connections to this database, as this one sees it: a
    change means someone else wrote (the window refreshes; the command line wrote a mark)."""
    return int(conn.execute("PRAGMA data_version").fetchone()[0])
