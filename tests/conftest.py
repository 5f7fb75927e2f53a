"""Shared fixtures: the corpus and temporary outputs."""
from __future__ import annotations

from pathlib import Path

import pytest

from pg_fixture import pg_server  # noqa: F401 - the session's PostgreSQL server (tests/pg_fixture.py)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.glob("*.yaml"))


CORPUS_LANGS = ("zh", "en", "zh-en")


@pytest.fixture(scope="session")
def corpus_build(tmp_path_factory):
    """``corpus_build(engine)`` → (folder, {source: BuildResult}): every corpus file built as DOCX
    and PDF in every language with that PDF engine (the DOCX follows that engine's pagination, as
    ``workplan build`` makes it). Built once per engine per test session, on first use: the layout,
    PDF and DOCX tests read the same files."""
    made: dict[str, tuple[Path, dict]] = {}

    def get(engine: str) -> tuple[Path, dict]:
        if engine not in made:
            from workplan.render import build_file
            out = tmp_path_factory.mktemp(f"corpus-{engine}")
            made[engine] = (out, {f: build_file(f, out, langs=CORPUS_LANGS, formats=("docx", "pdf"), pdf_engine=engine)
                                  for f in corpus_files()})
        return made[engine]

    return get


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def winter_file() -> Path:
    return CORPUS / "winter-fire-safety.yaml"


# Known failures, named with their reasons: each still runs, and passes silently once fixed.
KNOWN_FAILURES: dict[str, str] = {}


# The test command runs the suite in two processes (pytest-xdist, --dist loadgroup). Each test
# file goes to one process whole (its module fixtures are built once); the files that read the
# session's corpus build (corpus_build) go to the same process, so it is built once per engine.
CORPUS_BUILD_READERS = ("tests/test_layout.py", "tests/test_pdf.py", "tests/test_docx.py")


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        item.add_marker(pytest.mark.xdist_group("corpus-build" if path in CORPUS_BUILD_READERS else path))
        reason = KNOWN_FAILURES.get(item.nodeid)
        if reason:
            item.add_marker(pytest.mark.xfail(reason=reason, strict=False))
