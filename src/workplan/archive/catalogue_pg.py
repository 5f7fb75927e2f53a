"""The catalogue and the event log in PostgreSQL: many offices writing into one archive.

The same named operations as :class:`.catalogue.Catalogue` (SQLite), in plain SQL through
psycopg 3 (a :class:`psycopg_pool.ConnectionPool` for reads, one connection for writes), and the
hash-chained event log as the table ``events`` (each entry's exact JSON line, so an export is
byte for byte the ``events.jsonl`` a folder archive would hold). Every SQL statement of the
PostgreSQL mode lives in this module.

How many writers on many machines keep the guarantees of one:

* **the write lock** is a session-level ``pg_advisory_lock`` on the writer connection
  (:meth:`PgCatalogue.write_lock`), held from resolving reservations to the commit, as ``flock``
  on ``<root>/.lock`` is for a folder archive; the server releases it when a writer dies, after
  ending that connection's transaction;
* **the log** is appended under the one-row ``event_head`` locked ``FOR UPDATE``: ids are 1, 2,
  3 … computed under that lock (never from a sequence, which leaves gaps when a transaction
  aborts), and each ``prev`` is the hash of the line before. The append runs in the very
  transaction that activates the catalogue rows, so "logged" and "committed" are one step;
* **append-only**: triggers refuse UPDATE, DELETE and TRUNCATE of ``events`` (for the owner too),
  ``event_head`` only moves forward onto an entry that exists, and the privileges to change
  either are revoked from PUBLIC.

The schema is made by numbered steps (``STEPS``) run on ``meta.schema_version`` in one
transaction; a database of a newer schema is refused.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Any, Iterator
from urllib.parse import urlsplit, urlunsplit

from ..errors import Problem, WorkplanError
from .catalogue import ACCOUNT_COLUMNS, COLUMNS, FIXITY_COLUMNS, JSON_COLUMNS
from .events import GENESIS, LOG_NAME, Event, _encode, log_entry, parse_log
from .fsutil import agent as default_agent
from .fsutil import sha256_bytes
from .record import Finding

SCHEMES = ("postgresql", "postgres")
LOCK_KEY = 0x776F726B706C616E  # "workplan": the archive's write lock (one archive per database)
CONNECT_TIMEOUT = 10  # seconds
LOCK_WAIT = "10min"  # how long a writer waits for another's lock before saying so
# How long a COMMIT waits for a synchronous standby to confirm. With its only standby down, a
# synchronous primary would make every commit wait forever; after this the commit stands on the
# primary alone (PostgreSQL cancels the wait and keeps the local commit) and the writer is warned.
SYNC_WAIT = 10.0  # seconds

# --- the schema, as numbered steps ---------------------------------------------------------
STEPS: list[tuple[int, str]] = [
    (1, f"""
CREATE TABLE records (
    code text NOT NULL, version integer NOT NULL,
    status text NOT NULL CHECK (status IN ('pending', 'active', 'superseded', 'disposed')),
    current boolean NOT NULL,
    identity text NOT NULL,
    fonds text NOT NULL, category text NOT NULL, year integer NOT NULL, retention text NOT NULL,
    org text NOT NULL, item integer NOT NULL,
    title text NOT NULL, title_en text, kind text NOT NULL, issuer text NOT NULL, issuer_abbr text NOT NULL,
    doc_number text, date text NOT NULL,
    units jsonb NOT NULL, unit_ids jsonb NOT NULL, langs jsonb NOT NULL, pages integer,
    roles jsonb NOT NULL, files jsonb NOT NULL, tagmanifest text,
    bag_dir text NOT NULL, archived_at text NOT NULL, disposed_at text,
    PRIMARY KEY (code, version)
);
CREATE INDEX records_identity ON records(identity);
CREATE INDEX records_group ON records(fonds, category, year, retention, org, item);
CREATE INDEX records_status ON records(status);

CREATE TABLE events (
    id bigint PRIMARY KEY CHECK (id > 0),
    line bytea NOT NULL,
    hash char(64) NOT NULL UNIQUE,
    prev char(64) NOT NULL,
    type text NOT NULL,
    object text NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE event_head (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    id bigint NOT NULL,
    hash char(64) NOT NULL
);
INSERT INTO event_head VALUES (true, 0, '{GENESIS}');

CREATE FUNCTION workplan_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only: % of % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER events_no_change BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION workplan_events_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION workplan_events_append_only();
CREATE TRIGGER event_head_no_delete BEFORE DELETE ON event_head
    FOR EACH ROW EXECUTE FUNCTION workplan_events_append_only();
CREATE TRIGGER event_head_no_truncate BEFORE TRUNCATE ON event_head
    FOR EACH STATEMENT EXECUTE FUNCTION workplan_events_append_only();

CREATE FUNCTION workplan_event_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id <= OLD.id OR NOT EXISTS (SELECT 1 FROM events WHERE id = NEW.id AND hash = NEW.hash) THEN
        RAISE EXCEPTION 'the event log head only moves forward onto a logged entry (#% refused)', NEW.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER event_head_forward BEFORE UPDATE ON event_head
    FOR EACH ROW EXECUTE FUNCTION workplan_event_head_forward();

CREATE FUNCTION workplan_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('workplan_events', '');
    RETURN NULL;
END $$;
CREATE TRIGGER events_notify AFTER INSERT ON events
    FOR EACH STATEMENT EXECUTE FUNCTION workplan_events_notify();

REVOKE UPDATE, DELETE, TRUNCATE ON events, event_head FROM PUBLIC;
"""),
    # people (see .accounts; a rebuild leaves them: they are not in the bags) and each record's
    # last fixity check (derived from the log's fixity-check events: a rebuild recomputes it)
    (2, """
CREATE TABLE accounts (
    name text PRIMARY KEY, role text NOT NULL, password text NOT NULL, disabled integer NOT NULL,
    created_at text NOT NULL, changed_at text NOT NULL
);
CREATE TABLE fixity (
    code text PRIMARY KEY, checked_at text NOT NULL, ok boolean NOT NULL, event_id bigint NOT NULL,
    findings jsonb NOT NULL
);
"""),
]
SCHEMA_VERSION = STEPS[-1][0]

_META = "CREATE TABLE IF NOT EXISTS meta (key text PRIMARY KEY, value text NOT NULL)"
_GET_VERSION = "SELECT value FROM meta WHERE key = 'schema_version'"
_SET_VERSION = ("INSERT INTO meta VALUES ('schema_version', %s) "
                "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value")
_INSERT = f"INSERT INTO records ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"


def is_url(text: str | None) -> bool:
    """Whether ``text`` names a PostgreSQL database (``postgresql://…``)."""
    return bool(text) and str(text).split("://", 1)[0].lower() in SCHEMES and "://" in str(text)


def shown(url: str) -> str:
    """The URL without its password, for messages and the configuration."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "postgresql://…"
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = (parts.username or "") + ":***"
    return urlunsplit(parts._replace(netloc=f"{user}@{netloc[-1]}"))


def _psycopg():
    try:
        import psycopg
        from psycopg.rows import dict_row
        from psycopg.types.json import Jsonb
        from psycopg_pool import ConnectionPool
    except ImportError:
        raise WorkplanError(Problem("the PostgreSQL catalogue needs psycopg and psycopg-pool, which are not installed",
                                    hint='install them with `pip install "workplan[pg]"` (scripts/setup does)')) \
            from None
    return psycopg, dict_row, Jsonb, ConnectionPool


class CommitUnknown(WorkplanError):
    """The connection was lost while committing: whether the transaction committed is not known
    until the next writer (or ``verify --repair``) looks at the log."""


def _db_error(e: Exception, url: str) -> WorkplanError:
    psycopg = _psycopg()[0]
    where = shown(url)
    if isinstance(e, psycopg.OperationalError):
        return WorkplanError(Problem(f"cannot use the catalogue database: {str(e).strip().splitlines()[0]}",
                                     file=where, hint="check that the PostgreSQL server is running and reachable "
                                                      "(the archive's catalogue URL is in archive.json), then "
                                                      "run the command again; nothing half-made is kept"))
    if isinstance(e, psycopg.errors.InsufficientPrivilege):
        return WorkplanError(Problem(f"the catalogue database refused: {str(e).strip().splitlines()[0]}",
                                     file=where, hint="the event log is append-only; nothing was changed"))
    if isinstance(e, psycopg.errors.ReadOnlySqlTransaction):
        return WorkplanError(Problem("the catalogue database is read-only (a standby): nothing was written",
                                     file=where, hint="write through the primary server; a standby serves reading"))
    return WorkplanError(Problem(f"cannot use the catalogue database: {str(e).strip().splitlines()[0]}", file=where,
                                 hint="run `workplan archive verify`"))


def connect(url: str, *, autocommit: bool = True):
    """One connection to the database at ``url`` (rows as dicts), or a clear WorkplanError."""
    psycopg, dict_row, _Jsonb, _Pool = _psycopg()
    try:
        return psycopg.connect(url, autocommit=autocommit, row_factory=dict_row, connect_timeout=CONNECT_TIMEOUT,
                               application_name="workplan")
    except psycopg.Error as e:
        raise _db_error(e, url) from None


def migrate(db, url: str) -> int:
    """Bring the schema up to :data:`SCHEMA_VERSION` by running the numbered steps it lacks, in
    one transaction (concurrent callers wait for each other); returns the version found."""
    psycopg = _psycopg()[0]
    try:
        with db.transaction():
            db.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY - 1,))
            db.execute(_META)
            row = db.execute(_GET_VERSION).fetchone()
            found = int(row["value"]) if row else 0
            if found > SCHEMA_VERSION:
                raise WorkplanError(Problem(f"the catalogue database has schema version {found}; this workplan knows "
                                            f"up to {SCHEMA_VERSION}", file=shown(url),
                                            hint="use a newer workplan with this archive"))
            for number, sql in STEPS:
                if number > found:
                    db.execute(sql)
            if found < SCHEMA_VERSION:
                db.execute(_SET_VERSION, (str(SCHEMA_VERSION),))
    except psycopg.Error as e:
        raise _db_error(e, url) from None
    return found


class PgCatalogue:
    """The catalogue in PostgreSQL: the operations of :class:`.catalogue.Catalogue`."""

    kind = "postgresql"

    def __init__(self, url: str, *, create: bool = False, read_only: bool = False):
        psycopg, dict_row, self._Jsonb, ConnectionPool = _psycopg()
        self.url = url
        self.path = shown(url)  # named in messages where a folder archive names its file
        self.read_only = read_only and not create
        self._tx_lock = threading.RLock()
        self._lock_depth = 0  # >0 while the advisory lock is held on self.db
        self.db = connect(url)
        try:
            if create:
                migrate(self.db, url)
            else:
                try:
                    row = self.db.execute(_GET_VERSION).fetchone()
                except psycopg.errors.UndefinedTable:
                    row = None
                if row is None or int(row["value"]) != SCHEMA_VERSION:
                    raise WorkplanError(Problem("the catalogue database holds no workplan catalogue of this version",
                                                file=self.path,
                                                hint="check the catalogue URL in archive.json (create one with "
                                                     "`workplan archive init --catalogue URL`)"))
            self.in_recovery = bool(self.db.execute("SELECT pg_is_in_recovery() AS r").fetchone()["r"])
        except psycopg.Error as e:
            self.db.close()
            raise _db_error(e, url) from None
        except WorkplanError:
            self.db.close()
            raise
        self.read_only = self.read_only or self.in_recovery
        self.db.add_notice_handler(self._notice)
        self.pool = ConnectionPool(url, min_size=1, max_size=4, open=False, name="workplan-catalogue",
                                   kwargs={"autocommit": True, "row_factory": dict_row,
                                           "connect_timeout": CONNECT_TIMEOUT, "application_name": "workplan"})

    def close(self) -> None:
        for c in (getattr(self, "pool", None), getattr(self, "db", None)):
            try:
                if c is not None:
                    c.close()
            except Exception:  # noqa: BLE001 - closing what may already be gone
                pass

    # --- plumbing -----------------------------------------------------------------------------
    def _reconnect(self) -> None:
        """A writer connection lost (a server restart) is replaced before the next write."""
        if self.db.closed or self.db.broken:
            self.db = connect(self.url)
            self.db.add_notice_handler(self._notice)

    def _notice(self, diag) -> None:
        text = diag.message_primary or ""
        if "synchronous replication" in text:
            import sys
            print(f"warning: the synchronous standby did not confirm the commit within {SYNC_WAIT:.0f} s: it is on the "
                  f"primary only ({shown(self.url)}); check the standby", file=sys.stderr)

    @contextmanager
    def write_lock(self, *, shared: bool = False) -> Iterator[None]:
        """The archive's write lock across machines: a session-level advisory lock on the writer
        connection, released on exit, or by the server when the holder dies -- after the
        server has ended that connection's transaction, so a next writer never sees a dead
        writer's transaction still open."""
        psycopg = _psycopg()[0]
        with self._tx_lock:
            self._reconnect()
            try:
                self.db.execute(f"SET lock_timeout = '{LOCK_WAIT}'")
                self.db.execute("SELECT pg_advisory_lock_shared(%s)" if shared else "SELECT pg_advisory_lock(%s)",
                                (LOCK_KEY,))
            except psycopg.errors.LockNotAvailable:
                raise WorkplanError(Problem(f"another writer has held the archive's lock for over {LOCK_WAIT}",
                                            file=self.path, hint="wait for it, then run the command again")) from None
            except psycopg.Error as e:
                raise _db_error(e, self.url) from None
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
                try:
                    if not self.db.closed:
                        self.db.execute("SELECT pg_advisory_unlock_shared(%s)" if shared
                                        else "SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
                except psycopg.Error:
                    pass  # a lost connection: the server has released it

    @contextmanager
    def transaction(self):
        """One transaction on the writer connection (rolled back on any exception). A lost
        connection while committing raises :class:`CommitUnknown`."""
        psycopg = _psycopg()[0]
        if self.read_only:
            raise WorkplanError(Problem("the catalogue database is read-only (a standby, or opened read-only): "
                                        "nothing was written", file=self.path,
                                        hint="write through the primary server"))
        with self._tx_lock:
            if self._lock_depth == 0:
                self._reconnect()  # never under the advisory lock: it went with the old session
            try:
                self.db.execute("BEGIN")
            except psycopg.Error as e:
                raise _db_error(e, self.url) from None
            try:
                yield self.db
            except BaseException as e:
                try:
                    self.db.execute("ROLLBACK")
                except psycopg.Error:
                    pass
                if isinstance(e, psycopg.Error):
                    raise _db_error(e, self.url) from None
                raise
            try:
                self._commit()
            except psycopg.Error as e:
                err = _db_error(e, self.url)
                raise CommitUnknown(Problem(
                    "the connection to the catalogue database was lost while committing: "
                    + err.problems[0].message, file=self.path,
                    hint="run `workplan archive verify --repair` once the server is back (it completes or undoes "
                         "the interrupted write, as the log says)")) from None

    def _commit(self) -> None:
        """COMMIT, its wait for a synchronous standby bounded by SYNC_WAIT: then the wait is
        cancelled (PostgreSQL keeps the local commit and says so in a warning, see _notice).
        A statement timeout cannot do this: it is switched off before the commit starts."""
        done = threading.Event()
        db = self.db

        def cancel() -> None:
            if not done.is_set():
                try:
                    (getattr(db, "cancel_safe", None) or db.cancel)()
                except Exception:  # noqa: BLE001 - the commit may just have ended
                    pass

        timer = threading.Timer(SYNC_WAIT, cancel)
        timer.daemon = True
        timer.start()
        try:
            db.execute("COMMIT")
        finally:
            done.set()
            timer.cancel()

    def _query(self, sql: str, params: tuple = ()) -> list[dict]:
        psycopg = _psycopg()[0]
        try:
            if self.pool.closed:
                self.pool.open(wait=True, timeout=CONNECT_TIMEOUT)
            for attempt in (1, 2):  # a read on a connection a server restart broke is tried once more
                try:
                    with self.pool.connection(timeout=CONNECT_TIMEOUT) as c:
                        return c.execute(sql, params).fetchall()
                except psycopg.OperationalError:
                    if attempt == 2:
                        raise
            raise AssertionError("unreachable: the second attempt returns or raises")
        except psycopg.Error as e:
            raise _db_error(e, self.url) from None
        except Exception as e:  # noqa: BLE001 - the pool's own time-outs
            if type(e).__name__ in ("PoolTimeout", "TooManyRequests"):
                raise WorkplanError(Problem(f"cannot reach the catalogue database ({e})", file=self.path,
                                            hint="check that the PostgreSQL server is running")) from None
            raise

    def _rows(self, where: str = "", params: tuple = ()) -> list[dict]:
        return self._query(f"SELECT {', '.join(COLUMNS)} FROM records {where}", params)

    def _insert(self, tx, row: dict) -> None:
        vals = [self._Jsonb(row[c]) if c in JSON_COLUMNS else row.get(c) for c in COLUMNS]
        vals[COLUMNS.index("current")] = bool(row.get("current"))
        tx.execute(_INSERT, vals)

    # --- queries ----------------------------------------------------------------------------
    def select(self, *, current_only: bool = True, year: int | None = None, kind: str | None = None,
               retention: str | None = None) -> list[dict]:
        where = ["status <> 'pending'"]
        params: list = []
        if current_only:
            where.append("current")
        if year is not None:
            where.append("year = %s")
            params.append(int(year))
        if kind is not None:
            where.append("kind = %s")
            params.append(kind)
        if retention is not None:
            where.append("retention = %s")
            params.append(retention)
        return self._rows("WHERE " + " AND ".join(where) + " ORDER BY code, version", tuple(params))

    def versions_of(self, code: str) -> list[dict]:
        return self._rows("WHERE code = %s AND status <> 'pending' ORDER BY version", (code,))

    def by_identity(self, identity: str) -> list[dict]:
        return self._rows("WHERE identity = %s AND status <> 'pending' ORDER BY code, version", (identity,))

    def codes(self) -> list[str]:
        return [r["code"] for r in self._query("SELECT DISTINCT code FROM records WHERE status <> 'pending'")]

    COUNTABLE = ("year", "kind", "retention", "issuer", "org")

    def counts(self, column: str) -> list[tuple[Any, int]]:
        if column not in self.COUNTABLE:
            raise ValueError(f"cannot count by {column!r}")
        return [(r["v"], r["n"]) for r in self._query(
            f"SELECT {column} AS v, COUNT(*) AS n FROM records WHERE current AND status = 'active' "
            f"GROUP BY {column} ORDER BY n DESC, {column}")]

    def latest_of_identity(self, identity: str, tx=None) -> dict | None:
        sql = ("SELECT code, version, status, year, retention, org FROM records WHERE identity = %s "
               + ("" if tx is not None else "AND status <> 'pending' ") + "ORDER BY version DESC LIMIT 1")
        if tx is None:
            rows = self._query(sql, (identity,))
            return rows[0] if rows else None
        return tx.execute(sql, (identity,)).fetchone()

    @staticmethod
    def latest_of_identities(tx, identities: list[str]) -> dict[str, dict]:
        """The newest version (pending ones included) of each identity, in one statement."""
        rows = tx.execute("SELECT DISTINCT ON (identity) identity, code, version, status, year, retention, org "
                          "FROM records WHERE identity = ANY(%s) ORDER BY identity, version DESC",
                          (list(dict.fromkeys(identities)),)).fetchall()
        return {r["identity"]: {k: v for k, v in r.items() if k != "identity"} for r in rows}

    def pending(self) -> list[dict]:
        return self._rows("WHERE status = 'pending' ORDER BY code, version")

    def all_rows(self) -> list[dict]:
        return self._rows("ORDER BY code, version")

    # --- writes -------------------------------------------------------------------------------
    @staticmethod
    def batch(tx):
        """Statements whose results nobody reads, sent together (one round trip, not one each)."""
        return tx.pipeline()

    @staticmethod
    def next_item(tx, fonds: str, category: str, year: int, retention: str, org: str) -> int:
        return tx.execute("SELECT COALESCE(MAX(item), 0) + 1 AS n FROM records WHERE fonds = %s AND category = %s "
                          "AND year = %s AND retention = %s AND org = %s",
                          (fonds, category, year, retention, org)).fetchone()["n"]

    def reserve(self, tx, row: dict) -> None:
        self._insert(tx, dict(row, status="pending", current=False))

    def activate(self, tx, row: dict) -> None:
        code, version = row["code"], row["version"]
        tx.execute("DELETE FROM records WHERE code = %s AND version = %s", (code, version))
        self._insert(tx, dict(row, status="active", current=True))
        tx.execute("UPDATE records SET status = 'superseded', current = false "
                   "WHERE code = %s AND version < %s AND status IN ('active', 'superseded')", (code, version))

    @staticmethod
    def drop_pending(tx, code: str, version: int) -> None:
        tx.execute("DELETE FROM records WHERE code = %s AND version = %s AND status = 'pending'", (code, version))

    def replace_code(self, tx, code: str, rows: list[dict], *, keep_pending: bool = True) -> None:
        tx.execute("DELETE FROM records WHERE code = %s" + (" AND status <> 'pending'" if keep_pending else ""),
                   (code,))
        for r in rows:
            self._insert(tx, r)

    def replace_all(self, rows: list[dict]) -> None:
        """Rebuild: every row (pending ones too) replaced by ``rows``, in one transaction."""
        with self.transaction() as tx:
            tx.execute("DELETE FROM records")
            for r in rows:
                self._insert(tx, r)

    def load(self, lines: list[bytes], rows: list[dict]) -> None:
        """Migration: an empty database takes a folder archive's log (each line as it is, the
        head moved onto the last) and its catalogue rows, in one transaction."""
        import json as _json
        with self.transaction() as tx:
            if tx.execute("SELECT count(*) AS n FROM events").fetchone()["n"] or \
                    tx.execute("SELECT count(*) AS n FROM records").fetchone()["n"]:
                raise WorkplanError(Problem("the catalogue database already holds an archive: nothing was moved",
                                            file=self.path, hint="migrate into an empty database"))
            prev = GENESIS
            with tx.cursor() as cur:
                for line in lines:
                    entry = _json.loads(line)
                    h = sha256_bytes(line)
                    cur.execute("INSERT INTO events (id, line, hash, prev, type, object) "
                                "VALUES (%s, %s, %s, %s, %s, %s)",
                                (entry["id"], line, h, entry["prev"], entry["type"], entry["object"]))
                    prev = h
            if lines:
                self.move_head(tx, _json.loads(lines[-1])["id"], prev)
            for r in rows:
                self._insert(tx, r)

    def replace_fixity(self, fixity: list[dict]) -> None:
        """Rebuild: each record's last fixity check, as the log records it."""
        with self.transaction() as tx:
            tx.execute("DELETE FROM fixity")
            for f in fixity:
                self.note_fixity(tx, f["code"], f["checked_at"], f["ok"], f["event_id"], f["findings"])

    # --- accounts -------------------------------------------------------------------------------
    def accounts(self) -> list[dict]:
        """Every account (with its password hash), by name."""
        return self._query(f"SELECT {', '.join(ACCOUNT_COLUMNS)} FROM accounts ORDER BY name")

    def account(self, name: str) -> dict | None:
        rows = self._query(f"SELECT {', '.join(ACCOUNT_COLUMNS)} FROM accounts WHERE name = %s", (name,))
        return rows[0] if rows else None

    def has_accounts(self) -> bool:
        """Whether there is any account (the archive then requires them)."""
        return bool(self._query("SELECT 1 AS one FROM accounts LIMIT 1"))

    @staticmethod
    def add_account(tx, row: dict) -> None:
        tx.execute(f"INSERT INTO accounts ({', '.join(ACCOUNT_COLUMNS)}) "
                   f"VALUES ({', '.join(['%s'] * len(ACCOUNT_COLUMNS))})", [row[c] for c in ACCOUNT_COLUMNS])

    @staticmethod
    def set_account_role(tx, name: str, role: str, at: str) -> None:
        tx.execute("UPDATE accounts SET role = %s, changed_at = %s WHERE name = %s", (role, at, name))

    @staticmethod
    def set_account_disabled(tx, name: str, disabled: bool, at: str) -> None:
        tx.execute("UPDATE accounts SET disabled = %s, changed_at = %s WHERE name = %s", (int(disabled), at, name))

    @staticmethod
    def set_account_password(tx, name: str, password: str, at: str) -> None:
        tx.execute("UPDATE accounts SET password = %s, changed_at = %s WHERE name = %s", (password, at, name))

    # --- the last fixity check of each record ---------------------------------------------------
    def fixity_of(self, codes: list[str]) -> dict[str, dict]:
        """code → its last fixity check (checked_at, ok, event_id, findings), for those checked."""
        codes = list(dict.fromkeys(codes))
        if not codes:
            return {}
        rows = self._query(f"SELECT {', '.join(FIXITY_COLUMNS)} FROM fixity WHERE code = ANY(%s)", (codes,))
        return {r["code"]: dict(r, ok=bool(r["ok"]), findings=list(r["findings"] or [])) for r in rows}

    def damaged_codes(self) -> list[str]:
        """Codes whose last fixity check failed."""
        return [r["code"] for r in self._query("SELECT code FROM fixity WHERE NOT ok ORDER BY code")]

    def least_recently_checked(self, limit: int) -> list[str]:
        """Current records that are not disposed, never checked first, then checked longest ago."""
        return [r["code"] for r in self._query(
            "SELECT r.code AS code FROM records r LEFT JOIN fixity f ON f.code = r.code "
            "WHERE r.current AND r.status = 'active' "
            "ORDER BY (f.checked_at IS NOT NULL), f.checked_at, r.code LIMIT %s", (int(limit),))]

    def note_fixity(self, tx, code: str, checked_at: str, ok: bool, event_id: int, findings: list[str]) -> None:
        """Remember a record's newest fixity check (an older one never replaces a newer one)."""
        tx.execute("INSERT INTO fixity (code, checked_at, ok, event_id, findings) VALUES (%s, %s, %s, %s, %s) "
                   "ON CONFLICT (code) DO UPDATE SET checked_at = EXCLUDED.checked_at, ok = EXCLUDED.ok, "
                   "event_id = EXCLUDED.event_id, findings = EXCLUDED.findings "
                   "WHERE fixity.event_id <= EXCLUDED.event_id",
                   (code, checked_at, bool(ok), int(event_id), self._Jsonb(list(findings)[:20])))

    # --- the log's head: the database holds the log, so its head is the event_head row ----------
    # --- the job queue's tables (see workplan.jobs) -------------------------------------------
    def ensure_queue(self, queue_schema: str) -> bool:
        """The job queue's tables in this database: the queue's own (``queue_schema``, run once,
        when ``procrastinate_jobs`` is missing) and the reports of workplan's jobs. Returns
        whether anything was made. Concurrent callers wait for each other."""
        psycopg = _psycopg()[0]
        if self.read_only:
            raise WorkplanError(Problem("the catalogue database is read-only (a standby): jobs cannot be queued here",
                                        file=self.path, hint="queue jobs through the primary server"))
        try:
            with self.pool_connection() as c, c.transaction():
                c.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY - 2,))
                have = c.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL AS q, "
                                 "to_regclass('job_reports') IS NOT NULL AS r").fetchone()
                if not have["q"]:
                    c.execute(queue_schema)
                if not have["r"]:
                    c.execute("CREATE TABLE job_reports (job_id bigint PRIMARY KEY, task text NOT NULL, "
                              "state text NOT NULL, progress text NOT NULL DEFAULT '', result jsonb, error text, "
                              "updated_at timestamptz NOT NULL DEFAULT now())")
                return not (have["q"] and have["r"])
        except psycopg.Error as e:
            raise _db_error(e, self.url) from None

    def note_job(self, job_id: int, task: str, state: str, *, progress: str = "", result: Any = None,
                 error: str | None = None) -> None:
        """What a job is doing or did (``state``: queued, running, done, failed), for whoever
        asks about it (the worker writes it; the queue's own status says only todo/doing/...)."""
        psycopg = _psycopg()[0]
        try:
            with self.pool_connection() as c:
                c.execute("INSERT INTO job_reports (job_id, task, state, progress, result, error) "
                          "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (job_id) DO UPDATE SET task = EXCLUDED.task, "
                          "state = EXCLUDED.state, progress = EXCLUDED.progress, result = EXCLUDED.result, "
                          "error = EXCLUDED.error, updated_at = now()",
                          (job_id, task, state, progress, None if result is None else self._Jsonb(result), error))
        except psycopg.Error as e:
            raise _db_error(e, self.url) from None

    def job_reports(self, job_ids: list[int] | None = None, limit: int = 50) -> list[dict]:
        """The reports of the given jobs (or the newest ``limit``), newest first, each with the
        queue's own status of the job (todo, doing, succeeded, failed, …) when it still has it."""
        sql = ("SELECT r.job_id, r.task, r.state, r.progress, r.result, r.error, r.updated_at::text AS updated_at, "
               "j.status::text AS queue_status FROM job_reports r LEFT JOIN procrastinate_jobs j ON j.id = r.job_id ")
        if job_ids is not None:
            return self._query(sql + "WHERE r.job_id = ANY(%s) ORDER BY r.job_id DESC", (list(job_ids),))
        return self._query(sql + "ORDER BY r.job_id DESC LIMIT %s", (limit,))

    def live_workers(self, within: float = 30.0) -> int:
        """How many queue workers reported themselves alive in the last ``within`` seconds."""
        rows = self._query("SELECT count(*) AS n FROM procrastinate_workers "
                           "WHERE last_heartbeat > now() - make_interval(secs => %s)", (within,)) \
            if self._query("SELECT to_regclass('procrastinate_workers') IS NOT NULL AS q")[0]["q"] else [{"n": 0}]
        return int(rows[0]["n"])

    @contextmanager
    def pool_connection(self):
        """A pooled autocommit connection (opened on first use)."""
        if self.pool.closed:
            self.pool.open(wait=True, timeout=CONNECT_TIMEOUT)
        with self.pool.connection(timeout=CONNECT_TIMEOUT) as c:
            yield c

    def log_head(self) -> tuple[int, str] | None:
        rows = self._query("SELECT id, hash FROM event_head")
        if not rows or rows[0]["id"] == 0:
            return None
        return int(rows[0]["id"]), str(rows[0]["hash"])

    @staticmethod
    def set_log_head(db, event_id: int, event_hash: str, *, force: bool = False) -> None:
        """Nothing to remember: the head moves with every append, in the same transaction."""

    def note_event(self, ev) -> None:
        """Nothing to remember (see :meth:`set_log_head`)."""

    # --- the event log's statements (used by :class:`PgEventLog`) ----------------------------
    def lock_head(self, tx) -> tuple[int, str]:
        row = tx.execute("SELECT id, hash FROM event_head FOR UPDATE").fetchone()
        return int(row["id"]), str(row["hash"])

    @staticmethod
    def insert_event(tx, event_id: int, line: bytes, h: str, prev: str, type_: str, object_: str) -> None:
        tx.execute("INSERT INTO events (id, line, hash, prev, type, object) VALUES (%s, %s, %s, %s, %s, %s)",
                   (event_id, line, h, prev, type_, object_))

    @staticmethod
    def move_head(tx, event_id: int, h: str) -> None:
        tx.execute("UPDATE event_head SET id = %s, hash = %s", (event_id, h))

    def event_lines(self, after: int = 0) -> list[bytes]:
        """The log's lines (exact bytes) with ids above ``after``, oldest first."""
        return [bytes(r["line"]) for r in self._query("SELECT line FROM events WHERE id > %s ORDER BY id", (after,))]

    def event_lines_backwards(self, batch: int = 500):
        """The log's lines, newest first, read in batches (only as far as the caller reads)."""
        below = None
        while True:
            rows = self._query("SELECT id, line FROM events " + ("WHERE id < %s " if below is not None else "")
                               + "ORDER BY id DESC LIMIT %s", ((below, batch) if below is not None else (batch,)))
            for r in rows:
                yield bytes(r["line"])
            if len(rows) < batch:
                return
            below = rows[-1]["id"]

    def head_and_last(self) -> tuple[tuple[int, str], tuple[int, str] | None]:
        """The head row and the newest entry, read in one statement (one snapshot: a writer
        committing in between cannot make them look apart)."""
        r = self._query("SELECT h.id, h.hash, e.id AS last_id, e.hash AS last_hash FROM event_head h "
                        "LEFT JOIN LATERAL (SELECT id, hash FROM events ORDER BY id DESC LIMIT 1) e ON true")[0]
        last = None if r["last_id"] is None else (int(r["last_id"]), str(r["last_hash"]))
        return (int(r["id"]), str(r["hash"])), last


class PgEventLog:
    """The hash-chained event log in the ``events`` table (see the module docstring): the
    operations of :class:`.events.EventLog`, for an archive whose catalogue is in PostgreSQL."""

    protocol = "database"

    def __init__(self, catalogue, *, agent: str | None = None):
        self._catalogue = catalogue  # () -> PgCatalogue (opened when first used)
        self.agent = agent or default_agent()
        self.path = None

    @property
    def cat(self) -> PgCatalogue:
        return self._catalogue()

    def _entry(self, id_: int, type: str, object: str, detail: Any, outcome: str, prev: str) -> dict:
        return log_entry(self.agent, id_, type, object, detail, outcome, prev)  # as a folder archive's log

    # --- writing ------------------------------------------------------------------------------
    def append(self, type: str, object: str, detail: Any = None, outcome: str = "success", *,
               accept_head: bool = False) -> Event:
        return self.append_many([(type, object, detail, outcome)])[-1]

    def append_many(self, items: list[tuple], *, tx=None) -> list[Event]:
        """Append events in order under the head row's lock, in ``tx`` (the caller's transaction,
        committed by it) or in a transaction of their own."""
        if tx is None:
            with self.cat.transaction() as own:
                return self.append_many(items, tx=own)
        cat = self.cat
        last_id, prev = cat.lock_head(tx)
        events: list[Event] = []
        with cat.batch(tx):
            last_id, prev = self._insert_all(cat, tx, items, last_id, prev, events)
            if events:
                cat.move_head(tx, last_id, prev)
        return events

    def _insert_all(self, cat, tx, items, last_id: int, prev: str, events: list) -> tuple[int, str]:
        for item in items:
            type_, object_, detail = item[0], item[1], item[2]
            outcome = item[3] if len(item) > 3 else "success"
            entry = self._entry(last_id + 1, type_, object_, detail, outcome, prev)
            line = _encode(entry)
            h = sha256_bytes(line)
            cat.insert_event(tx, entry["id"], line, h, prev, type_, object_)
            events.append(Event(**entry, hash=h))
            last_id, prev = entry["id"], h
        return last_id, prev

    def seal(self) -> list[Event]:
        """Nothing to seal: a database holds no torn line."""
        return []

    # --- reading ------------------------------------------------------------------------------
    def export_bytes(self) -> bytes:
        """The log as ``events.jsonl`` would hold it, byte for byte."""
        return b"".join(line + b"\n" for line in self.cat.event_lines())

    def read(self) -> tuple[list[Event], list[Finding]]:
        try:
            raw = self.export_bytes()
        except WorkplanError as e:
            return [], [Finding(f"the event log cannot be read: {e.problems[0].message}", file=LOG_NAME,
                                kind="log-missing", hint="check the catalogue database")]
        return parse_log(raw)

    def lines_backwards(self):
        return self.cat.event_lines_backwards()

    def read_head(self) -> dict | None:
        head = self.cat.log_head()
        return None if head is None else {"id": head[0], "hash": head[1]}

    def check_head(self, fd=None) -> Finding | None:
        """Whether the table still ends at the head row (None when it does)."""
        try:
            head, last = self.cat.head_and_last()
        except WorkplanError as e:
            return Finding(f"cannot read the event log: {e.problems[0].message}", file=LOG_NAME, kind="log-missing")
        if head[0] == 0 and last is None:
            return None
        if last != head:
            return Finding(f"the event log does not end at its recorded head (head #{head[0]}, last entry "
                           f"#{last[0] if last else 0}): entries were removed", file=LOG_NAME, kind="log-truncated",
                           hint="restore the database from a backup; compare with an exported events.jsonl")
        return None
