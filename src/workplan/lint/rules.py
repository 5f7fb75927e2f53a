"""The lint checks. Each finds one kind of defect that real documents carry and that schema
validation cannot see: the data is well-formed, but the document would be wrong.

Rule ids (stable; used by ``--select``/``--ignore`` and in JSON output):

- ``placeholder``        unfilled template blanks: ___X, 20__, XX/xx, ××, 某某, 到年 (year missing), 年月日
- ``numbering-in-text``  a text that starts with its own number (一、 （二） 3. (ii) One,) duplicating the generated numbering
- ``punctuation``        half-width , ; : ( ) ! ? next to Chinese characters; Chinese punctuation in English text
- ``translation``        English text with Chinese characters, Chinese text identical to its English,
                         a missing translation in a bilingual document, a unit without an English name
- ``dates``              document-number year ≠ document year, deadlines/due dates before the document date,
                         a deadline that looks like a date but is not one (2024-13-01 is kept as text),
                         a sub-task due after its parent, printing date before the document date,
                         phases out of order, overlapping, or over before the document date
- ``letterhead``         a document number that will not be printed (``letterhead: false``)
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from pydantic import BaseModel

from ..errors import Problem
from ..i18n import format_date
from ..model.document import LangText, plain_langs
from .walk import HAN, PathT, TextRef, text_slots

RULES: dict[str, str] = {
    "placeholder": "unfilled placeholders (___, 20__, XX, ××, 某某, 到年)",
    "numbering-in-text": "texts that carry their own numbering (一、 （二） 3. (ii))",
    "punctuation": "half-width punctuation in Chinese text, Chinese punctuation in English text",
    "translation": "missing, untranslated or wrongly-languaged texts",
    "dates": "dates that contradict each other (document number, deadlines, phases)",
    "letterhead": "a document number that is not printed because the letterhead is turned off",
}


def check_letterhead(doc: BaseModel) -> Iterable[tuple[PathT, str, str]]:
    """The document number is printed only in the 版头: with ``letterhead: false`` it is lost."""
    if getattr(doc, "letterhead", None) is False and getattr(doc, "doc_number", None) is not None:
        yield ("letterhead",), "the document number will not be printed: the letterhead is turned off", \
            "remove 'letterhead: false' to print the 版头 with the document number, or remove doc_number"
    elif getattr(doc, "letterhead", None) is True and not (getattr(doc, "issuer_mark", None) or getattr(doc, "issuers", None)):
        yield ("letterhead",), "no letterhead can be printed: the document has neither issuer_mark nor issuers", \
            "add issuer_mark: or issuers:"


@dataclass
class LintProblem(Problem):
    """A :class:`Problem` found by a lint rule."""

    rule: str = ""

    def format(self) -> str:
        out = f"{self.location()}: "
        if self.path:
            out += f"{self.path}: "
        out += f"[{self.rule}] {self.message}"
        if self.hint:
            out += f"\n    hint: {self.hint}"
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column, "path": self.path,
                "rule": self.rule, "message": self.message, "hint": self.hint}


def _excerpt(text: str, start: int, end: int, width: int = 12) -> str:
    a, b = max(0, start - width), min(len(text), end + width)
    return ("…" if a else "") + text[a:b] + ("…" if b < len(text) else "")


# --- placeholder ------------------------------------------------------------------------------
_PLACEHOLDERS_ANY = [
    (re.compile(r"_{2,}|＿{2,}"), "an unfilled blank"),
    (re.compile(r"(?<!\d)(?:19|20)\d?_"), "a year with blank digits"),
    (re.compile(r"[×✕]{2,}"), "a ×× placeholder"),
    (re.compile(r"\bTBD\b|\bTODO\b|\bFIXME\b|\[\s*(?:name|date|year|unit|number|place|N/?A)\s*\]", re.I),
     "a placeholder"),
]
_PLACEHOLDERS_ZH = [
    (re.compile(r"[XxＸｘ]{2,}"), "an XX placeholder"),
    (re.compile(r"某某"), "a 某某 placeholder"),
    (re.compile(r"(?:到|至|于|在|截至|截止|从|自)年(?=[，,、。；;\s]|\d{1,2}月|[一二三四五六七八九十]{1,2}月)"), "a year left out (到年)"),
    (re.compile(r"(?<![\d〇零一二三四五六七八九十])年\s*月\s*日"), "a date left blank (年月日)"),
    (re.compile(r"\d{1,2}月日(?!常)"), "a day left blank (月日)"),
    (re.compile(r"〔\s*〕|〔\s*\d{0,3}\s*〕(?=\s*号)"), "an incomplete document number"),
]
_PLACEHOLDERS_EN = [
    (re.compile(r"\bX{2,}\b|\bx{2,}\b"), "an XX placeholder"),
]


def check_placeholders(t: TextRef) -> Iterable[tuple[str, str]]:
    pats = list(_PLACEHOLDERS_ANY)
    if t.lang in ("zh", "any") or HAN.search(t.text):
        pats += _PLACEHOLDERS_ZH
    if t.lang in ("en", "any"):
        pats += _PLACEHOLDERS_EN
    for rx, what in pats:
        m = rx.search(t.text)
        if m:
            yield (f"{what}: “{_excerpt(t.text, m.start(), m.end())}”",
                   "fill in the real value; a document must not be issued with blanks")
            return


# --- numbering written into texts ---------------------------------------------------------------
_ZH_NUM = "一二三四五六七八九十"
_NUMBERING_ZH = re.compile(
    rf"^\s*(?:[{_ZH_NUM}]+\s*[、．.]|[（(]\s*[{_ZH_NUM}]+\s*[）)]|\d{{1,2}}\s*[、．]|\d{{1,2}}\.(?!\d)"
    rf"|[（(]\s*\d{{1,2}}\s*[）)]|第[{_ZH_NUM}]+[、，,]|[①-⑳]|[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]\s*[、.．]?)")
_EN_WORDNUM = "One|Two|Three|Four|Five|Six|Seven|Eight|Nine|Ten"
_NUMBERING_EN = re.compile(
    rf"^\s*(?:[IVXLC]+\.\s|\(\s*(?:[ivxlc]+|[IVXLC]+|[A-Za-z]|\d{{1,2}})\s*\)|\d{{1,2}}[.)](?!\d)|[a-z]\)\s"
    rf"|(?:{_EN_WORDNUM})\s*,\s)")


def check_numbering(t: TextRef) -> Iterable[tuple[str, str]]:
    if t.is_name:
        return
    rx = _NUMBERING_EN if t.lang == "en" else _NUMBERING_ZH
    m = rx.match(t.text)
    if m:
        label = m.group(0).strip()
        yield (f"the text starts with its own number “{label}”, which duplicates the generated numbering",
               "remove the number: numbering is generated from the structure (use items: for numbered points)")


# --- punctuation --------------------------------------------------------------------------------
_H = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_HALF_IN_ZH = re.compile(rf"(?<={_H})\s*[,;:!?()]|[,;!?()]\s*(?={_H})|(?<={_H})\.(?={_H})")
_FULL = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？", "(": "（", ")": "）", ".": "。"}
_FULL_IN_EN = re.compile(r"[，。；：（）、！？【】《》〔〕]")


def check_punctuation(t: TextRef) -> Iterable[tuple[str, str]]:
    if t.lang == "en":
        m = _FULL_IN_EN.search(t.text)
        if m:
            yield (f"Chinese punctuation “{m.group(0)}” in English text: “{_excerpt(t.text, m.start(), m.end())}”",
                   "use English punctuation (, . ; : ( )) in English texts")
        return
    if not HAN.search(t.text):
        return
    m = _HALF_IN_ZH.search(t.text)
    if m:
        ch = m.group(0).strip()
        yield (f"half-width “{ch}” in Chinese text: “{_excerpt(t.text, m.start(), m.end())}”",
               f"use the full-width “{_FULL.get(ch, ch)}” in Chinese text")


# --- translation ---------------------------------------------------------------------------------
_LATIN_WORDS = re.compile(r"[A-Za-z]{2,}")


def check_language(t: TextRef) -> Iterable[tuple[str, str]]:
    if t.lang == "en":
        m = HAN.search(t.text)
        if m:
            yield (f"English text contains Chinese characters: “{_excerpt(t.text, m.start(), m.end())}”",
                   "translate the Chinese part")
            return
    if t.lang == "zh":
        if t.other is not None and t.other.strip() == t.text.strip() and (HAN.search(t.text) or _LATIN_WORDS.search(t.text)):
            yield ("the Chinese text is identical to the English text",
                   "write the Chinese text under zh and its English under en")
            return
        if not HAN.search(t.text) and len(_LATIN_WORDS.findall(t.text)) >= 2:
            yield ("the Chinese text has no Chinese characters", "write the Chinese text under zh")


TEXT_CHECKS: list[tuple[str, Callable[[TextRef], Iterable[tuple[str, str]]]]] = [
    ("placeholder", check_placeholders),
    ("numbering-in-text", check_numbering),
    ("punctuation", check_punctuation),
    ("translation", check_language),
]


def langs_present(doc: BaseModel) -> set[str]:
    """Which languages the document's texts are written in (zh, en or both)."""
    langs: set[str] = set()
    for _, v, _ in text_slots(doc):
        if isinstance(v, LangText):
            langs.update(lg for lg in ("zh", "en") if getattr(v, lg))
        elif HAN.search(v):
            langs.add(getattr(doc, "source_lang", "zh") or "zh")
    return langs


def missing_translations(doc: BaseModel, required: set[str]) -> Iterable[tuple[PathT, str, str]]:
    """(path, message, hint) for every text lacking a required language."""
    source = getattr(doc, "source_lang", "zh") or "zh"
    for path, v, _ in text_slots(doc):
        if isinstance(v, LangText):
            have = {lg for lg in ("zh", "en") if getattr(v, lg)}
        else:
            have = plain_langs(v, source)
        for lg in sorted(required - have):
            yield path, f"no {'English' if lg == 'en' else 'Chinese'} text", \
                "write this text as {zh: ..., en: ...}"
    if "en" in required:
        for i, u in enumerate(getattr(doc, "units", []) or []):
            if not u.en:
                yield ("units", i, "en"), f"unit '{u.id}' has no English name (English documents would show {u.zh})", \
                    "add en: with the unit's English name"


# --- dates ------------------------------------------------------------------------------------------
_DATE_LIKE = re.compile(r"^\s*\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?\s*$")


def _texts_of(value) -> list[tuple[str | None, str]]:
    if isinstance(value, LangText):
        return [(lg, getattr(value, lg)) for lg in ("zh", "en") if getattr(value, lg)]
    return [(None, value)] if isinstance(value, str) else []


def check_dates(doc: BaseModel) -> Iterable[tuple[PathT, str, str]]:
    date: dt.date | None = getattr(doc, "date", None)
    if date is None:
        return
    fd = lambda d: format_date(d, "en")  # noqa: E731
    dn = getattr(doc, "doc_number", None)
    if dn is not None and dn.year != date.year:
        yield (("doc_number",), f"the document number's year {dn.year} differs from the document date's year {date.year}",
               "check the year in the document number (〔YYYY〕) and the date")
    printed = getattr(doc, "printed", None)
    if printed is not None and printed.date < date:
        yield (("printed", "date"), f"printed on {fd(printed.date)}, before the document date {fd(date)}",
               "the printing date (印发日期) cannot precede the date of the document (成文日期)")
    sections = getattr(doc, "sections", []) or []
    for si, s in enumerate(sections):
        stype = getattr(s, "type", None)
        if stype == "tasks":
            def walk(tasks, path: PathT, parent_deadline: dt.date | None) -> Iterable[tuple[PathT, str, str]]:
                for i, t in enumerate(tasks):
                    p = path + (i,)
                    dl = t.deadline if isinstance(t.deadline, dt.date) else None
                    if dl is None and t.deadline is not None:
                        for lg, txt in _texts_of(t.deadline):
                            if _DATE_LIKE.match(txt):
                                yield (p + ("deadline",) + ((lg,) if lg else ()),
                                       f"deadline '{txt.strip()}' looks like a date but is not a valid one, so it is printed as text",
                                       "write dates as YYYY-MM-DD with a real month and day, e.g. 2024-06-30")
                    if dl is not None and dl < date:
                        yield (p + ("deadline",), f"deadline {fd(dl)} is before the document date {fd(date)}",
                               "a task cannot be due before the document that sets it")
                    elif dl is not None and parent_deadline is not None and dl > parent_deadline:
                        yield (p + ("deadline",), f"deadline {fd(dl)} is after its parent task's deadline {fd(parent_deadline)}",
                               "a sub-task must be done by the time its task is due")
                    yield from walk(t.items, p + ("items",), dl or parent_deadline)
            yield from walk(s.tasks, ("sections", si, "tasks"), None)
        elif stype == "objectives":
            for ti, tg in enumerate(s.targets):
                if tg.due is not None and tg.due < date:
                    yield (("sections", si, "targets", ti, "due"), f"due date {fd(tg.due)} is before the document date {fd(date)}",
                           "a target cannot be due before the document that sets it")
        elif stype == "phases":
            prev = None
            for pi, ph in enumerate(s.phases):
                p = ("sections", si, "phases", pi)
                if ph.end is not None and ph.end < date:
                    yield (p + ("end",), f"the phase ends on {fd(ph.end)}, before the document date {fd(date)}",
                           "check the year of the phase dates")
                if prev is not None:
                    pstart = prev.start or prev.end
                    if ph.start is not None and pstart is not None and ph.start < pstart:
                        yield (p + ("start",), f"phases out of order: this phase starts {fd(ph.start)}, before the previous one ({fd(pstart)})",
                               "list phases in time order, or fix the dates")
                    elif ph.start is not None and prev.end is not None and ph.start <= prev.end:
                        yield (p + ("start",), f"the phase starts {fd(ph.start)} while the previous phase runs until {fd(prev.end)}",
                               "phases must not overlap: start the next phase the day after the previous one ends")
                prev = ph
