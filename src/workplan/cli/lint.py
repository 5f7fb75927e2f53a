"""`workplan lint`: report the defects real documents carry before they are issued."""
from __future__ import annotations

import json
import sys

import click

from ..i18n import LANGS
from ..lint.rules import RULES, SEVERITY
from .options import archive_option, lang_option, program_resolver, say


def _rule_list(value: str | None) -> list[str]:
    if not value:
        return []
    rules = [r.strip() for r in value.split(",") if r.strip()]
    for r in rules:
        if r not in RULES:
            raise click.BadParameter(f"'{r}' is not a rule; rules: {', '.join(RULES)}")
    return rules


_RULE_HELP = "\n".join(f"  {k:<18} {SEVERITY.get(k, 'error'):<8} {v}" for k, v in RULES.items())


@click.command("lint", help=f"""Check data files, and Word/PDF/text documents, for defects before they are issued.

Data files (.yaml/.yml/.json) are checked as they are; a .docx, .pdf or .txt document is read
the way `workplan import` reads it and its problems are reported at the source's own lines,
its numbering as written included (gaps, repeats, mixed styles).

\b
Rules (id, default severity, what it finds):
{_RULE_HELP}

Every file is validated first; a file that does not validate is reported under the rule
'invalid' (an error). Problems are printed as file:line:column: field path: [rule] severity:
message, with a hint. Exit code 1 when any error is found; warnings alone exit 0.
An error stops `workplan build` too, unless it is given --force.

\b
Rules can be switched off, or their severity changed, in a workplan.toml (or .workplan.toml)
in the file's folder or above it, or in the file given with --config:
  [lint]
  ignore = ["punctuation"]
  [lint.severity]
  date-format = "error"

\b
Examples:
  workplan lint corpus/
  workplan lint program.yaml --ignore punctuation
  workplan lint corpus/ --format json > lint.json
  workplan lint old-program.docx scan.pdf notes.txt
""")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: a JSON list of the problems (file, line, column, path, rule, severity, message, hint).")
@click.option("--json", "as_json", is_flag=True, help="The same as --format json.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="A workplan.toml to use instead of the nearest one above each file.")
@click.option("--select", "select", metavar="RULES", help="Only these rules (comma-separated).")
@click.option("--ignore", "ignore", metavar="RULES", help="Skip these rules (comma-separated).")
@lang_option(default=None, choices=LANGS,
             help="Languages every text must have, e.g. zh,en (default: the languages the document uses).")
@archive_option
def lint(files: tuple[str, ...], fmt: str, as_json: bool, config_file: str | None, select: str | None,
         ignore: str | None, langs: list[str], archive_path: str | None) -> None:
    from .helpers import echo_err, expand_inputs, progress
    from ..lint import errors_of, lint_file, load_config

    as_json = as_json or fmt == "json"
    config = load_config(str(config_file)) if config_file else None
    sel, ign = _rule_list(select), _rule_list(ignore)
    lang_list = langs or None
    resolver = program_resolver(archive_path)
    paths = expand_inputs(files)
    all_problems = []
    bad_files = 0
    for path in progress(paths, "linting"):
        problems = lint_file(path, select=sel or None, ignore=ign, langs=lang_list, config=config,
                             program_resolver=resolver)
        all_problems.extend(problems)
        if problems:
            bad_files += 1
        if not as_json:
            if problems:
                for p in problems:
                    echo_err(p.format())
            else:
                say(f"{path}: clean")
    if as_json:
        say(json.dumps([p.as_dict() if hasattr(p, "as_dict") else vars(p) for p in all_problems],
                              ensure_ascii=False, indent=2))
    elif all_problems:
        n_err = len(errors_of(all_problems))
        echo_err(f"{len(all_problems)} problem(s) in {bad_files} of {len(paths)} file(s): "
                 f"{n_err} error(s), {len(all_problems) - n_err} warning(s)")
    if errors_of(all_problems):
        sys.exit(1)
