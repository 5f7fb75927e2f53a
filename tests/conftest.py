"""Shared fixtures: the corpus and temporary outputs."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.glob("*.yaml"))


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def winter_file() -> Path:
    return CORPUS / "winter-fire-safety.yaml"


# Known failures, named with their reasons: each still runs, and passes silently once fixed.
KNOWN_FAILURES: dict[str, str] = {}


def pytest_collection_modifyitems(config, items):
    for item in items:
        reason = KNOWN_FAILURES.get(item.nodeid)
        if reason:
            item.add_marker(pytest.mark.xfail(reason=reason, strict=False))
