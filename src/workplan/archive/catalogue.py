"""The catalogue: a SQLite database (WAL) beside the bags, one row per record version.

Every SQL statement of the archive lives here, behind named operations (queries: ``select``,
``versions_of``, ``by_identity``, ``codes``, ``latest_of_identity``, ``pending``, ``all_rows``;
writes inside ``transaction()``: ``next_item``, ``reserve``, ``activate``, ``drop_pending``,
``replace_code``; ``write_fresh`` for a rebuild; accounts: ``accounts``, ``account``,
``has_accounts``, and in a transaction ``add_account``, ``set_account_role``,
``set_account_disabled``, ``set_account_password``) — the seam another database would implement.

The bags are the truth; every row can be rebuilt from them (:func:`rows_from_bags` in
:mod:`.bag`). Rows are written in two steps by ``add``: a *pending* row reserves the item
number (in a ``BEGIN IMMEDIATE`` transaction), and once the bag is in place and the event
logged the row becomes *active*. A pending row left by a killed process is resolved by the next
writer or by ``verify --repair``: completed if its bag made it into place, dropped (freeing the
never-issued number) otherwise. So numbers stay gap-free.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import stat
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, Iterator, Sequence

from ..errors import Problem, WorkplanError
from .record import FileEntry, Record, role_sort_key

CATALOGUE_NAME = "catalogue.sqlite"
SCHEMA_VERSION = "1"

COLUMNS = ("code", "version", "status", "current", "identity", "fonds", "category", "year", "retention", "org",
           "item", "title", "title_en", "kind", "issuer", "issuer_abbr", "doc_number", "date", "units",
           "unit_ids", "langs", "pages", "roles", "files", "tagmanifest", "bag_dir", "archived_at",
           "disposed_at")
JSON_COLUMNS = ("units", "unit_ids", "langs", "roles", "files")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    code TEXT NOT NULL, version INTEGER NOT NULL,
    status TEXT NOT NULL,            -- pending | active | superseded | disposed
    current INTEGER NOT NULL,
    identity TEXT NOT NULL,
    fonds TEXT NOT NULL, category TEXT NOT NULL, year INTEGER NOT NULL, retention TEXT NOT NULL,
    org TEXT NOT NULL, item INTEGER NOT NULL,
    title TEXT NOT NULL, title_en TEXT, kind TEXT NOT NULL, issuer TEXT NOT NULL, issuer_abbr TEXT NOT NULL,
    doc_number TEXT, date TEXT NOT NULL,
    units TEXT NOT NULL, unit_ids TEXT NOT NULL, langs TEXT NOT NULL, pages INTEGER,
    roles TEXT NOT NULL, files TEXT NOT NULL, tagmanifest TEXT,
    bag_dir TEXT NOT NULL, archived_at TEXT NOT NULL, disposed_at TEXT,
    PRIMARY KEY (code, version)
);
CREATE INDEX IF NOT EXISTS records_identity ON records(identity);
CREATE INDEX IF NOT EXISTS records_group ON records(fonds, category, year, retention, org, item);
CREATE INDEX IF NOT EXISTS records_status ON records(status);
"""

# People (see :mod:`.accounts`): created with the catalogue, and by the first account written to a
# catalogue made before accounts existed. A rebuild carries the rows over (they are not in the bags).
_ACCOUNTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    name TEXT PRIMARY KEY, role TEXT NOT NULL, password TEXT NOT NULL, disabled INTEGER NOT NULL,
    created_at TEXT NOT NULL, changed_at TEXT NOT NULL
)
"""
ACCOUNT_COLUMNS = ("name", "role", "password", "disabled", "created_at", "changed_at")

# The last fixity check of each record (derived from the log's fixity-check events: a rebuild
# recomputes it): when, the result, the event, and the findings' messages (JSON).
_FIXITY_SCHEMA = """
CREATE TABLE IF NOT EXISTS fixity (
    code TEXT PRIMARY KEY, checked_at TEXT NOT NULL, ok INTEGER NOT NULL, event_id INTEGER NOT NULL,
    findings TEXT NOT NULL
)
"""
FIXITY_COLUMNS = ("code", "checked_at", "ok", "event_id", "findings")


def _db_error(e: sqlite3.Error, path: Path) -> WorkplanError:
    text = str(e).lower()
    if "disk is full" in text or "disk i/o error" in text and _disk_full(path):
        return WorkplanError(Problem("the disk is full: the catalogue could not be written (nothing in it is damaged)",
                                     file=str(path), hint="free some space, then run `workplan archive verify --repair`"))
    if "readonly" in text or "read-only" in text:
        return WorkplanError(Problem("the catalogue cannot be written: it is read-only", file=str(path),
                                     hint=READ_ONLY_HINT))
    return WorkplanError(Problem(f"cannot use the catalogue: {e}", file=str(path),
                                 hint="if it is damaged, run `workplan archive rebuild-catalogue` (the bags are "
                                      "the truth; the catalogue is rebuilt from them)"))


def _disk_full(path: Path) -> bool:
    try:
        st = os.statvfs(path.parent)
        return st.f_bavail * st.f_frsize < 1 << 20
    except OSError:
        return False


READ_ONLY_HINT = ("the archive is on read-only media or mounted read-only: reading commands work, writing ones "
                  "need a writable copy")


def _read_only_connection(path: Path) -> sqlite3.Connection:
    """A read-only connection (``mode=ro``; ``immutable=1`` when SQLite cannot even keep its
    shared-memory file beside a WAL database, as on read-only media)."""
    from urllib.parse import quote
    uri = "file:" + quote(str(path))
    try:
        db = sqlite3.connect(uri + "?mode=ro", uri=True, timeout=60, isolation_level=None, check_same_thread=False)
        db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return db
    except sqlite3.OperationalError:
        return sqlite3.connect(uri + "?immutable=1", uri=True, isolation_level=None, check_same_thread=False)


class Catalogue:
    def __init__(self, path: Path, *, create: bool = False, read_only: bool = False):
        self.path = path
        self.read_only = read_only and not create
        if not create and not path.exists() and not path.is_symlink():
            raise WorkplanError(Problem("the catalogue is missing", file=str(path),
                                        hint="run `workplan archive rebuild-catalogue` to rebuild it from the bags"))
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            try:
                st = os.lstat(p)
            except FileNotFoundError:
                continue
            if not stat.S_ISREG(st.st_mode):  # a link is never followed, a FIFO never waited on
                what = "a symbolic link" if stat.S_ISLNK(st.st_mode) else "not a regular file"
                raise WorkplanError(Problem(f"the catalogue is {what}: it is not opened", file=str(p),
                                            hint="run `workplan archive verify`; replace it with the real file (or "
                                                 "move it aside and run `workplan archive rebuild-catalogue`)"))
        if self.read_only:
            try:
                self.db = _read_only_connection(path)
                row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            except sqlite3.Error as e:
                raise _db_error(e, path) from None
            if row is None or row[0] != SCHEMA_VERSION:
                raise WorkplanError(Problem("the catalogue has an unknown schema", file=str(path),
                                            hint="rebuild it in a writable copy of the archive"))
            return
        try:
            self.db = sqlite3.connect(str(path), timeout=60, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA busy_timeout = 60000")
            mode = self.db.execute("PRAGMA journal_mode").fetchone()[0]
            if mode != "wal":
                self.db.execute("PRAGMA journal_mode = WAL")
            # WAL + NORMAL: commits survive a killed process; after a power cut the last commits may
            # be lost, but never the bags or the (fsynced) event log, and `verify --repair` records
            # any bag the catalogue lost. The catalogue is derived data.
            self.db.execute("PRAGMA synchronous = NORMAL")
            if create:
                self.db.executescript(_SCHEMA)
                self.db.execute(_ACCOUNTS_SCHEMA)
                self.db.execute(_FIXITY_SCHEMA)
                self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
            else:
                row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
                if row is None or row[0] != SCHEMA_VERSION:
                    raise WorkplanError(Problem("the catalogue has an unknown schema", file=str(path),
                                                hint="run `workplan archive rebuild-catalogue`"))
        except sqlite3.Error as e:
            raise _db_error(e, path) from None

    def close(self) -> None:
        try:
            self.db.close()
        except sqlite3.Error:
            pass

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT (rolled back on any exception)."""
        if self.read_only:
            raise WorkplanError(Problem("the archive is read-only: nothing was written", file=str(self.path),
                                        hint=READ_ONLY_HINT))
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            raise _db_error(e, self.path) from None
        try:
            yield self.db
        except BaseException:
            try:
                self.db.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            raise
        else:
            try:
                self.db.execute("COMMIT")
            except sqlite3.Error as e:
                raise _db_error(e, self.path) from None

    def _query(self, sql: str, params: tuple = ()) -> list[dict]:
        try:
            cur = self.db.execute(sql, params)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r)) for r in cur.fetchall()]
        except sqlite3.Error as e:
            raise _db_error(e, self.path) from None

    def _rows(self, where: str = "", params: tuple = ()) -> list[dict]:
        rows = self._query(f"SELECT * FROM records {where}", params)
        for r in rows:
            for c in JSON_COLUMNS:
                try:
                    r[c] = json.loads(r[c])
                except (TypeError, ValueError):
                    raise WorkplanError(Problem(f"the catalogue's {c} of {r.get('code')} v{r.get('version')} cannot "
                                                "be read", file=str(self.path),
                                                hint="run `workplan archive verify --repair` (rows are rewritten from "
                                                     "the bags the log records)")) from None
        return rows

    @staticmethod
    def _insert(tx: sqlite3.Connection, row: dict) -> None:
        vals = [json.dumps(row[c], ensure_ascii=False) if c in JSON_COLUMNS else row.get(c) for c in COLUMNS]
        tx.execute(f"INSERT INTO records ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})", vals)

    # --- queries (rows as dicts; pending reservations are left out unless named) -------------
    def select(self, *, current_only: bool = True, year: int | None = None, kind: str | None = None,
               retention: str | None = None) -> list[dict]:
        """Rows ordered by code then version; ``current_only``: the newest version of each."""
        where = ["status != 'pending'"]
        params: list = []
        if current_only:
            where.append("current = 1")
        if year is not None:
            where.append("year = ?")
            params.append(int(year))
        if kind is not None:
            where.append("kind = ?")
            params.append(kind)
        if retention is not None:
            where.append("retention = ?")
            params.append(retention)
        return self._rows("WHERE " + " AND ".join(where) + " ORDER BY code, version", tuple(params))

    def versions_of(self, code: str) -> list[dict]:
        """Every version of one archival code, oldest first."""
        return self._rows("WHERE code = ? AND status != 'pending' ORDER BY version", (code,))

    def by_identity(self, identity: str) -> list[dict]:
        """Every version of the document with this identity, by code then version."""
        return self._rows("WHERE identity = ? AND status != 'pending' ORDER BY code, version", (identity,))

    def codes(self) -> list[str]:
        """Every archival code in the catalogue."""
        return [r["code"] for r in self._query("SELECT DISTINCT code FROM records WHERE status != 'pending'")]

    COUNTABLE = ("year", "kind", "retention", "issuer", "org")

    def counts(self, column: str) -> list[tuple[Any, int]]:
        """(value, number of current, active records) for each value of ``column`` (one of
        COUNTABLE), most records first."""
        if column not in self.COUNTABLE:
            raise ValueError(f"cannot count by {column!r}")
        return [(r["v"], r["n"]) for r in self._query(
            f"SELECT {column} AS v, COUNT(*) AS n FROM records WHERE current = 1 AND status = 'active' "
            f"GROUP BY {column} ORDER BY n DESC, {column}")]

    def latest_of_identity(self, identity: str, tx: sqlite3.Connection | None = None) -> dict | None:
        """code, version, status, year, retention, org of the newest version with this identity.
        Outside a transaction pending reservations are left out; inside ``tx`` (allocating) they
        count, since they hold their numbers."""
        sql = ("SELECT code, version, status, year, retention, org FROM records WHERE identity = ? "
               + ("" if tx is not None else "AND status != 'pending' ") + "ORDER BY version DESC LIMIT 1")
        if tx is None:
            rows = self._query(sql, (identity,))
            return rows[0] if rows else None
        r = tx.execute(sql, (identity,)).fetchone()
        return None if r is None else dict(zip(("code", "version", "status", "year", "retention", "org"), r))

    def pending(self) -> list[dict]:
        """Reservations (pending rows) left by writers, by code then version."""
        return self._rows("WHERE status = 'pending' ORDER BY code, version")

    def all_rows(self) -> list[dict]:
        """Every row, pending ones included (for verification)."""
        return self._rows()

    # --- writes (inside ``with catalogue.transaction() as tx``) -----------------------------------
    @staticmethod
    def batch(tx):
        """Statements whose results nobody reads, sent together where the database can (here:
        in-process already, nothing to do)."""
        return nullcontext()

    def latest_of_identities(self, tx: sqlite3.Connection, identities: list[str]) -> dict[str, dict]:
        """:meth:`latest_of_identity` inside ``tx`` for several identities at once (those with no
        version left out)."""
        out = {}
        for ident in dict.fromkeys(identities):
            row = self.latest_of_identity(ident, tx)
            if row is not None:
                out[ident] = row
        return out

    @staticmethod
    def next_item(tx: sqlite3.Connection, fonds: str, category: str, year: int, retention: str, org: str) -> int:
        """The next item number (件号) of a group: numbers are gap-free within it."""
        return tx.execute("SELECT COALESCE(MAX(item), 0) FROM records WHERE fonds = ? AND category = ? "
                          "AND year = ? AND retention = ? AND org = ?",
                          (fonds, category, year, retention, org)).fetchone()[0] + 1

    def reserve(self, tx: sqlite3.Connection, row: dict) -> None:
        """Reserve a code and version with a pending row (before the bag is placed)."""
        self._insert(tx, dict(row, status="pending", current=0))

    def activate(self, tx: sqlite3.Connection, row: dict) -> None:
        """Make a version active and current (replacing its reservation); older versions of its
        code become superseded."""
        code, version = row["code"], row["version"]
        tx.execute("DELETE FROM records WHERE code = ? AND version = ?", (code, version))
        self._insert(tx, dict(row, status="active", current=1))
        tx.execute("UPDATE records SET status = 'superseded', current = 0 "
                   "WHERE code = ? AND version < ? AND status IN ('active', 'superseded')", (code, version))

    @staticmethod
    def drop_pending(tx: sqlite3.Connection, code: str, version: int) -> None:
        """Drop a reservation whose bag never made it into place (the number is free again)."""
        tx.execute("DELETE FROM records WHERE code = ? AND version = ? AND status = 'pending'", (code, version))

    def replace_code(self, tx: sqlite3.Connection, code: str, rows: list[dict], *, keep_pending: bool = True) -> None:
        """Replace the rows of one code by ``rows`` (derived from its bags); ``keep_pending``
        leaves its reservations alone."""
        tx.execute("DELETE FROM records WHERE code = ?" + (" AND status != 'pending'" if keep_pending else ""),
                   (code,))
        for r in rows:
            self._insert(tx, r)

    @classmethod
    def write_fresh(cls, path: Path, rows: list[dict], log_head: tuple[int, str] | None,
                    accounts: Sequence[dict] = (), fixity: Sequence[dict] = ()) -> None:
        """Rebuild: write a new catalogue file at ``path`` holding ``rows`` (and the event log's
        head, and the ``accounts`` of the catalogue it replaces), checkpointed into the one file,
        ready to be renamed over the old one."""
        cat = cls(path, create=True)
        try:
            with cat.transaction() as tx:
                for r in rows:
                    cat._insert(tx, r)
                for a in accounts:
                    cat.add_account(tx, a)
                for f in fixity:
                    cat.note_fixity(tx, f["code"], f["checked_at"], f["ok"], f["event_id"], f["findings"])
                if log_head is not None:
                    cat.set_log_head(tx, log_head[0], log_head[1], force=True)
            cat.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as e:
            raise _db_error(e, path) from None
        finally:
            cat.close()

    # --- accounts -------------------------------------------------------------------------------
    def _account_rows(self, where: str = "", params: tuple = ()) -> list[dict]:
        try:
            cur = self.db.execute(f"SELECT {', '.join(ACCOUNT_COLUMNS)} FROM accounts {where}", params)
            return [dict(zip(ACCOUNT_COLUMNS, r)) for r in cur.fetchall()]
        except sqlite3.OperationalError as e:
            if "no such table" in str(e):
                return []  # a catalogue made before accounts existed: none yet
            raise _db_error(e, self.path) from None
        except sqlite3.Error as e:
            raise _db_error(e, self.path) from None

    def accounts(self) -> list[dict]:
        """Every account (with its password hash), by name."""
        return self._account_rows("ORDER BY name")

    def account(self, name: str) -> dict | None:
        rows = self._account_rows("WHERE name = ?", (name,))
        return rows[0] if rows else None

    def has_accounts(self) -> bool:
        """Whether there is any account (the archive then requires them)."""
        return bool(self._account_rows("LIMIT 1"))

    @staticmethod
    def add_account(tx: sqlite3.Connection, row: dict) -> None:
        tx.execute(_ACCOUNTS_SCHEMA)
        tx.execute(f"INSERT INTO accounts ({', '.join(ACCOUNT_COLUMNS)}) VALUES ({', '.join('?' * len(ACCOUNT_COLUMNS))})",
                   [row[c] for c in ACCOUNT_COLUMNS])

    @staticmethod
    def set_account_role(tx: sqlite3.Connection, name: str, role: str, at: str) -> None:
        tx.execute("UPDATE accounts SET role = ?, changed_at = ? WHERE name = ?", (role, at, name))

    @staticmethod
    def set_account_disabled(tx: sqlite3.Connection, name: str, disabled: bool, at: str) -> None:
        tx.execute("UPDATE accounts SET disabled = ?, changed_at = ? WHERE name = ?", (int(disabled), at, name))

    @staticmethod
    def set_account_password(tx: sqlite3.Connection, name: str, password: str, at: str) -> None:
        tx.execute("UPDATE accounts SET password = ?, changed_at = ? WHERE name = ?", (password, at, name))

    # --- the last fixity check of each record ---------------------------------------------------
    def _fixity_rows(self, sql: str, params: tuple = ()) -> list[dict]:
        try:
            rows = self._query(sql, params)
        except WorkplanError as e:
            if "no such table" in e.problems[0].message:
                return []  # a catalogue made before fixity was kept: nothing checked yet
            raise
        for r in rows:
            r["ok"] = bool(r["ok"])
            try:
                r["findings"] = json.loads(r["findings"])
            except (TypeError, ValueError):
                r["findings"] = []
        return rows

    def fixity_of(self, codes: list[str]) -> dict[str, dict]:
        """code → its last fixity check (checked_at, ok, event_id, findings), for those checked."""
        out: dict[str, dict] = {}
        codes = list(dict.fromkeys(codes))
        for i in range(0, len(codes), 500):
            part = codes[i:i + 500]
            for r in self._fixity_rows(f"SELECT {', '.join(FIXITY_COLUMNS)} FROM fixity WHERE code IN "
                                       f"({', '.join('?' * len(part))})", tuple(part)):
                out[r["code"]] = r
        return out

    def damaged_codes(self) -> list[str]:
        """Codes whose last fixity check failed."""
        return [r["code"] for r in self._fixity_rows(f"SELECT {', '.join(FIXITY_COLUMNS)} FROM fixity WHERE ok = 0 "
                                                     "ORDER BY code")]

    def least_recently_checked(self, limit: int) -> list[str]:
        """Current records that are not disposed, never checked first, then checked longest ago."""
        sql = ("SELECT r.code AS code FROM records r LEFT JOIN fixity f ON f.code = r.code "
               "WHERE r.current = 1 AND r.status = 'active' "
               "ORDER BY CASE WHEN f.checked_at IS NULL THEN 0 ELSE 1 END, f.checked_at, r.code LIMIT ?")
        try:
            return [r["code"] for r in self._query(sql, (int(limit),))]
        except WorkplanError as e:
            if "no such table" not in e.problems[0].message:
                raise
            return [r["code"] for r in self._query("SELECT code FROM records WHERE current = 1 AND status = 'active' "
                                                   "ORDER BY code LIMIT ?", (int(limit),))]

    @staticmethod
    def note_fixity(tx: sqlite3.Connection, code: str, checked_at: str, ok: bool, event_id: int,
                    findings: list[str]) -> None:
        """Remember a record's newest fixity check (an older one never replaces a newer one)."""
        tx.execute(_FIXITY_SCHEMA)
        row = tx.execute("SELECT event_id FROM fixity WHERE code = ?", (code,)).fetchone()
        if row is not None and int(row[0]) > event_id:
            return
        tx.execute("DELETE FROM fixity WHERE code = ?", (code,))
        tx.execute(f"INSERT INTO fixity ({', '.join(FIXITY_COLUMNS)}) VALUES (?, ?, ?, ?, ?)",
                   (code, checked_at, int(bool(ok)), int(event_id), json.dumps(findings[:20], ensure_ascii=False)))

    # --- log head ---------------------------------------------------------------------------
    def log_head(self) -> tuple[int, str] | None:
        rows = self._query("SELECT key, value FROM meta WHERE key IN ('log_head_id', 'log_head_hash')")
        d = {r["key"]: r["value"] for r in rows}
        if "log_head_id" not in d:
            return None
        return int(d["log_head_id"]), d["log_head_hash"]

    @staticmethod
    def set_log_head(db: sqlite3.Connection, event_id: int, event_hash: str, *, force: bool = False) -> None:
        """Remember the newest event seen (never moves backwards unless forced)."""
        row = db.execute("SELECT value FROM meta WHERE key = 'log_head_id'").fetchone()
        if row is not None and int(row[0]) >= event_id and not force:
            return
        db.execute("INSERT OR REPLACE INTO meta VALUES ('log_head_id', ?)", (str(event_id),))
        db.execute("INSERT OR REPLACE INTO meta VALUES ('log_head_hash', ?)", (event_hash,))

    def note_event(self, ev) -> None:
        with self.transaction() as db:
            self.set_log_head(db, ev.id, ev.hash)


def row_to_record(row: dict, root: Path) -> Record:
    try:
        return _row_to_record(row, root)
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise WorkplanError(Problem(f"the catalogue's row of {row.get('code')} v{row.get('version')} cannot be read "
                                    f"({e})", file=str(root / CATALOGUE_NAME),
                                    hint="run `workplan archive verify --repair` (rows are rewritten from the bags the "
                                         "log records)")) from None


def _row_to_record(row: dict, root: Path) -> Record:
    files = tuple(sorted((FileEntry(role, f["path"], f["size"], f["sha256"]) for role, f in row["files"].items()),
                         key=lambda e: role_sort_key(e.role)))
    return Record(
        code=row["code"], identity=row["identity"], version=row["version"], current=bool(row["current"]),
        status=row["status"], title=row["title"], title_en=row["title_en"], kind=row["kind"], issuer=row["issuer"],
        issuer_abbr=row["issuer_abbr"], doc_number=row["doc_number"], date=dt.date.fromisoformat(row["date"]),
        year=row["year"], retention=row["retention"], units=tuple(row["units"]), unit_ids=tuple(row["unit_ids"]),
        langs=tuple(row["langs"]), pages=row["pages"], roles=tuple(row["roles"]), bag_dir=root / row["bag_dir"],
        archived_at=row["archived_at"], files=files, disposed_at=row["disposed_at"])


def comparable(row: dict[str, Any]) -> dict[str, Any]:
    """A row's fields as plain values, for comparing the catalogue with the bags."""
    return {c: row.get(c) for c in COLUMNS}


def install_catalogue(new: Path, final: Path, aside_dir: Path) -> Path | None:
    """Put the catalogue built in ``new`` in place of ``final`` safely while readers have it open.

    A live catalogue is overwritten with SQLite's backup API, inside one write transaction: open
    readers keep a consistent snapshot and see the new rows at their next read, and its WAL is
    never deleted under them (deleting it, or renaming a new file over a WAL database, lets the
    last old connection checkpoint and unlink the *new* file's WAL when it closes). Only a
    catalogue that is not a database is replaced by a rename, after its files were moved into
    ``aside_dir`` (kept as evidence; the path is returned), never deleted."""
    def drop_new() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{new}{suffix}").unlink(missing_ok=True)

    if final.exists():
        src = dst = None
        try:
            src = sqlite3.connect(str(new))
            dst = sqlite3.connect(str(final), timeout=60, isolation_level=None)
            dst.execute("PRAGMA busy_timeout = 60000")
            dst.execute("PRAGMA schema_version").fetchone()  # raises if it is not a database
            src.backup(dst)
            dst.execute("PRAGMA wal_checkpoint(PASSIVE)")
            damaged = False
        except sqlite3.DatabaseError:
            damaged = True
        finally:
            for c in (src, dst):
                if c is not None:
                    c.close()
        if not damaged:
            drop_new()
            return None
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    aside = aside_dir / f"catalogue-replaced-{stamp}.sqlite"
    moved = False
    for suffix in ("", "-wal", "-shm"):  # a stale WAL beside the new file would be replayed into it
        old = Path(f"{final}{suffix}")
        if old.exists():
            os.replace(old, Path(f"{aside}{suffix}"))
            moved = True
    os.replace(new, final)
    drop_new()
    return aside if moved else None
