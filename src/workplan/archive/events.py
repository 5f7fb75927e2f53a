"""The audit trail: an append-only, hash-chained JSON Lines file (``<root>/events.jsonl``).

Each line is one event with the PREMIS fields ``id`` (1, 2, 3, ...), ``type``, ``time`` (UTC,
ISO 8601), ``agent`` (``workplan/<version> <user>@<host>``), ``object`` (an archival code, or
``archive``), ``outcome`` (``success`` | ``failure``) and ``detail``, plus ``prev``: the SHA-256
of the previous line's bytes (64 zeros for the first). Editing any line breaks the link from the
next line; deleting a line breaks the links and the id sequence; removing lines from the end is
caught against the log head the catalogue remembers (see :mod:`.catalogue`).

Writers hold an exclusive ``flock`` on the file while they read the last line and append, and
fsync before releasing it.
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
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            size = os.fstat(fd).st_size
            last, end = _last_line(fd, size)
            notes = []
            if end < size:  # an interrupted write left a fragment without a newline: cut it
                os.ftruncate(fd, end)
                notes.append(f"removed an incomplete entry of {size - end} bytes left by an interrupted write")
            if last is None:
                prev, next_id = GENESIS, 1
            else:
                prev = sha256_bytes(last)
                next_id = self._next_id(fd, last)
            events = []
            for note in notes:
                entry = self._entry(next_id, "repair", "archive", {"note": note}, "success", prev)
                data = _encode(entry)
                os.write(fd, data + b"\n")
                prev, next_id = sha256_bytes(data), next_id + 1
            lines = []
            for item in items:
                type_, object_, detail = item[0], item[1], item[2]
                outcome = item[3] if len(item) > 3 else "success"
                entry = self._entry(next_id, type_, object_, detail, outcome, prev)
                data = _encode(entry)
                lines.append(data)
                h = sha256_bytes(data)
                events.append(Event(**entry, hash=h))
                prev, next_id = h, next_id + 1
            os.write(fd, b"".join(line + b"\n" for line in lines))
            os.fsync(fd)
            return events
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
        for i, line in enumerate(lines, start=1):
            h = sha256_bytes(line)
            try:
                entry = json.loads(line)
                if not isinstance(entry, dict) or set(entry) != set(FIELDS):
                    raise ValueError("wrong fields")
                ev = Event(**entry, hash=h, line=i)
                if not isinstance(ev.id, int):
                    raise ValueError("id is not a number")
            except (ValueError, TypeError, UnicodeDecodeError):
                findings.append(Finding(f"entry at line {i} is not a valid event (edited or damaged)",
                                        file=name, line=i, kind="log-chain"))
                prev_hash, prev_id = h, prev_id + 1
                continue
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
            events.append(ev)
            prev_hash, prev_id = h, ev.id
        if tail:
            findings.append(Finding(f"the last {len(tail)} bytes of the log are an incomplete entry "
                                    "(an interrupted write)", file=name, line=len(lines) + 1,
                                    kind="log-incomplete", repairable=True,
                                    hint="`workplan archive verify --repair` removes the fragment"))
        return events, findings

    def cut_fragment(self) -> int:
        """Remove an incomplete last entry; returns the number of bytes removed."""
        fd = os.open(self.path, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            size = os.fstat(fd).st_size
            _last, end = _last_line(fd, size)
            if end < size:
                os.ftruncate(fd, end)
                os.fsync(fd)
            return size - end
        finally:
            os.close(fd)
