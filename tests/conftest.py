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
