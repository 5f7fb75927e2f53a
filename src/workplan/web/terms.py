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


LANG_COOKIE = "wp_ui"


def reader_language() -> str:
    """The reader's interface language for this request: ``?ui=``, then the cookie, then Chinese."""
    from flask import request
    ui = request.args.get("ui", "")
    if ui in UI_LANGS:
        return ui
    cookie = request.cookies.get(LANG_COOKIE, "")
    return cookie if cookie in UI_LANGS else DEFAULT_UI
