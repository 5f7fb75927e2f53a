"""Lint configuration files: switch rules off or change their severity for a folder of documents.

``workplan lint`` and ``workplan build`` look for ``workplan.toml`` (or ``.workplan.toml``) in
the folder of each file and then in its parents, the nearest one winning; ``--config FILE``
names one explicitly. The file::

    [lint]
    ignore = ["punctuation", "unit-unused"]    # rules switched off
    # select = ["placeholder", "dates"]        # or: only these rules

    [lint.severity]
    date-format = "error"                      # error | warning
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .. import limits
from ..errors import Problem, WorkplanError
from .rules import RULES, SEVERITIES, SEVERITY

CONFIG_NAMES = ("workplan.toml", ".workplan.toml")


@dataclass(frozen=True)
class LintConfig:
    """Which rules run and how severe each is."""

    ignore: frozenset[str] = frozenset()
    select: frozenset[str] | None = None
    severity: tuple[tuple[str, str], ...] = ()
    source: str | None = None   # the file it came from

    def severity_of(self, rule: str) -> str:
        return dict(self.severity).get(rule, SEVERITY.get(rule, "error"))

    def rules(self, select=None, ignore=()) -> set[str]:
        """The rules to run: the command line's choice over the file's."""
        chosen = set(select) if select else (set(self.select) if self.select else set(RULES))
        return chosen - set(ignore) - set(self.ignore)


DEFAULT = LintConfig()


def _bad(file: str, message: str, hint: str) -> WorkplanError:
    return WorkplanError(Problem(message, file=file, hint=hint))


def _rule_names(value, file: str, key: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _bad(file, f"[lint] {key} must be a list of rule names", f'e.g. {key} = ["punctuation"]')
    unknown = [v for v in value if v not in RULES]
    if unknown:
        raise _bad(file, f"[lint] {key}: unknown rule(s) {', '.join(unknown)}", f"rules: {', '.join(RULES)}")
    return frozenset(value)


@lru_cache(maxsize=64)
def load_config(path: str) -> LintConfig:
    """Read one configuration file (errors name the file and what to fix)."""
    try:  # a regular file of sane size, opened without blocking (not a FIFO, not /dev/zero)
        data = tomllib.loads(limits.read_regular(path, limits.CONFIG_BYTES, what="configuration file")
                             .decode("utf-8"))
    except WorkplanError as e:
        p = e.problems[0]
        raise _bad(path, p.message, p.hint or "check the path and its permissions") from None
    except UnicodeDecodeError:
        raise _bad(path, "the configuration file is not UTF-8 text", "save it as UTF-8") from None
    except tomllib.TOMLDecodeError as e:
        raise _bad(path, f"not valid TOML: {e}", "fix the syntax (see workplan lint --help for an example)") from None
    lint = data.get("lint", {})
    if not isinstance(lint, dict):
        raise _bad(path, "[lint] must be a table", "write [lint] on a line of its own, then ignore = [...]")
    unknown_keys = set(lint) - {"ignore", "select", "severity"}
    if unknown_keys:
        raise _bad(path, f"[lint]: unknown key(s) {', '.join(sorted(unknown_keys))}", "keys: ignore, select, severity")
    ignore = _rule_names(lint.get("ignore", []), path, "ignore")
    select = _rule_names(lint["select"], path, "select") if "select" in lint else None
    sev = lint.get("severity", {})
    if not isinstance(sev, dict):
        raise _bad(path, "[lint.severity] must be a table of rule = \"error\" | \"warning\"", 'e.g. date-format = "error"')
    for rule, level in sev.items():
        if rule not in RULES:
            raise _bad(path, f"[lint.severity]: unknown rule {rule!r}", f"rules: {', '.join(RULES)}")
        if level not in SEVERITIES:
            raise _bad(path, f"[lint.severity] {rule} = {level!r}: the severity is error or warning", f'{rule} = "warning"')
    return LintConfig(ignore=ignore, select=select, severity=tuple(sorted(sev.items())), source=path)


def find_config(file: str | Path) -> LintConfig:
    """The configuration that applies to ``file``: the nearest workplan.toml above it, or the defaults."""
    here = Path(file).resolve().parent
    for folder in (here, *here.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file():
                return load_config(str(candidate))
    return DEFAULT
