"""`workplan lint`: report the defects real documents carry before they are issued."""
from __future__ import annotations

import json
import sys

import click

from ..i18n import LANGS
from ..lint.rules import RULES
from .options import archive_option, lang_option, program_resolver


def _rule_list(value: str | None) -> list[str]:
    if not value:
        return []
    rules = [r.strip() for r in value.split(",") if r.strip()]
    for r in rules:
        if r not in RULES:
            raise click.BadParameter(f"'{r}' is not a rule; rules: {', '.join(RULES)}")
    return rules


_RULE_HELP = "\n".join(f"  {k:<18} {v}" for k, v in RULES.items())


@click.command("lint", help=f"""Check data files for defects that validation cannot see.

\b
Rules:
{_RULE_HELP}

Every file is validated first; a file that does not validate is reported under the rule
'invalid'. Problems are printed as file:line:column: field path: [rule] message, with a hint.
Exit code 0 when every file is clean, 1 when any problem is found.

\b
Examples:
  workplan lint corpus/
  workplan lint program.yaml --ignore punctuation
  workplan lint corpus/ --json > lint.json
""")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the problems as a JSON list (file, line, column, path, rule, message, hint).")
@click.option("--select", "select", metavar="RULES", help="Only these rules (comma-separated).")
@click.option("--ignore", "ignore", metavar="RULES", help="Skip these rules (comma-separated).")
@lang_option(default=None, choices=LANGS,
             help="Languages every text must have, e.g. zh,en (default: the languages the document uses).")
@archive_option
def lint(files: tuple[str, ...], as_json: bool, select: str | None, ignore: str | None, langs: list[str],
         archive_path: str | None) -> None:
    from . import echo_err, expand_inputs, progress
    from ..lint import lint_file

    sel, ign = _rule_list(select), _rule_list(ignore)
    lang_list = langs or None
    resolver = program_resolver(archive_path)
    paths = expand_inputs(files)
    all_problems = []
    bad_files = 0
    for path in progress(paths, "linting"):
        problems = lint_file(path, select=sel or None, ignore=ign, langs=lang_list, program_resolver=resolver)
        all_problems.extend(problems)
        if problems:
            bad_files += 1
        if not as_json:
            if problems:
                for p in problems:
                    echo_err(p.format())
            else:
                click.echo(f"{path}: clean")
    if as_json:
        click.echo(json.dumps([p.as_dict() if hasattr(p, "as_dict") else vars(p) for p in all_problems],
                              ensure_ascii=False, indent=2))
    elif all_problems:
        echo_err(f"{len(all_problems)} problem(s) in {bad_files} of {len(paths)} file(s)")
    if all_problems:
        sys.exit(1)
