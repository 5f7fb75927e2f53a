"""What ``verify`` (and every reader's check) can find wrong: one table of finding kinds, and
:class:`Finding`, one thing found.

A kind's value is its wire name: the ``kind`` of ``verify --json``, of the site's JSON and of the
``web.finding.<kind>`` terms in ``i18n``. ``FindingKind`` is a ``str`` enum, so a finding's kind
compares equal to (and serialises as) that name.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ..errors import Problem


class FindingKind(StrEnum):
    # inside a bag (tampering, damage)
    HASH_MISMATCH = "hash-mismatch"
    MISSING_FILE = "missing-file"
    ORPHAN_FILE = "orphan-file"
    UNREADABLE = "unreadable"
    HARD_LINK = "hard-link"
    SYMLINK = "symlink"
    NOT_A_FILE = "not-a-file"
    BAG_MISMATCH = "bag-mismatch"
    # the catalogue against the bags
    CATALOGUE = "catalogue"
    BAG_WITHOUT_RECORD = "bag-without-record"
    RECORD_WITHOUT_BAG = "record-without-bag"
    CATALOGUE_MISMATCH = "catalogue-mismatch"
    GAP = "gap"
    # the event log, and the bags against it
    LOG_MISSING = "log-missing"
    LOG_CHAIN = "log-chain"
    LOG_TRUNCATED = "log-truncated"
    LOG_INCOMPLETE = "log-incomplete"
    LOG_UNTRUSTED = "log-untrusted"
    LOG_REWRITTEN = "log-rewritten"
    LOG_MISMATCH = "log-mismatch"
    MISSING_EVENT = "missing-event"
    NOT_IN_LOG = "not-in-log"
    LOST_RECORD = "lost-record"
    CONFIG_MISMATCH = "config-mismatch"
    ANCHOR = "anchor"
    # what a killed process left behind, and what does not belong
    INTERRUPTED_ADD = "interrupted-add"
    INTERRUPTED_DISPOSAL = "interrupted-disposal"
    LEFTOVER = "leftover"
    STRAY = "stray"
    REPAIR_STOPPED = "repair-stopped"
    PROBLEM = "problem"


K = FindingKind

# What each kind means (ARCHITECTURE.md lists them; `workplan archive verify` explains with the
# finding's own message and hint).
MEANING: dict[FindingKind, str] = {
    K.HASH_MISMATCH: "a stored file (or a manifest) no longer hashes to what was archived",
    K.MISSING_FILE: "a file the bag's manifest lists is not there",
    K.ORPHAN_FILE: "a file in a bag that no manifest lists",
    K.UNREADABLE: "a bag or file that cannot be read",
    K.HARD_LINK: "an archived file with another name outside its bag",
    K.SYMLINK: "a symbolic link where the archive's own files belong",
    K.NOT_A_FILE: "a device, FIFO or socket where an archived file belongs",
    K.BAG_MISMATCH: "a bag's metadata.json disagrees with the bag or cannot be read",
    K.CATALOGUE: "the catalogue is missing or unreadable",
    K.BAG_WITHOUT_RECORD: "a bag the log records that the catalogue does not",
    K.RECORD_WITHOUT_BAG: "a catalogue row whose bag is gone",
    K.CATALOGUE_MISMATCH: "a catalogue row that disagrees with its bag",
    K.GAP: "a hole in the item numbers of a group",
    K.LOG_MISSING: "the event log is missing or unreadable",
    K.LOG_CHAIN: "an entry of the event log was changed, inserted or removed",
    K.LOG_TRUNCATED: "entries were cut from the end of the event log",
    K.LOG_INCOMPLETE: "the event log's last line is unfinished",
    K.LOG_UNTRUSTED: "the event log cannot be trusted, so nothing is served on its word",
    K.LOG_REWRITTEN: "the event log disagrees with an anchor taken earlier",
    K.LOG_MISMATCH: "a bag no longer hashes to what its event recorded",
    K.MISSING_EVENT: "a version, tombstone or disposal that no event records",
    K.NOT_IN_LOG: "a version the log does not record (never served)",
    K.LOST_RECORD: "the log records a version or disposal whose bag or tombstone is gone",
    K.CONFIG_MISMATCH: "archive.json differs from what the log recorded at creation",
    K.ANCHOR: "an anchor folder or file that cannot be used",
    K.INTERRUPTED_ADD: "a reservation or bag an interrupted add left",
    K.INTERRUPTED_DISPOSAL: "a disposal that was logged but not finished",
    K.LEFTOVER: "a staging folder a killed process left",
    K.STRAY: "something under bags/ that is not a bag",
    K.REPAIR_STOPPED: "verify --repair stopped (nothing more was written)",
    K.PROBLEM: "any other problem",
}

# The log's chain is broken: nothing may be written on its word
CHAIN_BROKEN = frozenset({K.LOG_CHAIN, K.LOG_MISSING, K.LOG_TRUNCATED})


@dataclass
class Finding(Problem):
    """A problem found by ``verify``. ``kind`` names the class of problem (a :class:`FindingKind`);
    ``repairable`` says whether ``verify --repair`` can fix it without touching good records."""

    kind: str = FindingKind.PROBLEM
    repairable: bool = False
    code: str | None = None
    version: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"kind": str(self.kind), "message": self.message, "file": self.file, "line": self.line,
                "code": self.code, "version": self.version, "repairable": self.repairable, "hint": self.hint}


__all__ = ["CHAIN_BROKEN", "MEANING", "Finding", "FindingKind"]
