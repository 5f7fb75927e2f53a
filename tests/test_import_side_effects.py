"""Importing a module of workplan changes nothing in the process: no umask, no log level, no
logging handler, no warnings filter, no environment variable. What a command needs (pypdf's
warnings quieted, say) is done by the command when it runs."""
from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT

_PROBE = r"""
import importlib, json, logging, os, pkgutil, sys, traceback, warnings

PKG = os.path.join(sys.argv[1], "src", "workplan")
calls = []

def ours():
    # the innermost frame inside the package that led to the call (a library called by it counts too)
    for f in reversed(traceback.extract_stack()[:-2]):
        if f.filename.startswith(PKG):
            return f"{os.path.relpath(f.filename, sys.argv[1])}:{f.lineno}"
    return None

def recorder(what, real):
    def call(*a, **k):
        where = ours()
        if where:
            calls.append(f"{what} at {where}")
        return real(*a, **k)
    return call

os.umask = recorder("os.umask", os.umask)
logging.Logger.setLevel = recorder("Logger.setLevel", logging.Logger.setLevel)
logging.Logger.addHandler = recorder("Logger.addHandler", logging.Logger.addHandler)
logging.basicConfig = recorder("logging.basicConfig", logging.basicConfig)
logging.disable = recorder("logging.disable", logging.disable)
warnings.filterwarnings = recorder("warnings.filterwarnings", warnings.filterwarnings)
warnings.simplefilter = recorder("warnings.simplefilter", warnings.simplefilter)

env = dict(os.environ)
filters = list(warnings.filters)
root = (logging.getLogger().level, list(logging.getLogger().handlers))
import workplan
names = sorted(m.name for m in pkgutil.walk_packages(workplan.__path__, "workplan."))
failed = {}
for name in names:
    try:
        importlib.import_module(name)
    except ImportError as e:  # an optional backend's package that is not installed
        failed[name] = str(e)
if dict(os.environ) != env:
    calls.append("os.environ changed: " + str(set(os.environ.items()) ^ set(env.items())))
if list(warnings.filters) != filters:
    calls.append("warnings.filters changed")
if (logging.getLogger().level, list(logging.getLogger().handlers)) != root:
    calls.append("the root logger changed")
print(json.dumps({"modules": len(names), "failed": failed, "calls": calls}))
"""


def test_importing_every_module_changes_nothing_in_the_process():
    r = subprocess.run([sys.executable, "-c", _PROBE, str(ROOT)], capture_output=True, text=True, timeout=300, check=False,
                       cwd=ROOT)
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["modules"] > 100
    assert not [n for n in out["failed"] if "whoosh" not in n], out["failed"]
    assert out["calls"] == [], "importing these changed the process: " + "; ".join(out["calls"])


def test_outputs_follow_the_umask_read_when_they_are_written():
    """The render package no longer reads the umask on import: an output written after the
    process changed its umask follows the new one."""
    code = ("import os; from pathlib import Path; from workplan.render import atomic_write; os.umask(0o027); "
            "p = Path(os.sys.argv[1]); atomic_write(p, lambda t: t.write_text('x')); "
            "print(oct(p.stat().st_mode & 0o777), oct(os.umask(0o022)))")
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        r = subprocess.run([sys.executable, "-c", code, f"{d}/out.txt"], capture_output=True, text=True, timeout=60,
                           check=False)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.split() == ["0o640", "0o27"]
