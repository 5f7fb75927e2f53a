"""Start-up checks for the PDF writer: HarfBuzz subsetting and the font files."""
from __future__ import annotations

import ctypes.util
from functools import lru_cache

from ..errors import EnvironmentProblem, Problem
from ..layout import missing_font_files


@lru_cache(maxsize=1)
def check_pdf_environment() -> None:
    """Fail with a clear message if libharfbuzz-subset0 or a font file is missing.

    Without libharfbuzz-subset, WeasyPrint silently falls back to fontTools subsetting, which
    takes ~10 s per CJK document instead of ~0.2 s; so we refuse rather than crawl.
    """
    problems: list[Problem] = []
    if not ctypes.util.find_library("harfbuzz-subset"):
        problems.append(Problem("libharfbuzz-subset0 is not installed (needed to embed CJK fonts quickly)",
                                hint="run scripts/install-system-deps.sh, or apt-get install libharfbuzz-subset0"))
    for family, path, pkg in missing_font_files():
        problems.append(Problem(f"font file for {family} not found: {path}",
                                hint=f"run scripts/install-system-deps.sh, or apt-get install {pkg}"))
    if problems:
        raise EnvironmentProblem(problems)
