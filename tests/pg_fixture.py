"""A throwaway PostgreSQL server for the tests, started once per session by scripts/pg-cluster
(as the `postgres` user when the tests run as root, as CI does).

Tests ask for ``pg_server`` (the server) and make a database of their own with
``pg_server.new_database()``. Skipped, saying why, only when PostgreSQL 15 or psycopg is not
installed (scripts/setup installs both, so on CI these tests run).
"""
from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PG_CLUSTER = ROOT / "scripts" / "pg-cluster"
PGBIN = Path("/usr/lib/postgresql/15/bin")


class PgServer:
    def __init__(self, base: Path, url: str) -> None:
        self.base = base
        self.url = url  # the database "workplan"
        self._n = itertools.count(1)

    def database_url(self, name: str) -> str:
        return self.url.rsplit("/", 1)[0] + "/" + name

    def new_database(self) -> str:
        """A new empty database on the server; its URL."""
        import psycopg
        name = f"wp_{os.getpid()}_{next(self._n)}"
        with psycopg.connect(self.database_url("postgres"), autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}"')
        return self.database_url(name)

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(["bash", str(PG_CLUSTER), *args], capture_output=True, text=True, timeout=timeout)

    def restart(self) -> None:
        r = self.run("restart", str(self.base))
        assert r.returncode == 0, r.stderr


def start_server() -> PgServer:
    if not (PGBIN / "initdb").exists():
        pytest.skip(f"PostgreSQL 15 is not installed ({PGBIN}/initdb is missing): run scripts/install-system-deps.sh")
    try:
        import psycopg  # noqa: F401
        import psycopg_pool  # noqa: F401
    except ImportError:
        pytest.skip('psycopg is not installed: pip install -e ".[pg]" (scripts/setup does)')
    r = subprocess.run(["bash", str(PG_CLUSTER), "start"], capture_output=True, text=True, timeout=180)
    if r.returncode != 0:
        raise RuntimeError(f"scripts/pg-cluster start failed:\n{r.stdout}\n{r.stderr}")
    out = dict(line.split("=", 1) for line in r.stdout.splitlines() if "=" in line)
    return PgServer(Path(out["BASE"]), out["URL"])


@pytest.fixture(scope="session")
def pg_server():
    server = start_server()
    try:
        yield server
    finally:
        server.run("remove", str(server.base))
        shutil.rmtree(server.base, ignore_errors=True)
