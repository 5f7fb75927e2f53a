"""What the templates see besides a view's own values: the words of the interface, links to
this page with changed parameters, labels of the vocabularies, and small formatters."""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, quote_plus

from flask import Flask, current_app, g, request, url_for
from markupsafe import Markup, escape

from ..i18n import said
from .params import KINDS, RETENTIONS
from .terms import has_term, reader_language, term


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


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


def is_zh(text: Any) -> bool:
    return bool(text) and bool(_CJK.search(str(text)))


def other_lang(text: Any, ui: str, names_en: dict[str, str] | None = None) -> Markup:
    """A data text in the reader's language: in the English interface the English form the data
    gives for a Chinese text (``names_en``: issuer and unit names, document numbers), else the
    Chinese text marked ``lang="zh-CN"`` as a visible fallback; otherwise the text as is."""
    if ui == "en" and is_zh(text):
        english = (names_en or {}).get(str(text))
        if english:
            return escape(english)
        return Markup('<span lang="zh-CN" class="untranslated">') + escape(text) + Markup("</span>")
    return escape(text)


def own_lang(text: Any, ui: str) -> Markup:
    """A data text marked with its own language where it is not the interface's (a reason or a
    name typed in English on the Chinese interface, or in Chinese on the English one)."""
    if not text:
        return Markup("")
    if ui == "en" and is_zh(text):
        return Markup('<span lang="zh-CN">') + escape(text) + Markup("</span>")
    if ui == "zh" and not is_zh(text) and re.search(r"[A-Za-z]", str(text)):
        return Markup('<span lang="en">') + escape(text) + Markup("</span>")
    return escape(text)


def local_time(value: Any, tz: Any = None) -> str:
    """An ISO timestamp (UTC, with milliseconds) as local time to the second: in ``tz`` (the site's
    configured time zone, a ``zoneinfo.ZoneInfo``), else the server's."""
    from datetime import datetime
    try:
        t = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value or "")
    if t.tzinfo is not None:
        t = t.astimezone(tz)
    return t.strftime("%Y-%m-%d %H:%M:%S")


def role_label(role: str, ui: str) -> str:
    """A file role in words: pdf:zh-en → "PDF（中英对照）" / "PDF (bilingual)"."""
    kind, _, lang = role.partition(":")
    name = term("role." + kind, ui) if has_term("role." + kind) else kind
    if not lang:
        return name
    lang_name = term("lang." + lang, ui) if has_term("lang." + lang) else lang
    return f"{name}（{lang_name}）" if ui == "zh" else f"{name} ({lang_name})"


def finding(f: dict, ui: str) -> str:
    """A fixity finding in the reader's language (by its kind), else as the archive wrote it."""
    key = "finding." + str(f.get("kind"))
    if has_term(key):
        return term(key, ui, file=f.get("file") or "")
    return str(f.get("message", ""))


def _encoded_args() -> list[tuple[str, str]]:
    """This request's query parameters (without ``ui``) as (name, "name=value" encoded), worked
    out once per request: a search page links to itself dozens of times (facets, sorts, pages)."""
    enc = g.get("here_encoded")
    if enc is None:
        base = g.get("here_args")
        if base is None:
            base = [(k, v) for k, v in request.args.items(multi=True) if k != "ui"]
        elif isinstance(base, dict):
            base = list(base.items())
        enc = g.here_encoded = [(k, _pair(k, v)) for k, v in base]
    return enc


def _pair(key: str, value: Any) -> str:
    return quote_plus(str(key)) + "=" + quote_plus(str(value))


def here(**changes: Any) -> str:
    """This page's URL with some query parameters changed: a value replaces the parameter's
    values (in its place), a list gives it several, None or [] removes it."""
    parts: list[str] = []
    placed: set[str] = set()
    for k, pair in _encoded_args():
        if k not in changes:
            parts.append(pair)
        elif k not in placed:
            parts += [_pair(k, x) for _, x in _values(k, changes[k])]
            placed.add(k)
    for k, v in changes.items():
        if k not in placed:
            parts += [_pair(k, x) for _, x in _values(k, v)]
    qs = "&".join(parts)
    return g.get("page_path", request.path) + ("?" + qs if qs else "")


def _values(key: str, value: Any) -> list[tuple[str, str]]:
    if value is None:
        return []
    return [(key, str(x)) for x in (value if isinstance(value, (list, tuple)) else [value])]


def toggled(field: str, value: Any) -> str:
    """This page's URL with ``value`` added to the filter ``field`` or, when it is one of its
    values already, taken out (back to the first page)."""
    current = request.args.getlist(field)
    v = str(value)
    values = [x for x in current if x != v] if v in current else [*current, v]
    return here(**{field: values, "page": None})


def record_url(code: str, back: str | None = None) -> str:
    """``url_for("record_page", code=code, back=back)`` without the routing machinery for each of
    the ten hits of a page: the prefix is built once per request, the code quoted as werkzeug does."""
    prefix = g.get("record_prefix")
    if prefix is None:
        prefix = g.record_prefix = url_for("record_page", code="_")[:-1]
    return prefix + quote(str(code), safe="!$&'()*+,/:;=@") + ("?" + _pair("back", back) if back else "")


def context() -> dict:
    ui = g.get("ui") or reader_language()

    def t(key: str, **kw: Any) -> str:
        return term(key, ui, **kw)

    guard = g.get("guard")
    from .security import csrf_token
    csrf = csrf_token(guard.secret, g.session_id) if guard is not None and g.get("session_id") else ""
    return {"t": t, "ui": ui, "here": here, "csrf": csrf,
            "switch_url": here(ui="en" if ui == "zh" else "zh"),
            "has_token": bool(guard and guard.token), "authed": g.get("person") is not None,
            "account": g.get("account"), "may": _may,
            "kind_label": lambda k: t("kind." + k) if k in KINDS else k,
            "retention_label": lambda r: t("retention." + r) if r in RETENTIONS else r,
            "lang_label": lambda lg: t("lang." + lg) if lg in ("zh", "en", "zh-en") else lg,
            "size": human_size, "marked": marked, "is_zh": is_zh,
            "zh": lambda text, names=None: other_lang(text, ui, names), "toggled": toggled, "record_url": record_url,
            "when": lambda v: local_time(v, current_app.config.get("WP_TZ")), "role_label": lambda r: role_label(r, ui),
            "site_name": site_name(ui), "finding": lambda f: finding(f, ui), "said": lambda m: said(m, ui),
            "own": lambda text: own_lang(text, ui),
            "term_or": lambda key, default: t(key) if has_term(key) else default}


def _may(action: str) -> bool:
    from .security import allowed
    return allowed(action)


def site_name(ui: str) -> str:
    """The site's name: the archive's fonds name with "档案查阅" (its English name when the
    archive has one), else the generic name."""
    from .site import site
    try:
        cfg = site().archive().config
    except Exception:  # noqa: BLE001 - an error page must render even when the archive cannot be read
        cfg = None
    zh_name = getattr(cfg, "fonds_name", "") or ""
    en_name = getattr(cfg, "fonds_name_en", "") or ""
    if ui == "en":
        return term("site.named", ui, name=en_name) if en_name else term("site", ui)
    return term("site.named", ui, name=zh_name) if zh_name else term("site", ui)


def install(app: Flask) -> None:
    app.context_processor(context)
