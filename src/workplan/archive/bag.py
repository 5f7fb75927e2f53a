"""Bags on disk: staging, writing, reading and checking (BagIt 0.97, as the ``bagit`` library
writes and validates them).

Layout of one archived document (件) ``<root>/bags/<code>/``::

    v1/                      a BagIt bag per version (never changed after it is written)
      bagit.txt  bag-info.txt  manifest-sha256.txt  tagmanifest-sha256.txt
      data/<source>.yaml  data/<stem>.zh.docx  data/<stem>.zh.pdf  data/metadata.json
    v2/                      a new version of the same document (same code)
    tombstone/               only after disposal: a bag holding metadata.json with the
                             metadata (and hashes) of every disposed version; v1, v2 ... are gone

``data/metadata.json`` holds every Record field plus the hashes of the other payload files, so
the catalogue can be rebuilt from the bags alone.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable


from .fsutil import fsync_tree, make_read_only, open_regular, remove_tree, sha256_file, try_lock_dir
from .record import Finding, role_sort_key

METADATA_NAME = "metadata.json"
METADATA_FORMAT = "workplan-archive-record/1"
TOMBSTONE_FORMAT = "workplan-archive-tombstone/1"
TOMBSTONE_DIR = "tombstone"
MANIFEST = "manifest-sha256.txt"
TAGMANIFEST = "tagmanifest-sha256.txt"
TAG_FILES = {"bagit.txt", "bag-info.txt", MANIFEST, TAGMANIFEST}
VERSION_RE = re.compile(r"^v([1-9][0-9]*)$")


class Staging:
    """A private folder in ``<root>/tmp`` (same filesystem as the bags, so renames are atomic),
    locked with flock for as long as this process works in it. ``verify`` treats an unlocked
    staging folder as the leftover of a killed process."""

    def __init__(self, tmp_root: Path, prefix: str, *, shared: bool = False):
        if tmp_root.is_symlink() or (tmp_root.exists() and not tmp_root.is_dir()):
            from ..errors import Problem, WorkplanError
            what = "a symbolic link" if tmp_root.is_symlink() else "not a folder"
            raise WorkplanError(Problem(f"the archive's staging folder is {what}: nothing is written outside the "
                                        "archive", file=str(tmp_root),
                                        hint="replace it with an empty folder `tmp` (see `workplan archive verify`)"))
        tmp_root.mkdir(exist_ok=True)
        # created under a ".new-" name, locked, then renamed: verify never mistakes a folder that
        # is being set up for the leftover of a dead process
        new = Path(tempfile.mkdtemp(prefix=".new-" + prefix, dir=tmp_root))
        fd = try_lock_dir(new)
        if fd is None:  # cannot happen: the folder is new
            raise OSError(f"cannot lock {new}")
        self.fd: int | None = fd
        self.dir = tmp_root / new.name[len(".new-"):]
        os.rename(new, self.dir)
        self.bag = self.dir / "bag"
        self.count = 0  # workspaces made in it (see Workspace)
        if not shared:  # a shared staging folder holds one Workspace per record instead
            self.bag.mkdir()

    def workspace(self) -> "Workspace":
        return Workspace(self)

    def cleanup(self) -> None:
        try:
            remove_tree(self.dir)
        finally:
            if self.fd is not None:
                os.close(self.fd)
                self.fd = None

    def __enter__(self) -> "Staging":
        return self

    def __exit__(self, *exc) -> None:
        self.cleanup()


class Workspace:
    """One record's folder inside a shared :class:`Staging` folder (a batch shares one staging
    folder and its lock). Made with the folder's default permissions, because a first version's
    workspace becomes the record's folder ``bags/<code>`` as it is (its bag renamed to ``v1``)."""

    def __init__(self, staging: Staging):
        self.staging = staging
        while True:  # the staging folder is this process's own (locked): a counter names its workspaces
            staging.count += 1
            self.dir = staging.dir / f"r{staging.count}"
            try:
                os.mkdir(self.dir)
                break
            except FileExistsError:
                continue
        self.bag = self.dir / "bag"
        self.bag.mkdir()

    def cleanup(self) -> None:
        remove_tree(self.dir)


def bag_software_agent() -> str:
    from .fsutil import agent
    return f"{agent().split(' ')[0]} (BagIt 0.97 writer of workplan.archive.bag)"


def _encode_name(s: str) -> str:
    return s.replace("\r", "%0D").replace("\n", "%0A")


def _tag_value(v) -> str:
    return re.sub(r"\n|\r|(\r\n)", "", str(v))


def build_bag(folder: Path, info: dict[str, str], *, sync: bool = True) -> str:
    """Turn a folder of payload files into a BagIt bag (SHA-256 manifests), make the files
    read-only and (unless the caller does it later) fsync everything. Returns the SHA-256 of
    the tagmanifest written.

    Writes what ``bagit.make_bag(folder, bag_info=info, checksums=["sha256"])`` writes (the
    payload moved into ``data/``, ``bagit.txt``, ``bag-info.txt`` with Bagging-Date and
    Payload-Oxum, the manifest and tagmanifest) without its permission scans and without
    reading the finished bag back: `archive add` writes one bag per record inside the write lock.
    """
    folder = Path(folder)
    clean = {k: (str(v) if not isinstance(v, list) else [str(x) for x in v]) for k, v in info.items()
             if v is not None and v != ""}
    clean.setdefault("Bag-Software-Agent", bag_software_agent())
    clean.setdefault("Bagging-Date", dt.date.today().strftime("%Y-%m-%d"))
    # the payload moves into data/ (through a temporary folder when a payload file is called "data")
    names = os.listdir(folder)
    data = folder / "data"
    if "data" in names:
        tmp = Path(tempfile.mkdtemp(dir=folder))
        for name in names:
            os.rename(folder / name, tmp / name)
        os.rename(tmp, data)
        os.chmod(data, os.stat(folder).st_mode)
    else:
        os.mkdir(data)  # the folder's default permissions, as bagit's
        for name in names:
            os.rename(folder / name, data / name)
    lines, total, count = [], 0, 0
    for dirpath, dirnames, filenames in os.walk(data):
        dirnames.sort()
        for fn in sorted(filenames):
            full = Path(dirpath) / fn
            digest, size = sha256_file(full)
            rel = full.relative_to(folder).as_posix()
            lines.append(f"{digest}  {_encode_name(rel)}\n")
            total += size
            count += 1
    clean["Payload-Oxum"] = f"{total}.{count}"
    tags = {
        MANIFEST: "".join(lines).encode("utf-8"),
        "bagit.txt": b"BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n",
        "bag-info.txt": "".join(f"{k}: {_tag_value(v)}\n" for k in sorted(clean)
                                for v in (clean[k] if isinstance(clean[k], list) else [clean[k]])).encode("utf-8"),
    }
    tags[TAGMANIFEST] = "".join(f"{hashlib.sha256(body).hexdigest()} {name}\n"
                                for name, body in tags.items()).encode("utf-8")
    for name, body in tags.items():
        (folder / name).write_bytes(body)
    make_read_only(folder)
    if sync:
        fsync_tree(folder)
    return hashlib.sha256(tags[TAGMANIFEST]).hexdigest()


def _decode_name(s: str) -> str:
    return s.replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")


def read_manifest(path: Path) -> dict[str, str]:
    """``{relative path: sha256}`` from a BagIt manifest (parsed the way bagit parses it)."""
    out: dict[str, str] = {}
    with io.TextIOWrapper(open_regular(path), encoding="utf-8-sig") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 1)
            if len(parts) != 2:
                raise ValueError(f"malformed line: {line!r}")
            out[os.path.normpath(_decode_name(parts[1]))] = parts[0]
    return out


def read_bag_info(bag: Path) -> dict[str, str]:
    info: dict[str, str] = {}
    with open(bag / "bag-info.txt", encoding="utf-8-sig") as f:
        for line in f:
            if ":" in line:
                k, v = line.split(":", 1)
                info[k.strip()] = v.strip()
    return info


@dataclass
class BagCheck:
    """Result of checking one bag: problems, the tagmanifest's hash and metadata.json's bytes."""

    rel: str
    findings: list[Finding] = field(default_factory=list)
    tagmanifest_sha256: str | None = None
    metadata: bytes | None = None
    manifest: dict[str, str] = field(default_factory=dict)
    files: int = 0
    bytes: int = 0


def check_bag(bag: Path, rel: str, code: str | None = None) -> BagCheck:
    """Recompute every file's hash against the bag's manifests; name missing, changed and
    orphan files (paths in findings are relative to the archive root)."""
    res = BagCheck(rel)

    def finding(msg: str, name: str, kind: str, **kw) -> None:
        res.findings.append(Finding(msg, file=f"{rel}/{name}", kind=kind, code=code, **kw))

    present: set[str] = set()
    odd: dict[str, str] = {}  # symbolic links and other non-regular files: damage, never followed
    linked: list[str] = []  # regular files with another name elsewhere (a hard link: changed from outside)
    errors: list[OSError] = []
    try:
        for dirpath, dirs, files in os.walk(bag, onerror=errors.append):
            d = os.path.relpath(dirpath, bag)
            for n in files + dirs:
                p = os.path.join(dirpath, n)
                rel_n = os.path.normpath(os.path.join(d, n))
                st = os.lstat(p)
                if stat.S_ISLNK(st.st_mode):
                    odd[rel_n] = "symlink"
                elif n in files and not stat.S_ISREG(st.st_mode):
                    odd[rel_n] = "not-a-file"
                elif n in files and st.st_nlink > 1:
                    linked.append(rel_n)
                if n in files or rel_n in odd:
                    present.add(rel_n)
    except OSError as e:
        errors.append(e)
    if errors:
        finding(f"cannot read the bag: {errors[0].strerror}", "", "unreadable")
        return res
    for name in sorted(linked):
        finding(f"{name} has another name outside this bag (a hard link, {os.lstat(bag / name).st_nlink} names): a "
                "change made through the other name would change the archived file", name, "hard-link",
                hint="replace it with a copy of its own (e.g. `cp --preserve` it to a new file, then rename it over "
                     "the linked one)")
    for name, kind in sorted(odd.items()):
        if kind == "symlink":
            finding(f"{name} is a symbolic link (to {os.readlink(bag / name)}): stored files must be regular files "
                    "inside the archive", name, "symlink",
                    hint="never followed; replace it with the archived file from a backup")
        else:
            finding(f"{name} is not a regular file: stored files must be regular files inside the archive", name,
                    "not-a-file", hint="replace it with the archived file from a backup")
    manifests: dict[str, str] = {}
    for name in (MANIFEST, TAGMANIFEST):
        if name in odd:
            continue
        if name not in present:
            finding(f"{name} is missing: the bag cannot be checked", name, "missing-file",
                    hint="restore the bag from a backup")
            continue
        try:
            m = read_manifest(bag / name)
        except (OSError, ValueError, UnicodeDecodeError) as e:
            finding(f"{name} cannot be read ({e}); it was changed", name, "hash-mismatch")
            continue
        # the manifest covers the payload (data/), the tagmanifest the tag files: neither may speak for
        # the other's files (a tagmanifest line would otherwise override a payload file's hash)
        payload = name == MANIFEST
        foreign = sorted(k for k in m if k.startswith("data/") != payload or k in manifests)
        for k in foreign:
            finding(f"{name} lists {k}, which {'only the tagmanifest' if payload else 'only the manifest'} may list",
                    name, "hash-mismatch", hint="the bag's manifests were edited; restore the bag from a backup")
        m = {k: v for k, v in m.items() if k not in foreign}
        if payload:
            res.manifest = m
        manifests.update(m)
    if "bagit.txt" not in present:
        finding("bagit.txt is missing", "bagit.txt", "missing-file")
    for name, expected in manifests.items():
        if name in odd:
            continue
        if name not in present:
            finding(f"missing file: {name} is listed in the bag's manifest but is not there", name, "missing-file",
                    hint="restore it from a backup or a transfer package")
            continue
        path = bag / name
        try:
            if name == f"data/{METADATA_NAME}":
                with open_regular(path) as fh:
                    data = fh.read()
                res.metadata = data
                import hashlib
                got, size = hashlib.sha256(data).hexdigest(), len(data)
            else:
                got, size = sha256_file(path)
        except OSError as e:
            finding(f"cannot read {name}: {e.strerror}", name, "unreadable")
            continue
        res.files += 1
        res.bytes += size
        if got != expected:
            finding(f"hash mismatch: {name} has changed since it was archived (sha256 {got[:12]}…, "
                    f"manifest says {expected[:12]}…)", name, "hash-mismatch",
                    hint="the stored file is no longer what was archived; restore it from a backup")
    if TAGMANIFEST in present and TAGMANIFEST not in odd:
        try:
            res.tagmanifest_sha256, size = sha256_file(bag / TAGMANIFEST)
            res.files += 1
            res.bytes += size
        except OSError:
            pass
    for name in sorted(present - set(manifests) - {TAGMANIFEST} - set(odd)):
        finding(f"orphan file: {name} is not listed in the bag's manifests", name, "orphan-file",
                hint="it was not put there by workplan; inspect it and remove it by hand")
    return res


# --- metadata → catalogue rows -----------------------------------------------------------------
def metadata_files_entry(md_bytes: bytes, manifest: dict[str, str]) -> dict:
    path = f"data/{METADATA_NAME}"
    return {"path": path, "size": len(md_bytes), "sha256": manifest.get(path, "")}


def row_from_metadata(md: dict, *, bag_dir: str, md_entry: dict, tagmanifest: str | None, status: str,
                      current: bool, disposed_at: str | None = None, tombstone: bool = False) -> dict:
    for key in ("code", "identity", "title", "issuer", "retention", "org", "fonds", "category"):
        if not isinstance(md[key], str):
            raise ValueError(f"{key} is not text")
    dt.date.fromisoformat(md["date"])  # a ValueError or TypeError names a bad date
    files = {} if tombstone else dict(md.get("files") or {})
    if not all(isinstance(f, dict) and isinstance(f.get("sha256"), str) and isinstance(f.get("path"), str)
               for f in files.values()):
        raise ValueError("a file entry is malformed")
    files["metadata"] = md_entry
    roles = sorted(files, key=role_sort_key)
    return {
        "code": md["code"], "version": int(md["version"]), "status": status, "current": int(current),
        "identity": md["identity"], "fonds": md["fonds"], "category": md["category"], "year": int(md["year"]),
        "retention": md["retention"], "org": md["org"], "item": int(md["item"]), "title": md["title"],
        "title_en": md.get("title_en"), "kind": md["kind"], "issuer": md["issuer"],
        "issuer_abbr": md["issuer_abbr"], "doc_number": md.get("doc_number"), "date": md["date"],
        "units": list(md.get("units") or []), "unit_ids": list(md.get("unit_ids") or []),
        "langs": list(md.get("langs") or []), "pages": md.get("pages"), "roles": roles, "files": files,
        "tagmanifest": tagmanifest, "bag_dir": bag_dir, "archived_at": md["archived_at"],
        "disposed_at": disposed_at,
    }


@dataclass
class BagScan:
    """What is under ``<root>/bags``."""

    versions: dict[str, dict[int, Path]] = field(default_factory=dict)
    tombstones: dict[str, Path] = field(default_factory=dict)
    strays: list[Path] = field(default_factory=list)  # entries that do not belong
    links: list[Path] = field(default_factory=list)  # symbolic links where a record's folder belongs

    def bag_dirs(self) -> list[tuple[str, Path]]:
        out = []
        for code in sorted(set(self.versions) | set(self.tombstones)):
            for _v, p in sorted(self.versions.get(code, {}).items()):
                out.append((code, p))
            if code in self.tombstones:
                out.append((code, self.tombstones[code]))
        return out


def scan_bags(bags: Path) -> BagScan:
    scan = BagScan()
    if not bags.is_dir():
        return scan
    with os.scandir(bags) as it:
        for e in it:
            if e.is_symlink():
                scan.links.append(Path(e.path))
                continue
            if not e.is_dir(follow_symlinks=False):
                scan.strays.append(Path(e.path))
                continue
            code = e.name
            linked = False
            with os.scandir(e.path) as it2:
                for v in it2:
                    if v.is_symlink():
                        scan.links.append(Path(v.path))
                        linked = True
                        continue
                    m = VERSION_RE.match(v.name)
                    if m and v.is_dir(follow_symlinks=False):
                        scan.versions.setdefault(code, {})[int(m[1])] = Path(v.path)
                    elif v.name == TOMBSTONE_DIR and v.is_dir(follow_symlinks=False):
                        scan.tombstones[code] = Path(v.path)
                    else:
                        scan.strays.append(Path(v.path))
            if code not in scan.versions and code not in scan.tombstones and not linked:
                scan.strays.append(Path(e.path))
    return scan


def rows_for_code(code: str, versions: dict[int, tuple[dict, dict, str | None]],
                  tombstone: tuple[dict, dict, str | None] | None, rel: Callable[[str, int | None], str]) -> tuple[list[dict], list[Finding]]:
    """Catalogue rows of one document from its bags' metadata.

    ``versions``: version → (metadata dict, metadata file entry, tagmanifest hash);
    ``tombstone``: the same for the tombstone bag, if the document was disposed.
    """
    rows: list[dict] = []
    findings: list[Finding] = []
    if tombstone is not None:
        tmd, entry, tag = tombstone
        try:
            vs = tmd.get("versions") or []
            top = max((int(v["version"]) for v in vs), default=0)
            for v in vs:
                rows.append(row_from_metadata(v, bag_dir=rel(code, None), md_entry=entry, tagmanifest=tag,
                                              status="disposed", current=int(v["version"]) == top,
                                              disposed_at=tmd.get("disposed_at"), tombstone=True))
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            findings.append(_malformed(rel(code, None), code, e))
            return [], findings
        return rows, findings
    if not versions:
        return rows, findings
    top = max(versions)
    for v, (md, entry, tag) in sorted(versions.items()):
        try:
            if md.get("code") != code or int(md.get("version", -1)) != v:
                findings.append(Finding(f"the bag's metadata says {md.get('code')} v{md.get('version')}, "
                                        f"but it is stored as {code} v{v}",
                                        file=rel(code, v) + f"/data/{METADATA_NAME}", kind="bag-mismatch", code=code))
                continue
            rows.append(row_from_metadata(md, bag_dir=rel(code, v), md_entry=entry, tagmanifest=tag,
                                          status="active" if v == top else "superseded", current=v == top))
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            findings.append(_malformed(rel(code, v), code, e))
    return rows, findings


def _malformed(rel_bag: str, code: str, e: Exception) -> Finding:
    what = f"lacks the field {e.args[0]!r}" if isinstance(e, KeyError) and e.args else f"holds a bad value ({e})"
    return Finding(f"data/{METADATA_NAME} {what}: the record cannot be read", file=f"{rel_bag}/data/{METADATA_NAME}",
                   kind="bag-mismatch", code=code, hint="restore the bag from a backup or a transfer package")


def parse_metadata(data: bytes | None, where: str, code: str) -> tuple[dict | None, Finding | None]:
    if data is None:
        return None, Finding("the bag has no data/metadata.json", file=where, kind="missing-file", code=code)
    try:
        md = json.loads(data)
        if not isinstance(md, dict) or md.get("format") not in (METADATA_FORMAT, TOMBSTONE_FORMAT):
            raise ValueError("not a workplan record")
        return md, None
    except (ValueError, UnicodeDecodeError) as e:
        return None, Finding(f"data/metadata.json cannot be read: {e}", file=where, kind="bag-mismatch", code=code)


def discard(path: Path) -> None:
    remove_tree(path)
