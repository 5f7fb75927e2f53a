"""Look-ups that name one record: an archival code, a document number or a title typed (or
pasted) as the whole query goes straight to that record. A code is looked up in the catalogue
(its key); a document number or a title is found by the search itself, then matched exactly
against the hits (no scan of the catalogue)."""
from __future__ import annotations

import re
import unicodedata
from typing import Any

MAX_NAME = 200
_CODE = re.compile(r"([A-Z0-9]{1,12}-[A-Z]{1,6})[.·・•‧･．∙⋅]?(\d{4}-(?:Y|D30|D10)-[A-Z0-9]{1,16}-\d{4,6})")
# the brackets of a document number's year: 〔2023〕, typed as [2023], (2023), （2023）, 【2023】, ［2023］
_YEAR_BRACKETS = re.compile(r"[\[(（【［〔](\d{4})[\])）】］〕]")


def spellings(text: str) -> tuple[str, ...]:
    """The ways ``text`` may be written in the catalogue: as typed, NFKC-normalised, as a code
    with its middle dot, as a document number with 〔〕 around its year."""
    t = " ".join(text.split())
    if not t or len(t) > MAX_NAME:
        return ()
    out = [t, unicodedata.normalize("NFKC", t)]
    m = _CODE.fullmatch(unicodedata.normalize("NFKC", t).upper().replace(" ", ""))
    if m:
        out.append(f"{m[1]}·{m[2]}")
    out.append(_YEAR_BRACKETS.sub(r"〔\1〕", t))
    out.append(_YEAR_BRACKETS.sub(r"〔\1〕", unicodedata.normalize("NFKC", t)))
    for q in ('"', "“", "「"):  # a title pasted with its quotes
        if len(t) > 2 and t.startswith(q):
            out.append(t[1:-1].strip())
    return tuple(dict.fromkeys(out))


def code_named(text: str) -> str | None:
    """The archival code ``text`` spells (with any middle dot, in any case), if it is one."""
    m = _CODE.fullmatch(unicodedata.normalize("NFKC", " ".join(text.split())).upper().replace(" ", ""))
    return f"{m[1]}·{m[2]}" if m else None


def hit_named(hits: list[Any], text: str) -> str | None:
    """The one record among search hits whose document number or title (Chinese, or English in
    any case) is exactly ``text`` as typed; None when none or several are."""
    names = set(spellings(text))
    lower = {n.lower() for n in names}
    codes = {h.code for h in hits if h.doc_number in names or h.title in names
             or (h.title_en or "").lower() in lower}
    return codes.pop() if len(codes) == 1 else None
