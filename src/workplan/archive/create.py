"""Creating an archive (``workplan archive init``): the configuration, an empty catalogue, the
event log with its ``init`` entry, ``bags/`` and ``tmp/``. The configuration is written last, so
an interrupted init leaves no half archive behind it (and what it made is removed)."""
from __future__ import annotations

import fcntl
import os
from pathlib import Path

from ..errors import Problem, WorkplanError
from .catalogue import CATALOGUE_NAME
from .config import CONFIG_NAME, ArchiveConfig
from .events import HEAD_NAME, LOG_NAME
from .fsutil import atomic_replace, now_iso, read_regular, remove_tree
from .store import Archive, resolve_root

_SQLITE_MAX_PATH = 512  # bytes: SQLite cannot open a longer path
_LONGEST_INSIDE = 600  # bytes a record's file path adds under the root (code, version, a long file name)


def init_archive(path: str | os.PathLike | None = None, *, fonds: str, name: str, category: str = "WS",
                 default_retention: str = "D30", org_codes: dict[str, str] | None = None,
                 name_en: str = "", catalogue: str | None = None) -> Archive:
    """Create an archive: configuration, empty catalogue, event log, bags/ and tmp/.
    ``catalogue``: a PostgreSQL URL to keep the catalogue and the log in that database (see
    :mod:`.storage`) instead of catalogue.sqlite and events.jsonl in the folder."""
    root = resolve_root(path)
    _check_place(root)
    cfg = ArchiveConfig(fonds_code=(fonds or "").strip().upper(), fonds_name=(name or "").strip(),
                        category=(category or "").strip().upper(),
                        default_retention=(default_retention or "").strip().upper(),
                        org_codes=dict(org_codes or {}), created_at=now_iso(), fonds_name_en=(name_en or "").strip(),
                        catalogue=catalogue or None)
    problems = cfg.problems()
    if catalogue and "@" in catalogue.split("://", 1)[-1].split("/", 1)[0] \
            and ":" in catalogue.split("://", 1)[-1].split("@", 1)[0]:
        problems.append(Problem("the catalogue URL holds a password, which would be written into archive.json",
                                path="catalogue", hint="leave the password out of the URL and put it in ~/.pgpass "
                                                       "(or $PGPASSWORD) for every user of the archive"))
    if not cfg.fonds_name:
        problems.append(Problem("the fonds needs a name (全宗名称)", hint='pass --name "..."'))
    if problems:
        raise WorkplanError(problems)
    _create(root, cfg)
    return Archive(root, cfg)


def _check_place(root: Path) -> None:
    """A folder (or nothing yet) with a short enough path and no archive in it."""
    if root.exists() and not root.is_dir():
        raise WorkplanError(Problem("cannot create an archive here: it is a file", file=str(root)))
    longest = len(os.fsencode(str(root / f"{CATALOGUE_NAME}-wal")))
    if longest >= _SQLITE_MAX_PATH or len(os.fsencode(str(root))) + _LONGEST_INSIDE >= 4096:
        raise WorkplanError(Problem(f"the folder's path is too long for an archive (its catalogue's path would be "
                                    f"{longest} bytes; SQLite needs under {_SQLITE_MAX_PATH}); nothing "
                                    "was written", file=str(root)[:120] + "…", hint="choose a shorter folder"))
    if (root / CONFIG_NAME).exists():
        raise WorkplanError(Problem("an archive already exists here", file=str(root / CONFIG_NAME),
                                    hint="use it as it is, or choose another folder"))


def _create(root: Path, cfg: ArchiveConfig) -> None:
    """Make the archive's files under the folder's lock; on any failure remove what this made."""
    made_root = not root.exists()
    made: list[Path] = []
    lock_fd = None
    try:
        root.mkdir(parents=True, exist_ok=True)
        lock = root / ".lock"
        if not lock.exists():
            made.append(lock)
        lock_fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            made.clear()
            raise WorkplanError(Problem("another `workplan archive init` (or a writer) is working in this folder; "
                                        "nothing was written", file=str(root), hint="wait for it, then look again")) from None
        _make_files(root, cfg, made)
        made.clear()
    except OSError as e:
        raise WorkplanError(Problem(f"cannot create the archive: {e.strerror}; nothing was left behind",
                                    file=str(root))) from None
    finally:
        for p in reversed(made):  # what this init made, when it did not finish
            for q in (p, Path(f"{p}-wal"), Path(f"{p}-shm")):
                try:
                    remove_tree(q)
                except OSError:
                    pass
        if lock_fd is not None:
            os.close(lock_fd)
        if made_root and not (root / CONFIG_NAME).exists():
            try:
                root.rmdir()
            except OSError:
                pass


def _make_files(root: Path, cfg: ArchiveConfig, made: list[Path]) -> None:
    """With the lock held: bags/, tmp/, the catalogue and the log's init entry, then the
    configuration (``made`` lists what is new, for the caller to remove if this fails)."""
    if (root / CONFIG_NAME).exists():
        made.clear()
        raise WorkplanError(Problem("an archive already exists here", file=str(root / CONFIG_NAME),
                                    hint="use it as it is, or choose another folder"))
    _clear_half_init(root)
    for leftover in ("bags", CATALOGUE_NAME, LOG_NAME):
        if (root / leftover).exists():
            made.clear()
            raise WorkplanError(Problem(f"this folder holds an archive's {leftover} but no {CONFIG_NAME}",
                                        file=str(root), hint=f"restore {CONFIG_NAME} from a backup instead of "
                                                             "creating a new archive over the old one"))
    for name_ in ("bags", "tmp", CATALOGUE_NAME, LOG_NAME, HEAD_NAME):
        if not (root / name_).exists():
            made.append(root / name_)
    (root / "bags").mkdir(exist_ok=True)
    (root / "tmp").mkdir(exist_ok=True)
    new = Archive(root, cfg)
    try:
        cat = new._cat = new.storage.catalogue(new, create=True)
        if cat.log_head() is not None:
            raise WorkplanError(Problem("the catalogue database already holds an archive's log: nothing was "
                                        "written", file=str(cat.path),
                                        hint="give each archive a database of its own (an empty one)"))
        ev = new.events.append("init", "archive", {"fonds_code": cfg.fonds_code, "fonds_name": cfg.fonds_name,
                                                   "category": cfg.category})
        cat.note_event(ev)
    finally:
        new.close()
    # the configuration is written last: an interrupted init leaves no half archive behind it
    atomic_replace(root / CONFIG_NAME, cfg.to_json().encode("utf-8"))


def _clear_half_init(root: Path) -> None:
    """Remove what an interrupted ``init`` left (no configuration, empty bags/, a log holding only
    its init entry), so that init can be retried; anything more is never touched."""
    bags, log = root / "bags", root / LOG_NAME
    if not bags.is_dir() or bags.is_symlink() or any(bags.iterdir()):
        return
    if log.exists():
        try:
            lines = read_regular(log).splitlines()
        except OSError:
            return
        if len(lines) > 1 or (lines and b'"type":"init"' not in lines[0]):
            return
    for name_ in ("bags", "tmp", CATALOGUE_NAME, f"{CATALOGUE_NAME}-wal", f"{CATALOGUE_NAME}-shm", LOG_NAME,
                  HEAD_NAME):
        p = root / name_
        if p.is_symlink() or p.is_file():
            p.unlink()
        elif (name_ == "tmp" and p.is_dir() and not any(p.iterdir())) or (name_ == "bags" and p.is_dir()):
            p.rmdir()


__all__ = ["init_archive"]
