"""The archive's configuration: ``<root>/archive.json``.

```json
{
  "format": "workplan-archive",
  "format_version": 1,
  "fonds_code": "J001",          // 全宗号: uppercase letters and digits
  "fonds_name": "青松社区居委会",  // 全宗名称
  "fonds_name_en": "Qingsong Community Residents' Committee",  // optional: the English name (site, volumes)
  "category": "WS",              // 门类代码 (WS = 文书)
  "default_retention": "D30",    // used when neither the command line nor the document says
  "org_codes": {"消防": "XF"},   // organization codes for units whose abbr is not ASCII
  "created_at": "2024-05-01T08:00:00+00:00",
  "catalogue": "postgresql://wp@db.example/archive"   // only when the catalogue and log are in PostgreSQL
}
```

Without ``catalogue`` the catalogue is ``catalogue.sqlite`` and the log ``events.jsonl`` in the
folder. With it, both live in that PostgreSQL database (a password is never written here: use
``~/.pgpass`` or ``$PGPASSWORD``, read by libpq); the bags stay in the folder, which every writer
shares (a network filesystem for many machines).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import Problem, WorkplanError
from .codes import CATEGORY_RE, FONDS_RE, ORG_RE, RETENTIONS

CONFIG_NAME = "archive.json"
FORMAT = "workplan-archive"
FORMAT_VERSION = 1
INIT_HINT = "run `workplan archive init [DIR] --fonds J001 --name \"全宗名称\"` to create an archive, or point " \
            "--archive / WORKPLAN_ARCHIVE at an existing one"


@dataclass
class ArchiveConfig:
    fonds_code: str
    fonds_name: str
    category: str = "WS"
    default_retention: str = "D30"
    org_codes: dict[str, str] = field(default_factory=dict)
    created_at: str | None = None
    catalogue: str | None = None  # a PostgreSQL URL; None: SQLite and events.jsonl in the folder
    format: str = FORMAT
    format_version: int = FORMAT_VERSION
    fonds_name_en: str = ""   # the fonds' English name: the English site's name, English volumes' compiler

    def problems(self, file: str | None = None) -> list[Problem]:
        out = []
        if not FONDS_RE.match(self.fonds_code or ""):
            out.append(Problem(f"fonds_code {self.fonds_code!r} is not a fonds code", file=file, path="fonds_code",
                               hint="use uppercase letters and digits, e.g. J001"))
        if not CATEGORY_RE.match(self.category or ""):
            out.append(Problem(f"category {self.category!r} is not a category code", file=file, path="category",
                               hint="use uppercase letters, e.g. WS for 文书"))
        if self.default_retention not in RETENTIONS:
            out.append(Problem(f"default_retention {self.default_retention!r} is not a retention code", file=file,
                               path="default_retention", hint="use Y, D30 or D10"))
        if not isinstance(self.fonds_name_en, str):
            out.append(Problem("fonds_name_en must be a text", file=file, path="fonds_name_en",
                               hint='e.g. "fonds_name_en": "Qingsong Community Residents\' Committee"'))
        for k, v in self.org_codes.items():
            if not isinstance(v, str) or not ORG_RE.match(v):
                out.append(Problem(f"org_codes[{k!r}] = {v!r} is not an organization code", file=file,
                                   path=f"org_codes.{k}", hint="use uppercase letters and digits, e.g. BGS"))
        if self.catalogue is not None and not (isinstance(self.catalogue, str)
                                               and self.catalogue.lower().startswith(("postgresql://", "postgres://"))):
            out.append(Problem(f"catalogue {self.catalogue!r} is not a PostgreSQL URL", file=file, path="catalogue",
                               hint="use postgresql://USER@HOST[:PORT]/DATABASE, or leave it out for SQLite"))
        return out

    def to_json(self) -> str:
        d = asdict(self)
        order = ["format", "format_version", "fonds_code", "fonds_name", "fonds_name_en", "category",
                 "default_retention", "org_codes", "created_at"] + (["catalogue"] if self.catalogue else [])
        return json.dumps({k: d[k] for k in order if k != "fonds_name_en" or d[k]}, ensure_ascii=False,
                          indent=2) + "\n"


def load_config(root: Path) -> ArchiveConfig:
    path = root / CONFIG_NAME
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WorkplanError(Problem("the archive's configuration is missing", file=name, hint=INIT_HINT)) from None
    except UnicodeDecodeError:
        raise WorkplanError(Problem("the configuration is not UTF-8 text", file=name)) from None
    except OSError as e:
        raise WorkplanError(Problem(f"cannot read the archive's configuration: {e.strerror}", file=name,
                                    hint="check the permissions of the archive folder")) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise WorkplanError(Problem(f"the configuration is not valid JSON: {e.msg}", file=name, line=e.lineno,
                                    column=e.colno, hint="fix the JSON syntax (see `workplan archive init --help`)"))\
            from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise WorkplanError(Problem("this is not a workplan archive configuration", file=name,
                                    hint=f'it must contain "format": "{FORMAT}"'))
    known = set(ArchiveConfig.__dataclass_fields__)
    unknown = sorted(set(data) - known)
    if unknown:
        raise WorkplanError(Problem(f"unknown field(s) in the configuration: {', '.join(unknown)}", file=name,
                                    hint=f"known fields: {', '.join(sorted(known))}"))
    if "fonds_code" not in data or "fonds_name" not in data:
        raise WorkplanError(Problem("the configuration lacks fonds_code or fonds_name", file=name,
                                    hint='add "fonds_code": "J001" and "fonds_name": "..."'))
    if not isinstance(data.get("org_codes", {}), dict):
        raise WorkplanError(Problem("org_codes must be a mapping of unit (abbr, id or name) to code", file=name,
                                    path="org_codes"))
    try:
        cfg = ArchiveConfig(**data)
    except TypeError as e:
        raise WorkplanError(Problem(f"invalid configuration: {e}", file=name)) from None
    if cfg.format_version != FORMAT_VERSION:
        raise WorkplanError(Problem(f"archive format version {cfg.format_version} is not supported "
                                    f"(this workplan reads version {FORMAT_VERSION})", file=name))
    problems = cfg.problems(name)
    if problems:
        raise WorkplanError(problems)
    return cfg
