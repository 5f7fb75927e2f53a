"""Start-up stays light: `workplan --help` and `workplan validate` import none of the heavy
libraries (a correctness check of laziness; the timing is in bench/bench_startup.py)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("weasyprint", "matplotlib", "tantivy", "jieba", "rich", "docx", "docxtpl", "pypdf", "whoosh", "bagit",
         "PIL", "numpy", "fontTools", "typst", "flask")
CHECK = """
import json, sys
{body}
print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r})))
"""


def loaded_after(body: str) -> list[str]:
    r = subprocess.run([sys.executable, "-c", CHECK.format(body=body, heavy=set(HEAVY))], capture_output=True,
                       text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_importing_the_cli_loads_no_heavy_library():
    assert loaded_after("import workplan.cli") == []
    # nor the stages' packages: they load when their command runs
    r = subprocess.run([sys.executable, "-c", "import sys, workplan.cli; print(' '.join(sys.modules))"],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    loaded = set(r.stdout.split())
    assert not loaded & {"workplan.archive", "workplan.search", "workplan.render", "workplan.compile",
                         "workplan.lint", "concurrent.futures.process"}


@pytest.mark.parametrize("argv", [["--help"], ["validate", "corpus/winter-fire-safety.yaml"]])
def test_help_and_validate_load_no_heavy_library(argv):
    body = f"""
from workplan.cli import main
sys.argv = ['workplan', *{argv!r}]
try:
    main()
except SystemExit as e:
    assert not e.code, e.code
"""
    assert loaded_after(body) == []


def test_lazy_commands_are_listed_with_their_own_short_help():
    from workplan.cli import LAZY_COMMANDS, cli
    ctx = click.Context(cli)
    for name, (_, _, summary) in LAZY_COMMANDS.items():
        cmd = cli.get_command(ctx, name)
        assert cmd is not None and cmd.name in (name, f"{name}_cmd", name.replace("_", "-"))
        for limit in (45, 80):
            assert click.Command(name, help=summary).get_short_help_str(limit) == cmd.get_short_help_str(limit), name


def test_every_command_still_runs_from_the_command_line(tmp_path):
    for name in ("archive", "compile", "lint", "search"):
        r = subprocess.run([sys.executable, "-m", "workplan.cli", name, "--help"], capture_output=True, text=True,
                           cwd=ROOT, timeout=120)
        assert r.returncode == 0 and "Usage: " in r.stdout, (name, r.stderr)
    r = subprocess.run([sys.executable, "-m", "workplan.cli", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert all(n in r.stdout for n in ("archive", "build", "compile", "lint", "schema", "search", "validate"))
    r = subprocess.run([sys.executable, "-m", "workplan.cli", "nosuch"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2 and "No such command" in r.stderr
