"""What the templates see besides a view's own values: the words of the interface, links to
this page with changed parameters, labels of the vocabularies, and small formatters."""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from flask import Flask, g, request
from markupsafe import Markup, escape

from .params import KINDS, RETENTIONS
from .terms import DEFAULT_UI, has_term, term


def safe_name(name: str) -> str:
    """A download name without path separators or control characters (the header encodes the rest)."""
    return re.sub(r"[\x00-\x1f\x7f/\\:*?\"<>|]", "_", name)[:180]


def human_size(n: float | None) -> str:
    if n is None:
        return ""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,} B" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def marked(snippet: Any) -> Markup:
    """A snippet as HTML: every character escaped, then the matches wrapped in <mark>."""
    out, last = [], 0
    text = snippet.text
    for s, e in snippet.spans:
        out.append(str(escape(text[last:s])))
        out.append("<mark>" + str(escape(text[s:e])) + "</mark>")
        last = e
    out.append(str(escape(text[last:])))
    return Markup("".join(out))


def here(**changes: Any) -> str:
    """This page's URL with some query parameters changed (None removes one)."""
    args = {k: v for k, v in request.args.items() if k != "ui"}
    for k, v in changes.items():
        if v is None:
            args.pop(k, None)
        else:
            args[k] = str(v)
    qs = urlencode(args)
    return g.get("page_path", request.path) + ("?" + qs if qs else "")


def context() -> dict:
    ui = g.get("ui", DEFAULT_UI)

    def t(key: str, **kw: Any) -> str:
        return term(key, ui, **kw)

    guard = g.get("guard")
    from .security import csrf_token
    csrf = csrf_token(guard.secret, g.session_id) if guard is not None and g.get("session_id") else ""
    return {"t": t, "ui": ui, "here": here, "csrf": csrf,
            "switch_url": here(ui="en" if ui == "zh" else "zh"),
            "has_token": bool(guard and guard.token), "authed": g.get("person") is not None,
            "kind_label": lambda k: t("kind." + k) if k in KINDS else k,
            "retention_label": lambda r: t("retention." + r) if r in RETENTIONS else r,
            "lang_label": lambda lg: t("lang." + lg) if lg in ("zh", "en", "zh-en") else lg,
            "size": human_size, "marked": marked,
            "term_or": lambda key, default: t(key) if has_term(key) else default}


def install(app: Flask) -> None:
    app.context_processor(context)
