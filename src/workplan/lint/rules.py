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
- ``period``             task deadlines after the program's last phase ends
- ``percent``            a rate or percentage outside 0–100 % (满意率达120%, a % target of 105)
- ``unit-unused``        units declared under ``units:`` but never referred to
- ``target-number``      an objective stated without any number to measure it by
- ``doc-number``         a document number not in the 〔year〕 form (江综委发[2015]10号, 〔2015〕010号, 第10号)
- ``date-format``        zero-padded dates in Chinese text (2023年03月05日 → 2023年3月5日)
- ``numbering``          in imported documents: numbering that skips, repeats or mixes styles within one level
- ``letterhead``         a document number that will not be printed (``letterhead: false``)
- ``signatory``          an upward document (``upward``, or a report with recipients) printing its 版头 without
                         a 签发人 (GB/T 9704 7.2.6)

Each rule has a default severity (``error`` or ``warning``, :data:`SEVERITY`); errors stop
``workplan build`` unless ``--force``. A configuration file can switch rules off or change
their severity (:mod:`workplan.lint.config`).
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
    "period": "task deadlines outside the program's period (after its last phase)",
    "percent": "rates and percentages outside 0-100 %",
    "unit-unused": "units declared but never referred to",
    "target-number": "objectives stated without a number to measure them by",
    "doc-number": "document numbers not in the 〔year〕 form",
    "date-format": "zero-padded dates in Chinese text (2023年03月05日)",
    "numbering": "numbering that skips, repeats or mixes styles within one level (imported documents)",
    "letterhead": "a document number that is not printed because the letterhead is turned off",
    "signatory": "an upward document (a report or request to a superior) without its 签发人",
    "import-mark": "places `workplan import` marked '# CHECK:' for a person to confirm (delete the mark when done)",
}

#: Default severity of each rule: an ``error`` stops ``workplan build`` (unless ``--force``) and
#: makes ``workplan lint`` exit 1; a ``warning`` is reported only.
SEVERITY: dict[str, str] = {
    "invalid": "error", "placeholder": "error", "dates": "error", "period": "error", "percent": "error",
    "numbering-in-text": "warning", "punctuation": "warning", "translation": "warning",
    "unit-unused": "warning", "target-number": "warning", "doc-number": "warning", "date-format": "warning",
    "numbering": "warning", "letterhead": "warning", "signatory": "error", "import-mark": "warning",
}
SEVERITIES = ("error", "warning")


def check_import_marks(text: str) -> Iterable[tuple[int, str, str]]:
    """(line, message, hint) for each ``# CHECK:`` mark the importer left in a data file."""
    from ..readers.yamlout import MARK
    for i, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if s.startswith(MARK):
            yield i, "unresolved import mark: " + s[len(MARK):].strip(), \
                "check this against the source document, then delete the '# CHECK:' line"


def check_letterhead(doc: BaseModel) -> Iterable[tuple[PathT, str, str]]:
    """The document number is printed only in the 版头: with ``letterhead: false`` it is lost."""
    if getattr(doc, "letterhead", None) is False and getattr(doc, "doc_number", None) is not None:
        yield ("letterhead",), "the document number will not be printed: the letterhead is turned off", \
            "remove 'letterhead: false' to print the 版头 with the document number, or remove doc_number"
    elif getattr(doc, "letterhead", None) is True and not (getattr(doc, "issuer_mark", None) or getattr(doc, "issuers", None)):
        yield ("letterhead",), "no letterhead can be printed: the document has neither issuer_mark nor issuers", \
            "add issuer_mark: or issuers:"


def check_signatory(doc: BaseModel) -> Iterable[tuple[PathT, str, str]]:
    """GB/T 9704 7.2.6: a document sent to a superior names its 签发人 in the 版头."""
    if not (getattr(doc, "is_upward", False) and getattr(doc, "prints_letterhead", False)):
        return
    if getattr(doc, "signatory", None):
        return
    why = "it is sent upward" if getattr(doc, "upward", None) else \
        "a report with recipients is sent to a superior"
    yield ("signatory",), f"no 签发人 (signatory) for the upward 版头: {why} (GB/T 9704 7.2.6)", \
        "add 'signatory: <name of the leader who signs it>', or 'upward: false' if it is sent down"


@dataclass
class LintProblem(Problem):
    """A :class:`Problem` found by a lint rule."""

    rule: str = ""
    severity: str = "error"

    def format(self) -> str:
        out = f"{self.location()}: "
        if self.path:
            out += f"{self.path}: "
        out += f"[{self.rule}] {self.severity}: {self.message}"
        if self.hint:
            out += f"\n    hint: {self.hint}"
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column, "path": self.path,
                "rule": self.rule, "severity": self.severity, "message": self.message, "hint": self.hint}


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


# --- percentages ---------------------------------------------------------------------------------
# a number followed by a percent sign; "增长120%" (growth) can exceed 100, a rate (率) or share cannot
_PERCENT = re.compile(r"(?P<num>-?\d+(?:\.\d+)?)\s*[%％]|百分之(?P<zh>[一二三四五六七八九十百零〇两]+)")
_RATE_BEFORE = re.compile(r"(?:率|比例|比重|覆盖面|占比|知晓度|满意度|rate|share|proportion|coverage|percentage)"
                          r"[^，。；,.;%％\d]{0,8}$", re.I)
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _zh_number(s: str) -> int | None:
    total, cur = 0, 0
    for ch in s:
        if ch in _ZH_DIGITS:
            cur = _ZH_DIGITS[ch]
        elif ch == "十":
            total += (cur or 1) * 10
            cur = 0
        elif ch == "百":
            total += (cur or 1) * 100
            cur = 0
        else:
            return None
    return total + cur


def check_percent(t: TextRef) -> Iterable[tuple[str, str]]:
    for m in _PERCENT.finditer(t.text):
        value = float(m["num"]) if m["num"] is not None else _zh_number(m["zh"])
        if value is None:
            continue
        rate = _RATE_BEFORE.search(t.text[max(0, m.start() - 16):m.start()])
        if value < 0 or (value > 100 and rate):
            yield (f"a rate of {m.group(0).strip()} is impossible: “{_excerpt(t.text, m.start(), m.end())}”",
                   "a rate or share lies between 0 % and 100 %; check the number")
            return


# --- zero-padded dates ------------------------------------------------------------------------------
_PADDED = re.compile(r"(?:\d{4}\s*年\s*)?(?<!\d)0\d\s*月(?:\s*\d{1,2}\s*日)?|\d{1,2}\s*月\s*0\d\s*日")


def check_date_format(t: TextRef) -> Iterable[tuple[str, str]]:
    if t.lang == "en":
        return
    m = _PADDED.search(t.text)
    if m:
        fixed = re.sub(r"(?<!\d)0(\d)", r"\1", m.group(0))
        yield (f"zero-padded date “{m.group(0)}”", f"GB/T 9704 writes dates without leading zeros: “{fixed}”")


TEXT_CHECKS: list[tuple[str, Callable[[TextRef], Iterable[tuple[str, str]]]]] = [
    ("placeholder", check_placeholders),
    ("numbering-in-text", check_numbering),
    ("punctuation", check_punctuation),
    ("translation", check_language),
    ("percent", check_percent),
    ("date-format", check_date_format),
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
                yield ("units", i, "en"), f"unit '{u.id}' has no English name (English documents would show {u.name})", \
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


# --- the program's period ---------------------------------------------------------------------------
def check_period(doc: BaseModel) -> Iterable[tuple[PathT, str, str]]:
    """Task deadlines after the end of the program's last phase. (Targets may be measured after
    the last phase, e.g. a yearly count at the end of the year, so their due dates are free.)"""
    sections = getattr(doc, "sections", []) or []
    ends = [ph.end or ph.start for s in sections if getattr(s, "type", None) == "phases"
            for ph in s.phases if (ph.end or ph.start)]
    if not ends:
        return
    last = max(ends)
    fd = lambda d: format_date(d, "en")  # noqa: E731
    for si, s in enumerate(sections):
        stype = getattr(s, "type", None)
        if stype == "tasks":
            def walk(tasks, path: PathT) -> Iterable[tuple[PathT, str, str]]:
                for i, t in enumerate(tasks):
                    p = path + (i,)
                    if isinstance(t.deadline, dt.date) and t.deadline > last:
                        yield (p + ("deadline",), f"deadline {fd(t.deadline)} is after the program's last phase ends ({fd(last)})",
                               "move the deadline into the program's period, or extend the last phase")
                    yield from walk(t.items, p + ("items",))
            yield from walk(s.tasks, ("sections", si, "tasks"))


def _is_percent_unit(unit) -> bool:
    return any(v and v.strip() in ("%", "％", "percent", "per cent") for v in
               ((unit.zh, unit.en) if isinstance(unit, LangText) else (unit,)))


def check_target_values(doc: BaseModel) -> Iterable[tuple[PathT, str, str]]:
    """Targets measured in % whose target or baseline lies outside 0–100."""
    for si, s in enumerate(getattr(doc, "sections", []) or []):
        if getattr(s, "type", None) != "objectives":
            continue
        for ti, tg in enumerate(s.targets):
            if tg.unit is None or not _is_percent_unit(tg.unit):
                continue
            for field in ("target", "baseline"):
                v = getattr(tg, field)
                if v is not None and not 0 <= v <= 100:
                    yield (("sections", si, "targets", ti, field), f"a {field} of {v:g} % is outside 0–100 %",
                           "a percentage target lies between 0 and 100; check the number or the unit")


# --- units ----------------------------------------------------------------------------------------------
def check_unused_units(doc: BaseModel) -> Iterable[tuple[PathT, str, str]]:
    units = getattr(doc, "units", None) or []
    used_fn = getattr(doc, "unit_ids_used", None)
    # a report inherits its program's units, so only programs and standards declare their own
    if not units or used_fn is None or getattr(doc, "kind", None) not in ("program", "standards"):
        return
    used = set(used_fn())
    for field in ("recipients", "cc", "signature"):
        used.update(v for v in getattr(doc, field, []) or [] if isinstance(v, str))
    printed = getattr(doc, "printed", None)
    if printed is not None:
        used.update(v for v in vars(printed).values() if isinstance(v, str))
    for i, u in enumerate(units):
        if u.id not in used:
            yield (("units", i, "id"), f"unit '{u.id}' ({u.name}) is declared but never referred to",
                   "refer to it (issuers, lead/cooperating units, members, recipients) or remove it")


# --- objectives without a number -----------------------------------------------------------------------
_GOAL_WORDS = re.compile(r"达到|提高|提升|降低|下降|减少|控制在|不低于|不超过|力争|确保|覆盖|"
                         r"\b(?:reach|achieve|raise|increase|reduce|lower|keep|at least|no more than)\b", re.I)
_HAS_NUMBER = re.compile(r"\d|[一二三四五六七八九十百千万两]+(?:个|起|次|人|家|户|项|所|名|成|倍|%)|百分之|全部|全覆盖|零|不发生|杜绝|all\b|every\b|zero\b|\bno\b", re.I)


def check_target_numbers(doc: BaseModel) -> Iterable[tuple[PathT, str, str]]:
    """Points of an objectives section that set a goal without a number to measure it by."""
    for si, s in enumerate(getattr(doc, "sections", []) or []):
        if getattr(s, "type", None) != "objectives" or s.targets:
            continue  # measurable targets are given: the paragraphs introduce them

        def texts(point, path):
            for field in ("title", "text"):
                v = getattr(point, field, None)
                if v is not None:
                    yield path + (field,), v
            for i, sub in enumerate(getattr(point, "items", []) or []):
                yield from texts(sub, path + ("items", i))

        slots = [(("sections", si, "paragraphs", i), v) for i, v in enumerate(s.paragraphs)]
        for i, pt in enumerate(s.items):
            slots.extend(texts(pt, ("sections", si, "items", i)))
        for path, v in slots:
            for lg, txt in _texts_of(v):
                if _GOAL_WORDS.search(txt) and not _HAS_NUMBER.search(txt):
                    yield (path + ((lg,) if lg else ()), f"the objective “{txt[:30]}{'…' if len(txt) > 30 else ''}” has no number to measure it by",
                           "state the target as a number (a rate, a count, a date), or add it under targets:")
                    break


# --- document numbers ------------------------------------------------------------------------------------
_DOCNUM_OK = re.compile(r"^[^〔〕\[\]()（）]+〔\d{4}〕[1-9]\d*号$")


def check_doc_number_text(raw: str) -> tuple[str, str] | None:
    """A document number as written (in a data file or a source document), checked for the 〔year〕 form."""
    s = raw.strip()
    if _DOCNUM_OK.match(s):
        return None
    fixed = re.sub(r"[\[(（【]\s*(\d{4})\s*[\])）】]", r"〔\1〕", s)
    fixed = re.sub(r"〕\s*第\s*", "〕", fixed)
    fixed = re.sub(r"〕0+(\d)", r"〕\1", fixed)
    if not fixed.endswith("号"):
        fixed += "号"
    return (f"document number “{s}” is not in the GB/T 9704 form",
            f"write the year in hexagonal brackets 〔〕 and the serial without 第 or leading zeros: “{fixed}”")


# --- source numbering (imported documents) ------------------------------------------------------------------
@dataclass(frozen=True)
class OutlineItem:
    """One numbered heading or item as it stands in a source document."""

    level: int          # 1 = top level
    style: str          # the numbering style, e.g. "zh-num、", "zh-paren", "arabic.", "circled", "roman."
    number: int | None  # its value (一 → 1, ③ → 3), None when it has none
    label: str          # as written, e.g. "（三）"
    line: int | None = None
    path: PathT = ()


def check_outline(outline: list[OutlineItem]) -> Iterable[tuple[OutlineItem, str, str]]:
    """Numbering that skips, repeats or mixes styles within one level, in document order.
    Numbering restarts under each new parent, so a sequence is the run of items of one level
    under the same parent; the style most of a run uses is the run's style."""
    runs: dict[tuple[int, int], list[int]] = {}
    parent_at: dict[int, int] = {}
    for idx, it in enumerate(outline):
        runs.setdefault((it.level, parent_at.get(it.level - 1, -1)), []).append(idx)
        parent_at = {lv: i for lv, i in parent_at.items() if lv < it.level}
        parent_at[it.level] = idx
    found: dict[int, tuple[str, str]] = {}
    for run in runs.values():
        styles = [outline[i].style for i in run]
        main = max(styles, key=styles.count)  # ties: the style that comes first
        prev: OutlineItem | None = None
        for i in run:
            it = outline[i]
            if it.style != main:
                found[i] = (f"numbering “{it.label}” mixes styles: the other items of this level use another style",
                            "number every item of one level in one style (一、 at the top, （一） below, then 1. and （1）)")
                continue
            if prev is not None and it.number is not None and prev.number is not None:
                if it.number == prev.number:
                    found[i] = (f"numbering “{it.label}” repeats the previous number", "renumber the items in order")
                elif it.number > prev.number + 1:
                    found[i] = (f"numbering skips from “{prev.label}” to “{it.label}”", "renumber the items without gaps")
                elif it.number < prev.number:
                    found[i] = (f"numbering goes back from “{prev.label}” to “{it.label}”", "renumber the items in order")
            prev = it
    for i in sorted(found):
        yield (outline[i], *found[i])
