"""The layout-neutral document both writers consume (the "pandoc AST" of workplan).

``build_ir(doc, lang)`` turns a validated :class:`Document` into a flat list of blocks with
every number, label, glossary term and date already resolved for the language. The DOCX and
PDF writers only decide how each block is drawn; they never look at the model again.

For ``zh-en`` the Chinese and English block lists (built by the same code, so they line up)
are interleaved: each block in Chinese followed by its English; tables get two-language cells.
"""
from __future__ import annotations

import bisect

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence, TypeVar, Union

from ..errors import MissingTranslation, Problem, Warnings
from ..i18n import (article_number, format_date, group_kind, heading_number, language_tag, list_join,
                    phones_kept_together, quantity, term, typographic_quotes)
from ..model.document import (DocNumber, Document, LeadershipSection, Member, ObjectivesSection, Phase,
                              PhasesSection, Point, StandardsSection, Target, Task, TasksSection, Text,
                              text_in)
from ..model.load import Positions


# --- blocks -------------------------------------------------------------------------------
@dataclass
class Letterhead:
    """Red issuer mark, document number (and 签发人), red rule."""
    issuer_mark: str
    doc_number: str | None = None
    signatory: str | None = None
    lang: str = "zh"
    signatory_label: str = "签发人："
    # joint issuers (7.2.4): each name on its own line with ``mark_word`` (文件) to their right,
    # vertically centred across them; empty for one issuer, a given mark or an English 版头
    issuer_names: tuple[str, ...] = ()
    mark_word: str = ""

    @property
    def joint(self) -> bool:
        return len(self.issuer_names) > 1


@dataclass
class Title:
    text: str
    lang: str = "zh"
    subtitle: str | None = None

    @property
    def one_line(self) -> str:
        """The title on one line (a bookmark): its lines joined as the language joins words."""
        return term("label_gap", self.lang).join(s.strip() for s in self.text.split("\n"))


@dataclass
class Recipients:
    text: str  # ends with a colon
    lang: str = "zh"


@dataclass
class Paragraph:
    text: str
    lang: str = "zh"
    indent: bool = True        # 2-character first-line indent
    align: str = "justify"     # justify | center | right | left


@dataclass
class Heading:
    """A numbered heading; ``body`` is run-in text that follows it in the body face."""
    level: int                 # 1..4
    number: str                # 一、 / （一） / 1. / （1） or I. / (I) / 1. / (1)
    text: str
    lang: str = "zh"
    body: str | None = None
    sep: str | None = None     # between heading and body when not the language's own (a fallback text)
    keep_with_next: bool = True   # False for an item that is all heading (（一）Is there …?): no chain

    @property
    def label(self) -> str:
        return self.number + self.text

    @property
    def joiner(self) -> str:
        """What stands between the heading and its run-in body."""
        if self.sep is not None:
            return self.sep
        return term("label_gap", self.lang)


@dataclass
class Table:
    kind: str                  # task_matrix | roster | targets | generic
    header: list[str]
    rows: list[list[str]]
    widths_mm: tuple[float, ...]
    lang: str = "zh"
    repeat_header: bool = True


@dataclass
class AttachmentList:
    """附件说明 after the body: 附件：1.XXX"""
    label: str                 # 附件 / Annexes
    items: list[str]
    lang: str = "zh"

    @property
    def lead(self) -> str:
        """The label with its colon and the space after it: 附件： / Annexes: """
        return self.label + term("colon", self.lang) + term("label_gap", self.lang)

    @property
    def gap(self) -> str:
        """What separates an item's number from its text ("" in Chinese, " " in English)."""
        return term("label_gap", self.lang)


@dataclass
class AttachmentStart:
    """Starts a new page: 附件1 in 黑体 top-left, then the centred title."""
    label: str                 # 附件1 / Annex 1
    title: str
    lang: str = "zh"


@dataclass
class Signature:
    names: list[str]
    date: str
    lang: str = "zh"


@dataclass
class Note:
    text: str                  # 附注, in parentheses
    lang: str = "zh"

    @property
    def enclosed(self) -> str:
        """The note in parentheses (（…） / (…)) unless it already starts with one."""
        t = self.text.strip()
        opening = term("paren_open", self.lang)
        return t if t.startswith(("(", opening)) else opening + t + term("paren_close", self.lang)


@dataclass
class Imprint:
    """版记 on the last page: 抄送 and 印发 between rules."""
    cc: str | None
    printer: str | None
    printed_date: str | None
    cc_label: str = "抄送"
    printed_label: str = "印发"
    lang: str = "zh"

    @property
    def cc_lead(self) -> str:
        """抄送： / cc: (the space an English label takes before its text is :attr:`gap`)."""
        return self.cc_label + term("colon", self.lang)

    @property
    def gap(self) -> str:
        return term("label_gap", self.lang)

    @property
    def printed_text(self) -> str:
        """The right side of the 印发 line: 2024年1月5日印发 / Issued January 5, 2024."""
        if not self.printed_date:
            return self.printed_label
        if self.lang == "en":
            return f"{self.printed_label} {self.printed_date}"
        return f"{self.printed_date}{self.printed_label}"


@dataclass
class Figure:
    """An image or chart. ``svg`` (vector, preferred for PDF) and/or ``png`` bytes (for DOCX)."""
    caption: str
    width_mm: float = 150.0
    svg: bytes | None = None
    png: bytes | None = None
    lang: str = "zh"


@dataclass
class PageBreak:
    lang: str = "zh"


Block = Union[Figure, PageBreak, Letterhead, Title, Recipients, Paragraph, Heading, Table, AttachmentList, AttachmentStart,
              Signature, Note, Imprint]


@dataclass
class RenderDoc:
    lang: str                  # zh | en | zh-en
    blocks: list[Block]
    title: str                 # for PDF/DOCX metadata
    author: str
    subject: str
    keywords: list[str]
    date: dt.date
    warnings: list[Problem] = field(default_factory=list)
    # The page decisions every writer follows (render/paginate.py: Pagination), planned before
    # the first writer; the PDF engine that lays the document out records what it measured, and
    # the DOCX written after it follows, so Word and the PDF break pages alike.
    pagination: Any = None

    @property
    def date_text(self) -> str:
        """The document's date as its language writes it."""
        return format_date(self.date, self.lang)

    @property
    def language_tag(self) -> str:
        """BCP 47 tag of the document's main language (zh-CN, en-US)."""
        return language_tag(self.lang, region=True)

    def plain_text(self) -> str:
        """All visible text, one block a line (used by search and tests)."""
        out: list[str] = []
        for b in self.blocks:
            if isinstance(b, Letterhead):
                out += [b.issuer_mark, b.doc_number or ""]
            elif isinstance(b, Title):
                out += [b.text, b.subtitle or ""]
            elif isinstance(b, Heading):
                out.append(b.label + (b.joiner + b.body if b.body else ""))
            elif isinstance(b, Table):
                out.append(" ".join(b.header))
                out += [" ".join(r) for r in b.rows]
            elif isinstance(b, AttachmentList):
                out.append(b.lead + " ".join(b.items))
            elif isinstance(b, AttachmentStart):
                out += [b.label, b.title]
            elif isinstance(b, Signature):
                out += b.names + [b.date]
            elif isinstance(b, Imprint):
                out += [b.cc or "", b.printer or "", b.printed_date or ""]
            elif isinstance(b, Figure):
                out.append(b.caption)
            elif isinstance(b, PageBreak):
                continue
            else:
                out.append(b.text)
        return "\n".join(s for s in out if s)


# --- line breaking of titles ---------------------------------------------------------------
_NO_BREAK_AFTER = set("“‘（《〔【「(［")
_NO_BREAK_BEFORE = set("”’）》〕】」)］，。、：；！？·—")


# Word and LibreOffice put a little space (about a fifth of an em) wherever Chinese text meets
# Latin letters or digits ("autospace"), and LibreOffice does so whatever the paragraph asks: a
# title measured without it that fills its line exactly wraps there with one character alone
# ("…工作方/案"). Each such boundary is counted as a quarter character, so the title is balanced
# over two lines in every writer instead.
_AUTOSPACE_UNITS = 0.25


def _char_units(c: str) -> float:
    return 0.5 if ord(c) < 0x2000 else 1.0


def _prefix_units(s: str) -> list[float]:
    """Width in Chinese characters of each prefix of ``s`` (``[0] * …``): Latin letters and digits
    count half, CJK text and the punctuation set in the CJK face (“”—…) one, and each boundary
    between Chinese text and a Latin letter or digit a quarter (autospace, above)."""
    out = [0.0]
    for i, c in enumerate(s):
        w = _char_units(c)
        if i and _autospaced(s[i - 1], c):
            w += _AUTOSPACE_UNITS
        out.append(out[-1] + w)
    return out


def _autospaced(a: str, b: str) -> bool:
    cjk = lambda ch: "\u3400" <= ch <= "\u9fff"  # noqa: E731 - ideographs only, not punctuation
    latin = lambda ch: ch.isascii() and ch.isalnum()  # noqa: E731
    return (cjk(a) and latin(b)) or (latin(a) and cjk(b))


def _units(s: str) -> float:
    """Width of ``s`` in Chinese characters (see :func:`_prefix_units`)."""
    return _prefix_units(s)[-1]


def _word_boundaries(text: str) -> set[int]:
    """Positions between the words jieba finds (loaded only for titles that need breaking, and
    only once per title: the rendering cache keeps the answer, see render/cache.py)."""
    from .cache import cached_json
    return set(cached_json("title-words", text, (), lambda: sorted(_jieba_boundaries(text))))


def _jieba_boundaries(text: str) -> set[int]:
    import logging

    import jieba
    jieba.setLogLevel(logging.WARNING)
    out, pos = set(), 0
    for w in jieba.cut(text):
        pos += len(w)
        out.add(pos)
    return out


_OPENING, _CLOSING = "“‘（《〔【「(［", "”’）》〕】」)］"


def _outside_brackets(text: str) -> list[bool]:
    """For each position between characters (0..len), whether it lies outside quotes and brackets."""
    depth, out = 0, [True]
    for c in text:
        if c in _OPENING:
            depth += 1
        elif c in _CLOSING:
            depth = max(0, depth - 1)
        out.append(depth == 0)
    return out


# where a Chinese unit name may break onto a second line: after the place or the body it names
_NAME_BREAK_AFTER = "省市县区镇乡街委会局组部厅院办所队设理务"


def break_joint_names(names: list[str]) -> list[str]:
    """Joint issuers' 署名 side by side (7.3.5.2), so that each seal sits on its own name: a Chinese
    name too wide for its column (layout.signature_column_room) is set on two lines, broken after
    a place or body (县, 委, 组…) where both lines fit, the most even such break. Names left as
    they are where one cannot be broken so (they are then stacked)."""
    from ..layout import FONTS, signature_column_room
    from .table_widths import text_width_pt
    if len(names) < 2 or any("\n" in n or not re.fullmatch(r"[\u3400-\u9fff（）]+", n) for n in names):
        return names
    size = FONTS["body"].size_pt
    _, room = signature_column_room(len(names))
    out = []
    for n in names:
        if text_width_pt(n, size) <= room:
            out.append(n)
            continue
        cuts = [k for k in range(1, len(n)) if n[k - 1] in _NAME_BREAK_AFTER
                and max(text_width_pt(n[:k], size), text_width_pt(n[k:], size)) <= room]
        if not cuts:
            return names
        k = min(cuts, key=lambda k: (abs(2 * k - len(n)), -k))
        out.append(n[:k] + "\n" + n[k:])
    return out


def balance_title(text: str, max_units: float) -> str:
    """Break a Chinese title that does not fit on one line into lines of nearly equal width,
    at places where a break is allowed (not inside a run of Latin letters or digits, not after
    an opening or before a closing mark). Returns the text with "\n" between the lines."""
    if "\n" in text or _units(text) <= max_units:
        return text
    total = _units(text)
    n = -(-int(total * 2) // int(max_units * 2))  # ceil(total / max_units)
    allowed = [i for i in range(1, len(text))
               if not (text[i - 1].isascii() and text[i - 1].isalnum() and text[i].isascii() and text[i].isalnum())
               and text[i - 1] not in _NO_BREAK_AFTER and text[i] not in _NO_BREAK_BEFORE]
    words = _word_boundaries(text)
    outside = _outside_brackets(text)
    # prefix sums of the widths: each line is found by bisection, so the whole is O(L log L)
    # (it was O(lines × L²), hours for a pasted megabyte)
    prefix = _prefix_units(text)
    # prefer breaks between words outside quotes (not inside “平安六创”), then between words, then any
    # allowed place: the first choice that gives lines of at most max_units wins
    for choice in ([i for i in allowed if i in words and outside[i]], [i for i in allowed if i in words], allowed):
        breaks = _breaks(choice, prefix, n, max_units)
        if breaks is not None:
            break
    else:
        return text  # nothing sensible: let the renderer wrap
    parts, prev = [], 0
    for i in breaks + [len(text)]:
        parts.append(text[prev:i])
        prev = i
    return "\n".join(parts)


def _breaks(allowed: list[int], prefix: list[float], n: int, max_units: float) -> list[int] | None:
    """Where to break a text of widths ``prefix`` into ``n`` lines of nearly equal width at the
    ``allowed`` positions (increasing), each line at most ``max_units``; None if it cannot."""
    total = prefix[-1]
    at = [prefix[i] for i in allowed]  # strictly increasing, like ``allowed``
    breaks, start = [], 0
    for k in range(1, n):
        target = total * k / n
        lo = bisect.bisect_right(allowed, start)
        hi = bisect.bisect_right(at, prefix[start] + max_units)
        if lo >= hi:
            return None
        j = bisect.bisect_left(at, target, lo, hi)
        i = min((allowed[c] for c in (j - 1, j) if lo <= c < hi),
                key=lambda i: (abs(prefix[i] - target), -i))
        breaks.append(i)
        start = i
    return None if total - prefix[start] > max_units else breaks


# --- building ------------------------------------------------------------------------------
class _Builder:
    def __init__(self, doc: Document, lang: str, allow_missing: bool, file: str | None):
        self.doc, self.lang, self.allow_missing, self.file = doc, lang, allow_missing, file
        self.other = "zh" if lang == "en" else "en"
        self.missing: list[str] = []
        self.warnings = Warnings()
        self.blocks: list[Block] = []
        self.foreign: set[str] = set()   # texts that fell back to the other language (--allow-missing)
        self.bilingual = False           # one of the two builders of a zh-en document

    # text in the asked language, recording a missing translation
    def t(self, value: Text | None, path: str, source_lang: str | None = None) -> str:
        """``value`` in the builder's language; ``source_lang`` of the document the text comes
        from (default: this document's)."""
        if value is None:
            return ""
        source_lang = source_lang or self.doc.source_lang
        got = text_in(value, self.lang, source_lang)
        if got is not None:
            return got
        fallback = text_in(value, self.other, source_lang) or (
            value if isinstance(value, str) else (value.zh or value.en or ""))
        if self.allow_missing:
            self.warnings.add(Problem(f"no {_LANG_NAMES[self.lang]} ({self.lang}) text; using the "
                                      f"{_LANG_NAMES[self.other]} text", file=self.file, path=path))
            self.foreign.add(fallback)
        else:
            self.missing.append(path)
        return fallback

    def lang_of(self, *texts: str) -> str:
        """The language whose punctuation goes with ``texts``: a fallback text in the other
        language keeps its own (English names are joined with ", ", not "、")."""
        if texts and all(x in self.foreign for x in texts if x) and any(texts):
            return self.other
        return self.lang

    def unit(self, uid: str) -> str:
        """A unit's name in the builder's language; a Chinese document needs the Chinese name
        (an English-source file needs one only when a Chinese version is built)."""
        try:
            u = self.doc.unit(uid)
        except KeyError:
            return uid
        name = u.zh if self.lang == "zh" else u.en
        if not name:
            # like any text: an English build needs the English name, a Chinese build the Chinese one
            other = (u.en if self.lang == "zh" else u.zh) or ""  # the model asks for one of the two
            i = next((i for i, x in enumerate(self.doc.units) if x.id == uid), None)
            path = f"units[{i}].{self.lang}" if i is not None else f"unit '{uid}' ({self.lang})"
            if self.allow_missing:
                self.warnings.add(Problem(f"no {_LANG_NAMES[self.lang]} ({self.lang}) name for unit '{uid}'; "
                                          f"using the {_LANG_NAMES[self.other]} name", file=self.file, path=path))
                self.foreign.add(other)
            else:
                self.missing.append(path)
            return other
        return name

    def units(self, ids: Sequence[str]) -> str:
        names = [self.unit(u) for u in ids]
        return list_join(names, self.lang_of(*names))

    def name_or_text(self, value: Text, path: str) -> str:
        if isinstance(value, str) and any(u.id == value for u in self.doc.units):
            return self.unit(value)
        return self.t(value, path)

    def term(self, key: str) -> str:
        return term(key, self.lang)

    def date(self, d: dt.date) -> str:
        return format_date(d, self.lang)

    def colon(self) -> str:
        """A label's colon and the space after it: ： / ": " """
        return self.term("colon") + self.term("label_gap")

    def enclose(self, text: str) -> str:
        """Text in parentheses after what precedes it: （…） / " (…)" """
        return self.term("label_gap") + self.term("paren_open") + text + self.term("paren_close")

    def add(self, b: Block) -> None:
        b.lang = self.lang
        self.blocks.append(b)

    def sentence(self, s: str) -> str:
        """Ends a heading or clause with the right full stop when text follows it."""
        s = s.rstrip()
        if not s:
            return s
        lg = self.lang_of(s)
        return s if s[-1] in term("sentence_ends", lg) else s + term("full_stop", lg)

    # --- whole document ---------------------------------------------------------------
    def build(self) -> None:
        self.front_matter()
        self.body()
        self.back_matter()

    def front_matter(self) -> None:
        """Letterhead, title, recipients and preamble."""
        d = self.doc
        if wants_letterhead(d):
            signatory = None
            if d.signatory:
                signatory = self.t(d.signatory, "signatory")
            elif d.is_upward:
                # an upward document without a name (lint asks for one): room to sign it by hand
                signatory = UNSIGNED_ROOM
            self.add(Letterhead(self.issuer_mark(),
                                self.doc_number(),
                                signatory,
                                signatory_label=self.term("signatory") + self.term("colon") + self.term("label_gap"),
                                **self.joint_mark()))
        title = self.t(d.title, "title")
        if self.lang != "en":
            from ..layout import TITLE_CHARS_PER_LINE
            title = balance_title(title, TITLE_CHARS_PER_LINE)
        self.add(Title(title, subtitle=self.t(d.subtitle, "subtitle") if d.subtitle else None))
        if d.recipients:
            names = [self.name_or_text(r, f"recipients[{i}]") for i, r in enumerate(d.recipients)]
            lg = self.lang_of(*names)
            self.add(Recipients(list_join(names, lg) + term("colon", lg)))
        for i, p in enumerate(d.preamble):
            self.add(Paragraph(self.t(p, f"preamble[{i}]")))

    def body(self) -> None:
        """The numbered sections and the closing paragraphs."""
        d = self.doc
        articles = 0
        for n, s in enumerate(d.sections, 1):
            if getattr(d, "numbering", None) == "articles" and s.type == "free":
                articles = self.chapter(s, n, articles, f"sections[{n - 1}]")
            else:
                self.section(s, n, f"sections[{n - 1}]")
        for i, p in enumerate(d.closing):
            self.add(Paragraph(self.t(p, f"closing[{i}]")))

    def back_matter(self) -> None:
        """附件说明, signature, 附注, the attachments themselves, and the 版记."""
        d = self.doc
        annexes = self.annexes()
        if annexes:
            # GB/T 9704 7.3.4 / 7.3.7: one annex is "附件" in both places, several are numbered in both
            self.add(AttachmentList(self.term("attachments" if len(annexes) > 1 else "attachment"),
                                    [title for title, _ in annexes]))
        self.signature()
        if d.note:
            self.add(Note(self.t(d.note, "note")))
        for i, (title, emit) in enumerate(annexes, 1):
            # GB/T 9704 7.3.4 / 7.3.7: one annex is "附件" in both places, several are numbered in both
            label = term("attachment_n", self.lang, n=i) if len(annexes) > 1 else self.term("attachment")
            self.add(AttachmentStart(label, title))
            emit()
        if d.cc or d.printed:
            cc = list_join([self.name_or_text(c, f"cc[{i}]") for i, c in enumerate(d.cc)], self.lang) if d.cc else None
            if cc:
                cc += self.term("full_stop")
            self.add(Imprint(
                cc=cc,
                printer=self.name_or_text(d.printed.office, "printed.office") if d.printed else None,
                printed_date=self.date(d.printed.date) if d.printed else None,
                cc_label=self.term("cc"), printed_label=self.term("printed")))

    def issuer_mark(self) -> str:
        """The red issuer mark: ``issuer_mark`` as given, else the issuing units' names followed by
        文件 (7.2.4: 发文机关全称或规范化简称加"文件"); in English the names alone."""
        d = self.doc
        if d.issuer_mark:
            return self.t(d.issuer_mark, "issuer_mark")
        names = [self.unit(u) for u in d.issuers]
        if self.lang == "en":
            return list_join(names, "en")
        return ("".join(names) if len(names) == 1 else "、".join(names)) + self.term("issuer_mark_word")

    def joint_mark(self) -> dict[str, Any]:
        """Joint issuers' names one a line beside 文件 (7.2.4), for :class:`Letterhead`."""
        d = self.doc
        if d.issuer_mark or self.lang == "en" or len(d.issuers) < 2:
            return {}
        return {"issuer_names": tuple(self.unit(u) for u in d.issuers), "mark_word": self.term("issuer_mark_word")}

    def doc_number(self) -> str | None:
        dn = self.doc.doc_number
        if not isinstance(dn, DocNumber):
            return None  # absent (the string form is parsed into a DocNumber on validation)
        # a bilingual document prints the Chinese 版头 only: no English number to romanise
        if self.lang == "en" and not dn.prefix_en and not self.bilingual:
            if self.allow_missing:
                self.warnings.add(Problem("no English prefix for the document number; using the Chinese one",
                                          file=self.file, path="doc_number.prefix_en"))
            else:
                self.missing.append("doc_number.prefix_en")
        return dn.render(self.lang)

    def signature(self) -> None:
        d = self.doc
        names = ([self.name_or_text(s, f"signature[{i}]") for i, s in enumerate(d.signature)]
                 if d.signature else [self.unit(u) for u in d.issuers])
        self.add(Signature(break_joint_names(names), self.date(d.date)))

    # --- sections ---------------------------------------------------------------------
    def section(self, s: Any, n: int, path: str) -> None:
        title = self.t(s.title, f"{path}.title") if s.title is not None else self.term(s.type)
        self.add(Heading(1, heading_number(1, n, self.lang), title))
        for i, p in enumerate(s.paragraphs):
            self.add(Paragraph(self.t(p, f"{path}.paragraphs[{i}]")))
        counter = 0
        if isinstance(s, ObjectivesSection):
            for i, tg in enumerate(s.targets):
                counter += 1
                self.add(Paragraph(heading_number(3, counter, self.lang)
                                   + self.target_sentence(tg, f"{path}.targets[{i}]")))
        elif isinstance(s, LeadershipSection):
            self.leadership(s, path)
        elif isinstance(s, TasksSection):
            for i, task in enumerate(s.tasks):
                counter += 1
                self.task(task, 2, counter, f"{path}.tasks[{i}]")
        elif isinstance(s, PhasesSection):
            for i, ph in enumerate(s.phases):
                counter += 1
                self.phase(ph, counter, f"{path}.phases[{i}]")
        elif isinstance(s, StandardsSection):
            for i, cat in enumerate(s.categories):
                counter += 1
                self.add(Heading(2, heading_number(2, counter, self.lang), self.t(cat.title, f"{path}.categories[{i}].title")))
                for j, it in enumerate(cat.items, 1):
                    p = f"{path}.categories[{i}].items[{j - 1}]"
                    self.add(Paragraph(heading_number(3, j, self.lang) + self.sentence(self.t(it.text, f"{p}.text"))
                                       + self.units_note(lead=it.lead, cooperating=it.cooperating)))
        for i, pt in enumerate(s.items):
            counter += 1
            self.point(pt, 2, counter, f"{path}.items[{i}]")

    def chapter(self, s: Any, n: int, articles: int, path: str) -> int:
        """A chapter of a regulations-style document (第一章　总则) and its articles (第一条　…),
        numbered on from ``articles``; returns the last article's number."""
        title = self.t(s.title, f"{path}.title") if s.title is not None else self.term(s.type)
        self.add(Heading(1, article_number("chapter", n, self.lang), title))
        for i, p in enumerate(s.paragraphs):
            self.add(Paragraph(self.t(p, f"{path}.paragraphs[{i}]")))
        for i, pt in enumerate(s.items):
            articles += 1
            p = f"{path}.items[{i}]"
            body = self.t(pt.text, f"{p}.text") if pt.text is not None else ""
            head = self.sentence(self.t(pt.title, f"{p}.title")) if pt.title is not None else ""
            self.add(Paragraph(article_number("article", articles, self.lang) + head
                               + (" " if head and body and self.lang == "en" else "") + body))
            for j, q in enumerate(pt.paragraphs):
                self.add(Paragraph(self.t(q, f"{p}.paragraphs[{j}]")))
            for j, sub in enumerate(pt.items, 1):
                self.point(sub, 2, j, f"{p}.items[{j - 1}]")
        return articles

    def point(self, pt: Point, level: int, n: int, path: str, untitled_heads: bool = True) -> None:
        """A numbered item; ``untitled_heads=False`` (an attachment's items) sets a top-level item
        without a title as a list item (1.) in the body face, not as a 一、 heading in 黑体."""
        level = min(level, 4)
        if not untitled_heads and pt.title is None and level == 1:
            level = 3   # an attachment's untitled item is a list item (1. in the body face), not 一、 in 黑体
        number = heading_number(level, n, self.lang)
        body = self.t(pt.text, f"{path}.text") if pt.text is not None else None
        if pt.title is not None:
            title = self.t(pt.title, f"{path}.title")
            self.add(Heading(level, number, self.sentence(title) if body else title, body=body,
                             sep=" " if body and self.lang_of(title, body) == "en" != self.lang else None))
        elif body and level <= 2:
            # an untitled 一、/（一） item is still a heading of its level (黑体 / 楷体, 7.3.3): its first
            # sentence is set in the heading face, the rest runs on in the body face
            lead, rest = split_lead(body, self.lang_of(body))
            self.add(Heading(level, number, lead, body=rest or None,
                             sep=" " if rest and self.lang_of(body) == "en" != self.lang else None,
                             keep_with_next=False))
        elif body:
            self.add(Paragraph(number + body))
        for i, p in enumerate(pt.paragraphs):
            self.add(Paragraph(self.t(p, f"{path}.paragraphs[{i}]")))
        for i, sub in enumerate(pt.items, 1):
            self.point(sub, level + 1, i, f"{path}.items[{i - 1}]", untitled_heads)

    def units_note(self, lead: Sequence[str] = (), cooperating: Sequence[str] = (), responsible: Sequence[str] = (),
                   deadline: Any = None, path: str = "") -> str:
        parts: list[str] = []
        sep = self.colon()
        if lead:
            parts.append(self.term("lead_unit") + sep + self.units(lead))
        if responsible:
            parts.append(self.term("responsible_units") + sep + self.units(responsible))
        if cooperating:
            parts.append(self.term("cooperating_units") + sep + self.units(cooperating))
        if deadline is not None:
            parts.append(self.term("deadline") + sep + self.deadline(deadline, f"{path}.deadline"))
        if not parts:
            return ""
        return self.enclose(self.term("list_sep").join(parts))

    def deadline(self, value: Any, path: str) -> str:
        if isinstance(value, dt.date):
            return term("by_date", self.lang, date=self.date(value))
        return self.t(value, path)

    def task(self, task: Task, level: int, n: int, path: str) -> None:
        level = min(level, 4)
        number = heading_number(level, n, self.lang)
        body = self.t(task.text, f"{path}.text") if task.text is not None else ""
        note = self.units_note(task.lead, task.cooperating, task.responsible, task.deadline, path)
        if task.title is not None:
            title = self.t(task.title, f"{path}.title")
            self.add(Heading(level, number, self.sentence(title), body=(body + note) or None,
                             sep=" " if body and self.lang_of(title, body) == "en" != self.lang else None))
        else:
            self.add(Paragraph(number + body + note))
        sub = 0
        for i, m in enumerate(task.measures):
            sub += 1
            self.add(Paragraph(heading_number(min(level + 1, 4), sub, self.lang) + self.t(m, f"{path}.measures[{i}]")))
        for i, t in enumerate(task.items):
            sub += 1
            self.task(t, level + 1, sub, f"{path}.items[{i}]")

    def phase(self, ph: Phase, n: int, path: str) -> None:
        name = self.t(ph.name, f"{path}.name")
        when = self.period(ph.start, ph.end)
        if when:
            name += self.enclose(when)
        self.add(Heading(2, heading_number(2, n, self.lang), name))
        for i, a in enumerate(ph.activities):
            self.add(Paragraph(self.t(a, f"{path}.activities[{i}]")))
        for i, pt in enumerate(ph.items, 1):
            self.point(pt, 3, i, f"{path}.items[{i - 1}]")

    def period(self, start: dt.date | None, end: dt.date | None) -> str:
        if start and end:
            if self.lang == "zh" and start.year == end.year:
                return f"{self.date(start)}—{end.month}月{end.day}日"
            return term("date_range", self.lang, start=self.date(start), end=self.date(end))
        if start:
            return term("from_date", self.lang, date=self.date(start))
        if end:
            return term("by_date", self.lang, date=self.date(end))
        return ""

    def target_sentence(self, tg: Target, path: str) -> str:
        ind = self.t(tg.indicator, f"{path}.indicator")
        unit = self.t(tg.unit, f"{path}.unit") if tg.unit is not None else ""
        # an English fallback (--allow-missing) is written as an English sentence, not wedged into
        # Chinese grammar ("10cases以内"); the date stays in the document's language
        lg = "en" if self.lang != "en" and (self.lang_of(ind) == "en" or (unit and unit in self.foreign)) else self.lang

        def value(n: Any) -> str:
            return quantity(_num(n), unit, lg)
        if tg.op == "<=" and tg.target == 0:
            phrase = term("target.zero", lg, value=value(0)) if unit else term("target.none", lg)
        else:
            phrase = term(f"target.{tg.op}", lg, value=value(tg.target))
        s = term("target_sentence", lg, indicator=ind, phrase=phrase)
        if tg.baseline is not None:
            s += self.enclose(term("target_baseline", lg, value=value(tg.baseline)))
        if tg.due:
            s = term("target_due", lg, date=self.date(tg.due), sentence=s)
        return s + term("full_stop", lg)

    def member_line(self, m: Member, path: str) -> str:
        name = self.t(m.name, f"{path}.name")
        bits = []
        if m.unit:
            bits.append(self.unit(m.unit))
        if m.title is not None:
            bits.append(self.t(m.title, f"{path}.title"))
        if not bits:
            return name
        return name + self.term("member_sep") + self.term("member_bit_sep").join(bits)

    def leadership(self, s: LeadershipSection, path: str) -> None:
        colon = self.colon()
        if s.group_name is not None and not s.paragraphs:
            name = self.t(s.group_name, f"{path}.group_name")
            self.add(Paragraph(term("group_intro", self.lang, name=name)))
        if s.head:
            self.add(Paragraph(self.term("head") + colon + self.member_line(s.head, f"{path}.head")))
        for i, m in enumerate(s.deputies):
            self.add(Paragraph(self.term("deputy_head") + colon + self.member_line(m, f"{path}.deputies[{i}]")))
        if s.members:
            self.add(Paragraph(self.term("members") + colon.rstrip()))
            for i, m in enumerate(s.members):
                self.add(Paragraph(self.member_line(m, f"{path}.members[{i}]"), indent=True))
        if s.office:
            o = s.office
            where = self.unit(o.unit) if o.unit else ""
            director = self.t(o.director.name, f"{path}.office.director.name") if o.director else ""
            duties = self.t(o.duties, f"{path}.office.duties") if o.duties is not None else ""
            group = self.group_word(s)
            if self.lang == "en":
                txt = term("group_office", "en", group=group)
                if where:
                    txt += f" sits in the {where}"
                if director:
                    txt += ("," if where else "") + f" with {director} as its director"
                txt = self.sentence(txt)
                if duties:
                    txt += " " + duties
            else:
                txt = term("group_office", "zh", group=group)
                if where:
                    txt += f"，办公室设在{where}"
                if director:
                    txt += f"，由{director}同志兼任办公室主任"
                txt += "，" + duties if duties else "。"
            if o.phone:
                txt += term("office_phone", self.lang, phone=o.phone)
            self.add(Paragraph(txt))

    def group_word(self, s: LeadershipSection | None) -> str:
        """What the fixed wording calls the group: 领导小组, or the kind its own name says (工作专班)."""
        name = text_in(s.group_name, "zh", self.doc.source_lang) if s is not None and s.group_name is not None else None
        return group_kind(name, self.lang)

    # --- annexes ----------------------------------------------------------------------
    def attachment_annexes(self, attachments) -> list[tuple[str, Any]]:
        """(title, emit) for each attachment of a program or a report: its paragraphs and points."""
        out: list[tuple[str, Any]] = []
        for i, a in enumerate(attachments):
            def emit(a=a, i=i) -> None:
                for j, p in enumerate(a.paragraphs):
                    self.add(Paragraph(self.t(p, f"attachments[{i}].paragraphs[{j}]")))
                for j, pt in enumerate(a.items, 1):
                    # an attachment's untitled items are its text, numbered, not headings in 黑体
                    self.point(pt, 1, j, f"attachments[{i}].items[{j - 1}]", untitled_heads=False)
            out.append((self.t(a.title, f"attachments[{i}].title"), emit))
        return out

    def annexes(self) -> list[tuple[str, Any]]:
        d = self.doc
        out = self.attachment_annexes(d.attachments)
        tasks_with_units = [t for t in d.all_tasks() if t.lead or t.cooperating or t.responsible]
        if d.annex_task_matrix or (d.annex_task_matrix is None and tasks_with_units):
            out.append((self.term("task_matrix"), self.task_matrix))
        groups = d.sections_of("leadership")
        if d.annex_roster or (d.annex_roster is None and any(g.members for g in groups)):
            group = next((g for g in groups if g.members), groups[0] if groups else None)
            word = self.group_word(group)
            out.append((term("group_roster", self.lang, group=word), self.roster))
        return out

    def task_matrix(self) -> None:
        rows: list[list[str]] = []
        done = 0   # tasks of earlier sections: a second task section numbers on (as reports number them)
        for si, s in enumerate(self.doc.sections):
            if not isinstance(s, TasksSection):
                continue

            def walk(tasks: list[Task], prefix: str, path: str, inherited: tuple[str, ...],
                     first: int = 1) -> None:
                for i, t in enumerate(tasks, 1):
                    p = f"{path}[{i - 1}]"
                    no = f"{prefix}{first + i - 1}"
                    what = self.t(t.title, f"{p}.title") if t.title is not None else self.t(t.text, f"{p}.text")
                    # a sub-task without its own units or deadline shows its parent's
                    own = (self.units(t.lead), self.units([*t.responsible, *t.cooperating]),
                           self.deadline(t.deadline, p) if t.deadline is not None else "")
                    cells = tuple(o or (inh if not (k == 1 and own[0]) else "") for k, (o, inh) in enumerate(zip(own, inherited)))
                    rows.append([no, what, *cells])
                    walk(t.items, f"{no}.", f"{p}.items", cells)
            walk(s.tasks, "", f"sections[{si}].tasks", ("", "", ""), done + 1)
            done += len(s.tasks)
        self.add(Table("task_matrix",
                       [self.term(k) for k in ("no", "task", "lead_unit", "cooperating_units", "deadline")],
                       rows, _task_widths()))

    def roster(self) -> None:
        from ..layout import ROSTER_TABLE_COLUMNS_MM
        rows: list[list[str]] = []
        for si, s in enumerate(self.doc.sections):
            if not isinstance(s, LeadershipSection):
                continue
            path = f"sections[{si}]"
            people = ([("head", s.head, f"{path}.head")] if s.head else []) \
                + [("deputy_head", m, f"{path}.deputies[{i}]") for i, m in enumerate(s.deputies)] \
                + [("members", m, f"{path}.members[{i}]") for i, m in enumerate(s.members)]
            for role, m, p in people:
                unit = self.unit(m.unit) if m.unit else ""
                post = self.t(m.title, f"{p}.title") if m.title is not None else ""
                if unit and post.startswith(unit):        # "县公安局副局长" already names its unit
                    unit = ""
                if self.lang == "en":                      # Team Leader, Community Security Patrol Team
                    unit_post = ", ".join(x for x in (post, unit) if x)
                else:                                      # 社区治安巡逻队队长
                    unit_post = "".join(x for x in (unit, post) if x)
                rows.append([str(len(rows) + 1), self.term("member" if role == "members" else role),
                             self.t(m.name, f"{p}.name"), unit_post])
        self.add(Table("roster", [self.term(k) for k in ("no", "group_role", "name", "unit")], rows,
                       ROSTER_TABLE_COLUMNS_MM))


_LEAD_ZH = re.compile(r"^(.+?[。？！；])(.+)$", re.S)
_LEAD_EN = re.compile(r"^(.+?[.?!;])\s+(\S.*)$", re.S)


def split_lead(text: str, lang: str) -> tuple[str, str]:
    """(first sentence, the rest) of a text; the rest is "" when it is one sentence."""
    m = (_LEAD_EN if lang == "en" else _LEAD_ZH).match(text)
    return (m.group(1), m.group(2)) if m else (text, "")


def wants_letterhead(doc: Any) -> bool:
    """Whether the document prints the 版头 (:attr:`DocumentCommon.prints_letterhead`)."""
    return doc.prints_letterhead


# the 签发人 of an upward document that names none: three 字 of room for the name
UNSIGNED_ROOM = "\u3000" * 3


def _task_widths() -> tuple[float, ...]:
    from ..layout import TASK_TABLE_COLUMNS_MM
    return TASK_TABLE_COLUMNS_MM


_LANG_NAMES = {"zh": "Chinese", "en": "English"}


def _positions(pos: Positions | None) -> Callable[[str], tuple[int | None, int | None]]:
    """line and column of a field path ("sections[1].paragraphs[0]") in the file read (its
    ``pos``itions, see :func:`workplan.model.load_source`); none without them."""
    import re as _re

    def where(path: str) -> tuple[int | None, int | None]:
        if pos is None or ":" in path or " " in path:
            return None, None
        parts = tuple(int(i) if i else k for k, i in _re.findall(r"([^.\[\]]+)|\[(\d+)\]", path))
        lc = pos.find(parts)
        return (lc[0], lc[1]) if lc else (None, None)
    return where


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


B = TypeVar("B", bound="_Builder")  # a builder class: the document's, or the report's built on it


def _interleave(zh: list[Block], en: list[Block]) -> list[Block]:
    out: list[Block] = []
    for a, b in zip(zh, en, strict=True):
        if isinstance(a, (Letterhead, PageBreak)):
            out.append(a)
        elif isinstance(a, Table):
            assert isinstance(b, Table)  # the two builders make the same blocks in the same order
            rows = [[f"{x}\n{y}" if x != y else x for x, y in zip(ra, rb)] for ra, rb in zip(a.rows, b.rows)]
            header = [f"{x}\n{y}" for x, y in zip(a.header, b.header)]
            out.append(Table(a.kind, header, rows, a.widths_mm, lang="zh-en", repeat_header=a.repeat_header))
        elif isinstance(a, AttachmentStart):
            assert isinstance(b, AttachmentStart)
            out.append(AttachmentStart(f"{a.label} {b.label}", f"{a.title}\n{b.title}", lang="zh-en"))
        elif isinstance(a, Imprint):
            out.append(a)
            out.append(b)
        elif isinstance(a, Signature):
            assert isinstance(b, Signature)
            out.append(Signature([f"{x}\n{y}" for x, y in zip(a.names, b.names)], f"{a.date}\n{b.date}", lang="zh-en"))
        else:
            out.append(a)
            out.append(b)
    return out


def _typographic(value: Any, fix: Callable[[str], str]) -> Any:
    """``value`` (a text, or lists, tuples and dicts of them) with ``fix`` applied to every text."""
    if isinstance(value, str):
        return fix(value)
    if isinstance(value, list):
        return [_typographic(v, fix) for v in value]
    if isinstance(value, tuple):
        return tuple(_typographic(v, fix) for v in value)
    if isinstance(value, dict):
        return {k: _typographic(v, fix) for k, v in value.items()}
    return value


def _typeset(builder: "_Builder") -> None:
    """Typography of every text of a block list, the data files' own texts and the fixed terms
    alike: phone numbers kept on one line (no-break spaces between their groups) and, in English,
    typographic quotes and apostrophes (’ “ ”), also in the labels of a report's charts."""
    from dataclasses import fields
    english = builder.lang == "en"

    def fix(text: str) -> str:
        text = phones_kept_together(text)
        return typographic_quotes(text) if english else text
    for b in builder.blocks:
        for f in fields(b):
            if f.name != "lang":
                v = getattr(b, f.name)
                if isinstance(v, (str, list, tuple)):
                    setattr(b, f.name, _typographic(v, fix))
    if english:
        for _fig, spec in getattr(builder, "charts", ()):
            spec.data = _typographic(spec.data, typographic_quotes)


def run_builders(make: Callable[[str], B], lang: str, file: str | None, *, measure: bool = True,
                 positions: Positions | None = None) -> tuple[list[B], list[Block]]:
    """Build the block list for ``lang`` (zh, en or zh-en) with one builder per language, and
    raise MissingTranslation listing every field path that lacks a language. ``measure=False``
    keeps the tables' design widths instead of measuring every cell's text (for callers that
    want only the text or the translation check: search, validation). ``positions``: of the file
    read, to locate a missing translation at its line."""
    builders = [make(lg) for lg in (["zh", "en"] if lang == "zh-en" else [lang])]
    for b in builders:
        b.bilingual = lang == "zh-en"
        b.build()
        _typeset(b)
    missing = list(dict.fromkeys((b.lang, p) for b in builders for p in b.missing))  # each path once
    if missing:
        where = _positions(positions)
        raise MissingTranslation([
            Problem(f"no {lg} text", file=file, path=p, line=where(p)[0], column=where(p)[1],
                    hint=("give the romanised prefix, e.g. doc_number: {prefix: 青社发, year: 2023, serial: 12, "
                          "prefix_en: Qing She Fa}" if p.endswith("prefix_en") else
                          "write this text as {zh: ..., en: ...}") + ", or build with --allow-missing to fall back")
            for lg, p in missing])
    blocks = builders[0].blocks if len(builders) == 1 else _interleave(builders[0].blocks, builders[1].blocks)
    if not measure:
        return builders, blocks
    from .table_widths import FLEX_COLUMN, column_widths
    for block in blocks:
        if isinstance(block, Table) and (block.header or block.rows):
            # sized from the content (both languages in zh-en): every word fits its column
            block.widths_mm = column_widths(block.header, block.rows, flex=FLEX_COLUMN.get(block.kind),
                                            base=block.widths_mm)
    return builders, blocks


def assemble(doc: Any, lang: str, builders: Sequence["_Builder"], blocks: list[Block]) -> RenderDoc:
    """The RenderDoc of built blocks, with the metadata the writers put into DOCX/PDF properties."""
    main = builders[0]
    title_lang = "en" if lang == "en" else "zh"
    title = text_in(doc.title, title_lang, doc.source_lang) or main.t(doc.title, "title")
    return RenderDoc(
        lang=lang,
        blocks=blocks,
        title=typographic_quotes(title) if title_lang == "en" else title,
        author=list_join([doc.unit_name(u, title_lang) for u in doc.issuers], title_lang),
        subject=doc.doc_number.render(title_lang) if doc.doc_number else "",
        keywords=[main.t(k, f"keywords[{i}]") for i, k in enumerate(doc.keywords)],
        date=doc.date,
        warnings=[w for b in builders for w in b.warnings.items],
    )


def build_document_ir(doc: Document, lang: str = "zh", *, allow_missing: bool = False, file: str | None = None,
                      draw: bool | tuple[str, ...] = True, positions: Positions | None = None) -> RenderDoc:
    """Resolve a program document for one output language (zh, en or zh-en); reports are
    resolved by :mod:`.report_ir`, and :func:`workplan.render.resolve.build_ir` takes either.

    Raises MissingTranslation listing every field path that lacks the language, unless
    ``allow_missing`` (then each fallback is a warning in ``RenderDoc.warnings``). ``draw=False``
    leaves charts undrawn (captions only) and tables at their design widths (cells are not
    measured): for callers that want only the text, such as search and validation;
    ``draw=("svg",)`` or ``("png",)`` draws only the image format a writer needs. ``positions``:
    the line and column of each field of ``file`` (:attr:`workplan.model.Source.positions`), to
    locate a missing translation.
    """
    if not isinstance(doc, Document):
        raise TypeError(f"not a program document: {type(doc).__name__} (build reports with render.build_ir)")
    builders, blocks = run_builders(lambda lg: _Builder(doc, lg, allow_missing, file), lang, file,
                                    measure=bool(draw), positions=positions)
    return assemble(doc, lang, builders, blocks)
