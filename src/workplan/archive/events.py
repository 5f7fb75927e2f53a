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

import fcntl
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .fsutil import agent as default_agent
from .fsutil import now_iso, sha256_bytes
from .record import Finding

GENESIS = "0" * 64
EVENT_TYPES = ("init", "ingestion", "new-version", "fixity-check", "export", "disposal", "repair",
               "rebuild-catalogue")
FIELDS = ("id", "type", "time", "agent", "object", "outcome", "detail", "prev")
LOG_NAME = "events.jsonl"


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


class EventLog:
    def __init__(self, path: Path, *, agent: str | None = None):
        self.path = path
        self.agent = agent or default_agent()

    def append(self, type: str, object: str, detail: Any = None, outcome: str = "success") -> Event:
        """Append one event (fsynced) and return it."""
        return self.append_many([(type, object, detail, outcome)])[-1]

    def append_many(self, items: list[tuple]) -> list[Event]:
        """Append events ``(type, object, detail[, outcome])`` in order, with one fsync."""
        return self._append(items)[1]

    def seal(self) -> list[Event]:
        """Keep an unfinished last line as evidence and close it with a ``repair`` entry (see the
        module docstring); the repair entries written ([] when the log ends with a newline)."""
        return self._append([])[0]

    def _append(self, items: list[tuple]) -> tuple[list[Event], list[Event]]:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            size = os.fstat(fd).st_size
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
                os.write(fd, head + b"".join(line + b"\n" for line in lines))
                os.fsync(fd)
            return repairs, events
        finally:
            os.close(fd)  # releases the lock

    def _entry(self, id_: int, type: str, object: str, detail: Any, outcome: str, prev: str) -> dict:
        return {"id": id_, "type": type, "time": now_iso(), "agent": self.agent, "object": object,
                "outcome": outcome, "detail": detail, "prev": prev}

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
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return [], [Finding("the event log is missing", file=name, kind="log-missing",
                                hint="restore events.jsonl from a backup")]
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
            self._link(ev, i, prev_hash, prev_id, findings)
            events.append(ev)
            prev_hash, prev_id = h, ev.id
        if tail:
            i = len(lines) + 1
            entry = _parse_entry(tail)
            if entry is not None and entry["prev"] == prev_hash:
                ev = Event(**entry, hash=sha256_bytes(tail), line=i)
                self._link(ev, i, prev_hash, prev_id, findings)
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

    @staticmethod
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
