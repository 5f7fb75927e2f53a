"""The web interface's words: the ``web.*`` entries of the one language table
(:data:`workplan.i18n.TERMS`), looked up without their prefix."""
from __future__ import annotations

from ..i18n import TERMS
from ..i18n import term as _term

UI_LANGS = ("zh", "en")
DEFAULT_UI = "zh"
PREFIX = "web."


def term(key: str, lang: str, **values) -> str:
    """The UI term ``key`` (``web.<key>`` in the table) in ``lang``, placeholders filled in."""
    return _term(PREFIX + key, lang, **values)


def has_term(key: str) -> bool:
    return PREFIX + key in TERMS
