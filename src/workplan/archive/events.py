"""The audit trail: an append-only, hash-chained JSON Lines file (``<root>/events.jsonl``).

Each line is one event with the PREMIS fields ``id`` (1, 2, 3, ...), ``type``, ``time`` (UTC,
ISO 8601), ``agent`` (``workplan/<version> <user>@<host>``), ``object`` (an archival code, or
``archive``), ``outcome`` (``success`` | ``failure``) and ``detail``, plus ``prev``: the SHA-256
of the previous line's bytes (64 zeros for the first). Editing any line breaks the link from the
next line; deleting a line breaks the links and the id sequence; removing lines from the end is
caught against the log head the catalogue remembers (see :mod:`.catalogue`).

Writers hold an exclusive ``flock`` on the file while they read the last line and append, and
fsync before releasing it.

A log is never rewritten, and no byte of it is ever dropped. When the file does not end with a
newline (a torn write, a careless edit), the next writer (or ``verify --repair``) keeps what is
there as evidence and appends after it, in the same single write:

* if the unfinished line is a whole entry that only lost its newline, the newline is restored and
  a ``repair`` entry notes it; the chain goes on from that entry;
* otherwise the fragment becomes a line of its own and a ``repair`` entry acknowledges it
  (``detail.fragment``: its line, length and SHA-256; its ``prev`` is the fragment's hash), so the
  chain is whole and the fragment stays readable as evidence. ``read`` reports an acknowledged
  fragment as nothing wrong, an unacknowledged one as ``log-incomplete``.
"""
from __future__ import annotations

import errno
import fcntl
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Problem, WorkplanError
from .fsutil import agent as default_agent
from .fsutil import atomic_replace, now_iso, read_regular, sha256_bytes
from .findings import Finding

GENESIS = "0" * 64
EVENT_TYPES = ("init", "ingestion", "new-version", "fixity-check", "export", "disposal", "repair",
               "rebuild-catalogue", "adoption", "log-accepted", "anchor", "account-added", "account-role",
               "account-disabled", "account-enabled", "account-password", "sign-in", "sign-in-failed", "sign-out",
               "migration")
FIELDS = ("id", "type", "time", "agent", "object", "outcome", "detail", "prev")
LOG_NAME = "events.jsonl"
HEAD_NAME = "events.head"  # {"id", "hash", "bytes"} of the newest entry: a cut log cannot hide
TRUNCATED_HINT = ("restore events.jsonl from a backup; if the entries are truly lost, an archivist records that "
                  "with `workplan archive accept-log --reason ...` (every record they named then needs "
                  "`workplan archive adopt`)")


@dataclass
class Event:
    id: int
    type: str
    time: str
    agent: str
    object: str
    outcome: str
    detail: Any
    prev: str
    hash: str = field(default="", compare=False)  # sha256 of this line (not stored in the line)
    line: int = field(default=0, compare=False)

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in FIELDS} | {"hash": self.hash}


def _encode(entry: dict) -> bytes:
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _last_line(fd: int, size: int) -> tuple[bytes | None, int]:
    """The last complete line (without its newline) and the offset just after it.

    Bytes after the last newline are an interrupted write; the offset lets the caller cut them.
    """
    if size == 0:
        return None, 0
    pos = size
    chunk = 8192
    tail = b""
    while pos > 0:
        start = max(0, pos - chunk)
        tail = os.pread(fd, pos - start, start) + tail
        pos = start
        # need the last newline and the one before it
        last_nl = tail.rfind(b"\n")
        if last_nl == -1:
            if pos == 0:
                return None, 0
            chunk *= 2
            continue
        prev_nl = tail.rfind(b"\n", 0, last_nl)
        if prev_nl != -1 or pos == 0:
            end = pos + last_nl + 1
            return tail[prev_nl + 1:last_nl], end
        chunk *= 2
    return None, 0


class LogCut(WorkplanError):
    """The log is shorter than (or differs from) the head recorded beside it: entries were removed."""


def log_entry(agent: str, id_: int, type: str, object: str, detail: Any, outcome: str, prev: str) -> dict:
    """One event, field for field as every log writes it (a folder's events.jsonl, PostgreSQL's table)."""
    return {"id": id_, "type": type, "time": now_iso(), "agent": agent, "object": object,
            "outcome": outcome, "detail": detail, "prev": prev}


class EventLog:
    def __init__(self, path: Path, *, agent: str | None = None, fallback_head=None):
        self.path = path
        self.head_path = path.with_name(HEAD_NAME)
        self.agent = agent or default_agent()
        # () -> (id, hash) or None: the catalogue's record of the head, consulted when the head file is missing
        self.fallback_head = fallback_head

    # --- the head: the newest entry, kept beside the log --------------------------------------
    def read_head(self) -> dict | None:
        """The recorded head ``{"id", "hash", "bytes"}``, or None when there is no head file."""
        try:
            raw = read_regular(self.head_path)
        except FileNotFoundError:
            return None
        except OSError as e:
            raise LogCut(Problem(f"cannot read the log's head: {e.strerror or e}", file=HEAD_NAME,
                                 hint=TRUNCATED_HINT)) from None
        try:
            head = json.loads(raw)
            if not (isinstance(head, dict) and isinstance(head.get("id"), int) and isinstance(head.get("hash"), str)
                    and isinstance(head.get("bytes"), int)):
                raise ValueError("not a head record")
        except (ValueError, UnicodeDecodeError):
            raise LogCut(Problem("the log's head file is damaged", file=HEAD_NAME, hint=TRUNCATED_HINT)) from None
        return head

    def check_head(self, fd: int | None = None) -> Finding | None:
        """Whether the log still holds the head recorded beside it (None when it does)."""
        own = fd is None
        if own:
            try:
                fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            except FileNotFoundError:
                fd = None
            except OSError as e:
                return Finding(f"cannot open the event log: {e.strerror}", file=LOG_NAME, kind="log-missing",
                               hint=TRUNCATED_HINT)
        try:
            self._check_head(fd)
            return None
        except LogCut as e:
            p = e.problems[0]
            return Finding(p.message, file=p.file, kind="log-truncated", hint=p.hint)
        finally:
            if own and fd is not None:
                os.close(fd)

    def _check_head(self, fd: int | None) -> None:
        size = 0 if fd is None else os.fstat(fd).st_size
        head = self.read_head()
        if head is None:
            try:
                hint = self.fallback_head() if self.fallback_head else None
            except WorkplanError:
                hint = None
            if hint is None:
                if size == 0:
                    return  # a new archive: nothing written yet
                raise LogCut(Problem(f"the log's head file {HEAD_NAME} is missing and the catalogue does not "
                                     "record the head either: a cut log could not be told from a whole one",
                                     file=HEAD_NAME, hint=TRUNCATED_HINT))
            hid, hhash = hint
            if fd is None or not _holds_entry(fd, size, hid, hhash):
                raise LogCut(Problem(f"the event log no longer holds entry #{hid}, the newest one the catalogue "
                                     "recorded: entries were removed from it", file=LOG_NAME, hint=TRUNCATED_HINT))
            return
        end = head["bytes"]
        if fd is not None and size == end - 1 and size > 0:  # only the final newline is gone: nothing is lost
            _line, line_end = _last_line(fd, size)
            if sha256_bytes(os.pread(fd, size - line_end, line_end)) == head["hash"]:
                return
        if fd is None or size < end:
            raise LogCut(Problem(f"the event log is shorter than its recorded head (entry #{head['id']} ended at "
                                 f"byte {end}; the log has {size} bytes): entries were removed from its end",
                                 file=LOG_NAME, hint=TRUNCATED_HINT))
        line, got_end = _last_line(fd, end)
        if got_end != end or line is None or sha256_bytes(line) != head["hash"]:
            raise LogCut(Problem(f"the event log does not hold its recorded head (entry #{head['id']} ending at "
                                 f"byte {end}): it was cut or replaced", file=LOG_NAME, hint=TRUNCATED_HINT))

    def _write_head(self, ev_id: int, ev_hash: str, end: int) -> None:
        atomic_replace(self.head_path, json.dumps({"id": ev_id, "hash": ev_hash, "bytes": end}).encode() + b"\n")

    def append(self, type: str, object: str, detail: Any = None, outcome: str = "success", *,
               accept_head: bool = False) -> Event:
        """Append one event (fsynced) and return it. Refused (:class:`LogCut`) when the log no
        longer holds its recorded head, unless ``accept_head`` (an archivist's `accept-log`)."""
        return self._append([(type, object, detail, outcome)], accept_head=accept_head)[1][-1]

    def append_many(self, items: list[tuple]) -> list[Event]:
        """Append events ``(type, object, detail[, outcome])`` in order, with one fsync."""
        return self._append(items)[1]

    def seal(self) -> list[Event]:
        """Keep an unfinished last line as evidence and close it with a ``repair`` entry (see the
        module docstring); the repair entries written ([] when the log ends with a newline)."""
        return self._append([])[0]

    def _append(self, items: list[tuple], *, accept_head: bool = False) -> tuple[list[Event], list[Event]]:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_NONBLOCK, 0o644)
        except OSError as e:
            raise WorkplanError(Problem(f"cannot open the event log: {e.strerror}"
                                        + (" (it is a symbolic link: never followed)" if e.errno == errno.ELOOP else ""),
                                        file=str(self.path), hint="run `workplan archive verify`")) from None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise WorkplanError(Problem("the event log is not a regular file; nothing was written",
                                            file=str(self.path), hint="run `workplan archive verify`"))
            fcntl.flock(fd, fcntl.LOCK_EX)
            size = os.fstat(fd).st_size
            if not accept_head:
                self._check_head(fd)
            last, end = _last_line(fd, size)
            if last is None:
                prev, next_id = GENESIS, 1
            else:
                prev = sha256_bytes(last)
                next_id = self._next_id(fd, last)
            head = b""
            repairs: list[Event] = []
            lines: list[bytes] = []

            def add(type_, object_, detail, outcome):
                nonlocal prev, next_id
                entry = self._entry(next_id, type_, object_, detail, outcome, prev)
                data = _encode(entry)
                lines.append(data)
                h = sha256_bytes(data)
                ev = Event(**entry, hash=h)
                prev, next_id = h, next_id + 1
                return ev

            if end < size:  # the file does not end with a newline: keep every byte, append after it
                tail = os.pread(fd, size - end, end)
                line_no = _count_lines(fd, end) + 1
                head = b"\n"
                whole = _parse_entry(tail)
                if whole is not None and whole["prev"] == prev:  # a whole entry that lost its newline
                    prev, next_id = sha256_bytes(tail), whole["id"] + 1
                    repairs.append(add("repair", "archive", {
                        "note": f"restored the missing newline after entry #{whole['id']} (line {line_no})"},
                        "success"))
                else:
                    prev = sha256_bytes(tail)
                    repairs.append(add("repair", "archive", {
                        "note": f"line {line_no} is an incomplete entry ({len(tail)} bytes, an interrupted write "
                                "or an edit); kept as evidence",
                        "fragment": {"line": line_no, "bytes": len(tail), "sha256": prev}}, "success"))
            events = []
            for item in items:
                type_, object_, detail = item[0], item[1], item[2]
                outcome = item[3] if len(item) > 3 else "success"
                events.append(add(type_, object_, detail, outcome))
            if head or lines:
                _write_all(fd, head + b"".join(line + b"\n" for line in lines), self.path)
                last_ev = (repairs + events)[-1]
                self._write_head(last_ev.id, last_ev.hash, os.fstat(fd).st_size)
            return repairs, events
        finally:
            os.close(fd)  # releases the lock

    def _entry(self, id_: int, type: str, object: str, detail: Any, outcome: str, prev: str) -> dict:
        return log_entry(self.agent, id_, type, object, detail, outcome, prev)

    def _next_id(self, fd: int, last: bytes) -> int:
        try:
            return int(json.loads(last)["id"]) + 1
        except (ValueError, KeyError, TypeError):
            # the last line is damaged (verify reports it); count lines instead
            os.lseek(fd, 0, os.SEEK_SET)
            n = 0
            with os.fdopen(os.dup(fd), "rb") as f:
                for _ in f:
                    n += 1
            return n + 1

    def read(self) -> tuple[list[Event], list[Finding]]:
        """Every event, and the problems with the chain (edited, deleted, damaged entries)."""
        name = LOG_NAME
        try:
            raw = read_regular(self.path)
        except FileNotFoundError:
            return [], [Finding("the event log is missing", file=name, kind="log-missing",
                                hint="restore events.jsonl from a backup")]
        except OSError as e:
            return [], [Finding(f"the event log cannot be read: {e.strerror or e}", file=name, kind="log-missing",
                                hint="it must be a regular file inside the archive; restore events.jsonl from a "
                                     "backup")]
        return parse_log(raw)

    def export_bytes(self) -> bytes:
        """The log's bytes, exactly as stored."""
        return read_regular(self.path)

    def lines_backwards(self, chunk: int = 64 * 1024):
        """The log's lines (bytes, without newline), newest first, read from the end of the file
        (only as far as the caller reads). Raises OSError when the log cannot be read."""
        with open(self.path, "rb") as f:
            pos = f.seek(0, os.SEEK_END)
            rest = b""
            while pos > 0:
                start = max(0, pos - chunk)
                f.seek(start)
                block = f.read(pos - start) + rest
                pos = start
                lines = block.split(b"\n")
                rest = lines.pop(0) if pos > 0 else b""  # maybe cut at the block start: kept for the next
                for line in reversed(lines):
                    if line.strip():
                        yield line


def parse_log(raw: bytes) -> tuple[list[Event], list[Finding]]:
    """The events of a log's bytes (``events.jsonl``, or the lines a database holds, joined), and
    the problems with the chain (edited, deleted, damaged entries)."""
    name = LOG_NAME
    lines = raw.split(b"\n")
    tail = lines.pop()  # b"" when the file ends with a newline
    events: list[Event] = []
    findings: list[Finding] = []
    prev_hash = GENESIS
    prev_id = 0
    bad: tuple[int, str, Finding, int] | None = None  # the last invalid line, until the next entry
    for i, line in enumerate(lines, start=1):
        h = sha256_bytes(line)
        entry = _parse_entry(line)
        if entry is None:
            f = Finding(f"entry at line {i} is not a valid event (edited or damaged)", file=name, line=i,
                        kind="log-chain")
            findings.append(f)
            bad = (i, h, f, prev_id)
            prev_hash, prev_id = h, prev_id + 1
            continue
        ev = Event(**entry, hash=h, line=i)
        if bad is not None and bad[0] == i - 1 and _acknowledges(ev, bad[0], bad[1]):
            findings.remove(bad[2])  # a fragment kept as evidence by the repair entry after it
            prev_id = bad[3]
        bad = None
        _link(ev, i, prev_hash, prev_id, findings)
        events.append(ev)
        prev_hash, prev_id = h, ev.id
    if tail:
        i = len(lines) + 1
        entry = _parse_entry(tail)
        if entry is not None and entry["prev"] == prev_hash:
            ev = Event(**entry, hash=sha256_bytes(tail), line=i)
            _link(ev, i, prev_hash, prev_id, findings)
            events.append(ev)
            findings.append(Finding(f"entry #{ev.id} at line {i} lacks its final newline (an interrupted "
                                    "write or an edit); nothing is lost", file=name, line=i,
                                    kind="log-incomplete", repairable=True,
                                    hint="the next write, or `workplan archive verify --repair`, restores it"))
        else:
            findings.append(Finding(f"the last {len(tail)} bytes of the log (line {i}) are an incomplete entry "
                                    "(an interrupted write or an edit)", file=name, line=i,
                                    kind="log-incomplete", repairable=True,
                                    hint="the next write, or `workplan archive verify --repair`, keeps them "
                                         "as evidence and appends after them"))
    return events, findings


def _link(ev: Event, i: int, prev_hash: str, prev_id: int, findings: list[Finding]) -> None:
    name = LOG_NAME
    if ev.prev != prev_hash:
        what = "the first entry does not start the chain" if i == 1 else \
            f"entry #{ev.id} does not hold the hash of the entry before it: line {i - 1} was edited, " \
            f"or an entry between them was deleted"
        findings.append(Finding(f"broken event chain: {what}", file=name, line=i, kind="log-chain"))
    if ev.id != prev_id + 1:
        if ev.id > prev_id + 1:
            missing = f"#{prev_id + 1}" if ev.id == prev_id + 2 else f"#{prev_id + 1}–#{ev.id - 1}"
            msg = f"entry {missing} is missing (deleted from the log)"
        else:
            msg = f"entry #{ev.id} is out of sequence after #{prev_id}"
        findings.append(Finding(f"broken event chain: {msg}", file=name, line=i, kind="log-chain"))


def _write_all(fd: int, data: bytes, path: Path) -> None:
    """Write every byte (a short write is continued) and fsync; a full disk is said plainly."""
    view = memoryview(data)
    try:
        while view:
            n = os.write(fd, view)
            if n <= 0:
                raise OSError(errno.ENOSPC, "no space left on device")
            view = view[n:]
        os.fsync(fd)
    except OSError as e:
        what = "the disk is full" if e.errno in (errno.ENOSPC, errno.EDQUOT) else (e.strerror or str(e))
        raise WorkplanError(Problem(f"{what}: the event could not be written to the log (a partial line may be "
                                    "left; the next write keeps it as evidence)", file=str(path),
                                    hint="free some space, then run `workplan archive verify --repair`")) from None


def _holds_entry(fd: int, size: int, eid: int, ehash: str) -> bool:
    """Whether the log holds entry #eid with this hash (scanned; only when the head file is gone)."""
    pos, rest = 0, b""
    while pos < size:
        chunk = os.pread(fd, min(1 << 20, size - pos), pos)
        if not chunk:
            break
        pos += len(chunk)
        parts = (rest + chunk).split(b"\n")
        rest = parts.pop()
        for line in parts:
            if sha256_bytes(line) == ehash:
                entry = _parse_entry(line)
                if entry is not None and entry["id"] == eid:
                    return True
    return False


def _parse_entry(line: bytes) -> dict | None:
    """The entry of one log line, or None when it is not a well-formed entry."""
    try:
        entry = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(entry, dict) or set(entry) != set(FIELDS) or not isinstance(entry["id"], int) \
            or isinstance(entry["id"], bool) or not isinstance(entry["prev"], str):
        return None
    return entry


def _acknowledges(ev: Event, line: int, h: str) -> bool:
    frag = ev.detail.get("fragment") if isinstance(ev.detail, dict) else None
    return (ev.type == "repair" and isinstance(frag, dict) and frag.get("line") == line
            and frag.get("sha256") == h and ev.prev == h)


def _count_lines(fd: int, end: int) -> int:
    n, pos = 0, 0
    while pos < end:
        chunk = os.pread(fd, min(1 << 20, end - pos), pos)
        if not chunk:
            break
        n += chunk.count(b"\n")
        pos += len(chunk)
    return n
