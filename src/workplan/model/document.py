"""The document model: one source of truth for every renderer, the archive and search.

Input files (YAML or JSON) are validated against these classes; `workplan schema` prints
their JSON Schema. Texts are either a plain string or ``{zh: ..., en: ...}``. A plain string
is taken as written in the document's ``source_lang`` (default ``zh``), except that a string
without any Chinese character (a number, a phone number, a code) counts for every language.
Units (departments) are declared once under ``units`` and referred to by ``id`` everywhere.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Literal, Union

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from .. import limits

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_ID = r"^[A-Za-z][A-Za-z0-9_.-]*$"
_DATE_LIKE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")


# YAML folds a line break inside a plain or ">" scalar into a space; between two Chinese
# characters (or CJK punctuation) that space is an artefact of wrapping, not text.
_CJK = r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]"
_FOLD = re.compile(rf"(?<={_CJK})[ \t\r\n]+(?={_CJK})")


def unfold_cjk(s: str) -> str:
    """Remove whitespace that YAML line folding put between two CJK characters."""
    return _FOLD.sub("", s) if s else s


CleanStr = Annotated[str, AfterValidator(unfold_cjk)]


def _date_given_as_text(v):
    """A date is written YYYY-MM-DD; a number (0, 20240506) is not read as a count of seconds."""
    if isinstance(v, (bool, int, float)):
        raise ValueError(f"expected a date (YYYY-MM-DD), got the number {v}")
    return v


def _date_in_range(d: dt.date) -> dt.date:
    if not limits.EARLIEST_YEAR <= d.year <= limits.LATEST_YEAR:
        raise ValueError(f"{d.isoformat()} is not a date a document of this kind can bear: dates run from "
                         f"{limits.EARLIEST_YEAR} to {limits.LATEST_YEAR}")
    return d


# every date of a data file: written as a date, from 1949 on
Date = Annotated[dt.date, BeforeValidator(_date_given_as_text), AfterValidator(_date_in_range)]
# every number a document states (targets, baselines, values reached): finite, of a sane size
Number = Annotated[float, Field(allow_inf_nan=False, ge=-limits.NUMBER_MAGNITUDE, le=limits.NUMBER_MAGNITUDE)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class DocumentCommon:
    """What every document kind (programs, reports) offers renderers, the archive and search:
    unit look-ups, the year and the archive identity."""

    units: list["Unit"]
    source_lang: str

    def unit(self, uid: str) -> "Unit":
        for u in self.units:
            if u.id == uid:
                return u
        raise KeyError(uid)

    def unit_name(self, uid: str, lang: str) -> str:
        u = self.unit(uid)
        return ((u.en or u.zh) if lang == "en" else (u.zh or u.en)) or ""  # the model asks for one of the two

    def name_or_text(self, value: "Text", lang: str) -> str | None:
        """For fields that take a unit id or a text (recipients, cc, signature, printing office)."""
        if isinstance(value, str) and any(u.id == value for u in self.units):
            return self.unit_name(value, lang)
        return text_in(value, lang, self.source_lang)

    def sections_of(self, type_: str) -> list:
        return [s for s in self.sections if s.type == type_]  # type: ignore[attr-defined]

    @property
    def year(self) -> int:
        return self.date.year  # type: ignore[attr-defined]

    @property
    def prints_letterhead(self) -> bool:
        """Whether the document prints the 版头: ``letterhead`` when set, else whenever it has an
        issuer mark or a document number (a document number is printed only in the letterhead)."""
        lh = getattr(self, "letterhead", None)
        if lh is not None:
            return bool(lh) and bool(self.issuer_mark or self.issuers)  # type: ignore[attr-defined]
        return bool(self.issuer_mark or self.doc_number)  # type: ignore[attr-defined]

    @property
    def is_upward(self) -> bool:
        """Whether the document is sent to a superior (上行文, GB/T 9704 7.2.6: 发文字号 left,
        签发人 right): ``upward`` when set; else when it names a 签发人, or is a report with
        recipients (a 报告 goes up to the office it reports to)."""
        up = getattr(self, "upward", None)
        if up is not None:
            return bool(up)
        if getattr(self, "signatory", None):
            return True
        return getattr(self, "kind", None) == "report" and bool(getattr(self, "recipients", None))

    def identity(self) -> str | None:
        """Archive identity: explicit id, else the document number (the archive adds the issuer)."""
        if self.id:  # type: ignore[attr-defined]
            return self.id  # type: ignore[attr-defined]
        if self.doc_number:  # type: ignore[attr-defined]
            return self.doc_number.render("zh")  # type: ignore[attr-defined]
        return None


UPWARD_DESCRIPTION = ("Sent to a superior (上行文: 报告, 请示): the 版头 sets the document number left and 签发人 "
                      "right (GB/T 9704 7.2.6), and lint asks for the signatory. Default: when a signatory is "
                      "given, or for a report with recipients; false for a document sent down")


class LangText(Strict):
    """A text in Chinese and/or English."""

    zh: CleanStr | None = Field(None, description="Chinese text")
    en: str | None = Field(None, description="English text")

    @model_validator(mode="after")
    def _not_empty(self) -> "LangText":
        if not (self.zh or self.en):
            raise ValueError("give at least one of zh or en")
        return self


Text = Annotated[
    Union[CleanStr, LangText],
    Field(description="A plain string (in the document's source language) or {zh: ..., en: ...}"),
]


_WORD = re.compile(r"[A-Za-z]{2,}")


def plain_langs(text: str, source_lang: str = "zh") -> set[str]:
    """The languages a plain (untagged) string serves: its document's source language, and every
    language when it is neither Chinese nor English words (a number, a phone number, "%", a code
    such as "A1"). Chinese text in an English-source document, or English words in a
    Chinese-source one, serve their source language only, so a missing translation is found in
    either direction."""
    if _HAN.search(text) or _WORD.search(text):
        return {source_lang}
    return {"zh", "en"}


def text_in(text: Text | None, lang: str, source_lang: str = "zh") -> str | None:
    """The text in ``lang``, or None if it is not given in that language."""
    if text is None:
        return None
    if isinstance(text, LangText):
        return getattr(text, lang)
    if lang in plain_langs(text, source_lang):
        return text
    return None


def text_any(text: Text | None, prefer: str = "zh") -> str:
    """The text in the preferred language, else in any language it has."""
    if text is None:
        return ""
    if isinstance(text, LangText):
        return (text.zh if prefer == "zh" else text.en) or text.zh or text.en or ""
    return text


# --- units -----------------------------------------------------------------------------
class Unit(Strict):
    """A department or unit, declared once and referenced by id."""

    id: str = Field(..., pattern=_ID, description="Short identifier used to refer to the unit, e.g. fire_brigade")
    zh: str | None = Field(None, description="Chinese name, e.g. 县消防救援大队 (needed for Chinese documents)")
    en: str | None = Field(None, description="English name, e.g. County Fire and Rescue Brigade")
    abbr: str | None = Field(None, description="Abbreviation used in document numbers and archival codes, e.g. 消防 / XF")

    @model_validator(mode="after")
    def _named(self) -> "Unit":
        if not (self.zh or self.en):
            raise ValueError("give the unit's name: zh (Chinese) and/or en (English)")
        return self

    @property
    def name(self) -> str:
        """The Chinese name, else the English one (for catalogues and messages)."""
        return self.zh or self.en or self.id


UnitRef = Annotated[str, Field(pattern=_ID, description="The id of a unit declared under `units`")]


# --- metadata --------------------------------------------------------------------------
class DocNumber(Strict):
    """发文字号: issuer abbreviation, year and serial → 江综委发〔2015〕10号."""

    prefix: str = Field(..., description="Issuer abbreviation with the document type, e.g. 江综委发")
    year: int = Field(..., ge=limits.EARLIEST_YEAR, le=limits.LATEST_DOCUMENT_YEAR)
    serial: int = Field(..., ge=1, le=limits.SERIAL_MAX, description="Serial number, without leading zeros")
    prefix_en: str | None = Field(None, description="Romanised prefix for English, e.g. Jiang Zong Wei Fa")

    def render(self, lang: str = "zh") -> str:
        if lang == "en":
            return f"{self.prefix_en or self.prefix} [{self.year}] No. {self.serial}"
        return f"{self.prefix}〔{self.year}〕{self.serial}号"


DocNumberText = Annotated[str, Field(pattern=r"^[^〔\[(（]+[〔\[(（]\d{4}[〕\])）]第?\d+号?$",
                                     description="e.g. 江综委发〔2015〕10号")]

_DOCNUM_RE = re.compile(r"^\s*(?P<prefix>[^〔\[(（]+?)\s*[〔\[(（]\s*(?P<year>\d{4})\s*[〕\])）]\s*第?\s*(?P<serial>\d+)\s*号?\s*$")


def parse_doc_number(v):
    """The string form 江综委发〔2015〕10号 as {prefix, year, serial}; anything else as given."""
    if isinstance(v, str):
        m = _DOCNUM_RE.match(v)
        if not m:
            raise ValueError(f"cannot read document number {v!r}: write it as 江综委发〔2015〕10号 or as {{prefix, year, serial}}")
        return {"prefix": m["prefix"], "year": int(m["year"]), "serial": int(m["serial"])}
    return v


class Member(Strict):
    """A person in a leading group."""

    name: Text
    title: Text | None = Field(None, description="Post, e.g. 党工委书记 / Party Secretary")
    unit: UnitRef | None = None


class Office(Strict):
    """The leading group's office: where it sits and who directs it."""

    unit: UnitRef | None = Field(None, description="The unit the office sits in")
    director: Member | None = None
    deputy_directors: list[Member] = Field(default_factory=list)
    duties: Text | None = Field(None, description="What the office does")
    phone: str | None = None


class PrintInfo(Strict):
    """印发: the printing office and date."""

    office: Text = Field(..., description="A unit id or a name")
    date: Date


class Attachment(Strict):
    """A written attachment (附件). Generated annexes (task matrix, roster) are added automatically."""

    title: Text
    paragraphs: list[Text] = Field(default_factory=list)
    items: list["Point"] = Field(default_factory=list)


# --- section content --------------------------------------------------------------------
class Point(Strict):
    """A numbered point: an optional heading, text, and sub-points (one level deeper)."""

    title: Text | None = Field(None, description="Heading of the point (rendered in the heading face)")
    text: Text | None = Field(None, description="Body text; follows the title on the same line when both are given")
    paragraphs: list[Text] = Field(default_factory=list)
    items: list["Point"] = Field(default_factory=list)


class Task(Strict):
    """A task, with who leads it, who cooperates, and by when."""

    id: str | None = Field(None, pattern=_ID, description="Stable id, referenced by progress reports")
    title: Text | None = None
    text: Text | None = None
    lead: list[UnitRef] = Field(default_factory=list, description="Lead unit(s) (牵头单位)")
    responsible: list[UnitRef] = Field(default_factory=list, description="Responsible units (责任单位)")
    cooperating: list[UnitRef] = Field(default_factory=list, description="Cooperating units (配合单位)")
    deadline: Date | Text | None = Field(None, union_mode="left_to_right",
                                            description="A date (YYYY-MM-DD), or a text such as 长期坚持 / ongoing")
    measures: list[Text] = Field(default_factory=list)
    items: list["Task"] = Field(default_factory=list)

    @field_validator("lead", "responsible", "cooperating", mode="before")
    @classmethod
    def _one_or_many(cls, v):
        return [v] if isinstance(v, str) else v

    @field_validator("deadline", mode="before")
    @classmethod
    def _date_like_must_be_date(cls, v):
        if isinstance(v, str) and _DATE_LIKE.match(v.strip()):
            try:
                return _date_in_range(dt.date.fromisoformat(v.strip()))
            except ValueError as e:
                if "bear" in str(e):
                    raise
                raise ValueError(f"{v!r} looks like a date but is not one: write YYYY-MM-DD with a real month and day") from None
        for text in ([v] if isinstance(v, str) else list(v.values()) if isinstance(v, dict) else []):
            if isinstance(text, str):
                problem = deadline_text_problem(text)
                if problem:
                    raise ValueError(problem)
                m = next((m for m in (f.match(text) for f in _OTHER_DATE_FORMS) if m), None)
                if m:
                    # one rule for dates, here: a date in another form is refused, not kept as text
                    # (which a build would then refuse as a date that is not one)
                    iso = f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}"
                    raise ValueError(f"the deadline {text.strip()!r} is a date in a form this file does not take: "
                                     f"write it {iso} (dates are YYYY-MM-DD; a deadline may also be a phrase, "
                                     "e.g. 2024年6月底前 or 整个冬季)")
        return v


# a whole deadline that is a date written otherwise than YYYY-MM-DD: 2024/02/24, 2024.2.24, 2024年2月24日
_OTHER_DATE_FORMS = (re.compile(r"^\s*(\d{4})\s*[/.]\s*(\d{1,2})\s*[/.]\s*(\d{1,2})\s*$"),
                     re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]\s*$"))
_PLACEHOLDER = re.compile(r"_|＿|[Xx×＊*]{2,}|[?？]|\bTBD\b|\bTODO\b|待定|待填|待补|\.\.\.|…|[○〇□]{2,}", re.IGNORECASE)
_NUMERIC_DATE = re.compile(r"(\d+)\s*[-/.]\s*(\d+)\s*[-/.]\s*(\d+)")
_CN_DATE = re.compile(r"(?:(\d+)\s*年)?\s*(?:(\d+)\s*月)?\s*(?:(\d+)\s*[日号])?")


_CN_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "两": 2}
_CN_NUMERAL = re.compile(r"[〇零一二两三四五六七八九十]+(?=\s*[年月日号])")


def _cn_int(s: str) -> str:
    """二〇二四 → 2024, 十三 → 13, 二十一 → 21, 三十 → 30 (the numerals of dates)."""
    if "十" not in s:
        return "".join(str(_CN_DIGIT[c]) for c in s)
    tens, _, ones = s.partition("十")
    if len(tens) > 1 or "十" in ones or len(ones) > 1:
        return "".join(str(_CN_DIGIT.get(c, 10)) for c in s)  # not a numeral of a date: kept impossible
    return str((_CN_DIGIT[tens] if tens else 1) * 10 + (_CN_DIGIT[ones] if ones else 0))


def ascii_digits(text: str) -> str:
    """``text`` with its digits in ASCII: full-width and other decimal digits, full-width - / .,
    and the Chinese numerals of years, months and days (二〇二四年十三月 → 2024年13月)."""
    if text.isascii():
        return text
    text = "".join(str(unicodedata.digit(c)) if c.isdecimal() and not c.isascii() else c for c in text)
    text = text.translate({0xFF0D: "-", 0xFF0F: "/", 0xFF0E: "."})
    return _CN_NUMERAL.sub(lambda m: _cn_int(m.group()), text)


def deadline_text_problem(text: str) -> str | None:
    """Why a deadline given as text is not acceptable, or None.

    A deadline is a real date or a phrase (整个冬季, 长期坚持, 全年, 2024年6月底前, Ongoing …). A
    phrase may not hold a placeholder (20__-01-01, XX月XX日, 待定, TBD, ?), and every date inside it
    must be real: a year of four digits (1949–2100), a month 1–12, a day that exists, whatever
    digits it is written in (full-width ２０２４, Chinese 二〇二四年十二月)."""
    text = ascii_digits(text)
    m = _PLACEHOLDER.search(text)
    if m:
        return (f"the deadline {text!r} holds the placeholder {m.group()!r}: write a real date (YYYY-MM-DD) "
                "or a phrase such as 长期坚持 / 整个冬季")
    if re.search(r"\d{5,}", text):
        return f"the deadline {text!r} holds a number too long to be a year, month or day: write YYYY-MM-DD"
    for m in _NUMERIC_DATE.finditer(text):
        try:
            if len(m[1]) != 4 or not limits.EARLIEST_YEAR <= int(m[1]) <= limits.LATEST_DOCUMENT_YEAR:
                raise ValueError
            dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return f"the deadline {text!r} holds {m.group()!r}, which is not a real date: write YYYY-MM-DD"
    for m in _CN_DATE.finditer(text):
        y, mo, d = m.group(1), m.group(2), m.group(3)
        if not (y or mo or d):
            continue
        bad = ((y and (len(y) != 4 or not limits.EARLIEST_YEAR <= int(y) <= limits.LATEST_DOCUMENT_YEAR))
               or (mo and not 1 <= int(mo) <= 12)
               or (d and not 1 <= int(d) <= 31))
        if not bad and y and mo and d:
            try:
                dt.date(int(y), int(mo), int(d))
            except ValueError:
                bad = True
        if bad:
            return f"the deadline {text!r} holds {m.group().strip()!r}, which is not a real date"
    return None


class Target(Strict):
    """A measurable target: indicator, baseline, target value, unit, due date."""

    id: str | None = Field(None, pattern=_ID)
    indicator: Text
    op: Literal[">=", "<=", "=", ">", "<"] = Field(">=", description="Direction: >= for rates to reach, <= for counts to keep under")
    target: Number
    baseline: Number | None = None
    unit: Text | None = Field(None, description="e.g. % / 起 / cases")
    due: Date | None = None


class Phase(Strict):
    """An implementation phase with its dates."""

    id: str | None = Field(None, pattern=_ID)
    name: Text
    start: Date | None = None
    end: Date | None = None
    activities: list[Text] = Field(default_factory=list)
    items: list[Point] = Field(default_factory=list)

    @model_validator(mode="after")
    def _order(self) -> "Phase":
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"phase ends ({self.end}) before it starts ({self.start})")
        return self


class StandardItem(Strict):
    """One numbered standard with its lead and cooperating units."""

    id: str | None = Field(None, pattern=_ID)
    text: Text
    lead: list[UnitRef] = Field(default_factory=list)
    cooperating: list[UnitRef] = Field(default_factory=list)

    @field_validator("lead", "cooperating", mode="before")
    @classmethod
    def _one_or_many(cls, v):
        return [v] if isinstance(v, str) else v


class StandardCategory(Strict):
    title: Text
    items: list[StandardItem] = Field(default_factory=list)


class _SectionBase(Strict):
    title: Text | None = Field(None, description="Override the standard title of this section")
    paragraphs: list[Text] = Field(default_factory=list, description="Introductory paragraphs")
    items: list[Point] = Field(default_factory=list, description="Numbered points")


class IdeologySection(_SectionBase):
    type: Literal["ideology"]


class ObjectivesSection(_SectionBase):
    type: Literal["objectives"]
    targets: list[Target] = Field(default_factory=list)


class LeadershipSection(_SectionBase):
    type: Literal["leadership"]
    group_name: Text | None = Field(None, description="e.g. 冬季防火工作领导小组")
    head: Member | None = None
    deputies: list[Member] = Field(default_factory=list)
    members: list[Member] = Field(default_factory=list)
    office: Office | None = None


class TasksSection(_SectionBase):
    type: Literal["tasks"]
    tasks: list[Task] = Field(default_factory=list)


class PhasesSection(_SectionBase):
    type: Literal["phases"]
    phases: list[Phase] = Field(default_factory=list)


class ParagraphSection(_SectionBase):
    type: Literal["requirements", "safeguards", "inspection", "rewards", "principles"]


class StandardsSection(_SectionBase):
    type: Literal["standards"]
    categories: list[StandardCategory] = Field(default_factory=list)


class FreeSection(_SectionBase):
    type: Literal["free"]
    title: Text = Field(..., description="The section's title")


Section = Annotated[
    Union[IdeologySection, ObjectivesSection, LeadershipSection, TasksSection, PhasesSection,
          ParagraphSection, StandardsSection, FreeSection],
    Field(discriminator="type"),
]

SECTION_TYPES = ("ideology", "objectives", "leadership", "tasks", "phases", "requirements",
                 "safeguards", "inspection", "rewards", "principles", "standards", "free")


# --- the document ------------------------------------------------------------------------
class Document(DocumentCommon, Strict):
    """A work program (工作方案/实施方案) or creation standards (创建标准) document."""

    schema_: str | None = Field(None, alias="$schema", description="Optional path/URL of the JSON Schema, for editors")
    kind: Literal["program", "standards"] = Field("program", description="program = 工作方案/实施方案; standards = 创建标准 (progress reports have their own model: kind: report)")
    id: str | None = Field(None, pattern=_ID, description="Explicit identity for the archive (otherwise issuer + document number)")
    source_lang: Literal["zh", "en"] = Field("zh", description="Language of plain (untagged) strings")
    title: Text
    subtitle: Text | None = None
    units: list[Unit] = Field(default_factory=list)
    issuers: list[UnitRef] = Field(default_factory=list, description="Issuing unit(s); the first one leads")
    issuer_mark: Text | None = Field(None, description="Red issuer mark (发文机关标志), e.g. 江口县社会治安综合治理委员会文件")
    # The string form is parsed into a DocNumber before validation; it is listed in the type so that
    # the JSON Schema admits it too.
    doc_number: DocNumber | DocNumberText | None = Field(
        None, description="发文字号: {prefix, year, serial} or a string like 江综委发〔2015〕10号")
    letterhead: bool | None = Field(
        None, description="Print the 版头 (red issuer mark, document number, red rule). Default: when an issuer_mark "
                          "or a doc_number is given; false leaves it out (the document number is then not printed)")
    signatory: Text | None = Field(None, description="签发人 (for documents sent upward)")
    upward: bool | None = Field(None, description=UPWARD_DESCRIPTION)
    date: Date = Field(..., description="成文日期")
    recipients: list[Text] = Field(default_factory=list, description="主送机关")
    cc: list[Text] = Field(default_factory=list, description="抄送机关")
    printed: PrintInfo | None = Field(None, description="印发机关和日期")
    signature: list[Text] = Field(default_factory=list, description="Names over the date; defaults to the issuers")
    keywords: list[Text] = Field(default_factory=list)
    retention: Literal["Y", "D30", "D10"] | None = Field(None, description="Suggested retention: Y 永久, D30 30 years, D10 10 years")
    preamble: list[Text] = Field(default_factory=list, description="Purpose and basis: 为……根据……结合实际，制定本方案")
    sections: list[Section] = Field(default_factory=list)
    numbering: Literal["headings", "articles"] | None = Field(
        None, description="How sections and their items are numbered: headings (一、（一）1.（1）, the default) or "
                          "articles, as in regulations (办法/规则/细则): each section a chapter (第一章), each of its "
                          "items an article (第一条) numbered on through the document, their sub-items （一）")
    closing: list[Text] = Field(default_factory=list, description="Paragraphs after the last section")
    attachments: list[Attachment] = Field(default_factory=list)
    annex_task_matrix: bool | None = Field(None, description="Add the 任务分工表 annex; default: when tasks carry units")
    annex_roster: bool | None = Field(None, description="Add the leading-group roster annex; default: when the group has members")
    note: Text | None = Field(None, description="附注")

    @field_validator("doc_number", mode="before")
    @classmethod
    def _parse_doc_number(cls, v):
        return parse_doc_number(v)

    # -- helpers used by renderers, archive and search (and DocumentCommon) ------------------
    def all_tasks(self) -> list[Task]:
        out: list[Task] = []

        def walk(ts: list[Task]) -> None:
            for t in ts:
                out.append(t)
                walk(t.items)
        for s in self.sections_of("tasks"):
            walk(s.tasks)
        return out

    def all_targets(self) -> list[Target]:
        return [t for s in self.sections_of("objectives") for t in s.targets]

    def unit_ids_used(self) -> list[str]:
        """Every unit referenced anywhere, in first-use order."""
        seen: dict[str, None] = {}
        for uid in self.issuers:
            seen.setdefault(uid)
        for t in self.all_tasks():
            for uid in (*t.lead, *t.responsible, *t.cooperating):
                seen.setdefault(uid)
        for s in self.sections:
            if s.type == "leadership":
                for m in ([s.head] if s.head else []) + s.deputies + s.members:
                    if m.unit:
                        seen.setdefault(m.unit)
                if s.office:
                    o = s.office
                    for office_uid in (o.unit, *(m.unit for m in ([o.director] if o.director else []) + o.deputy_directors)):
                        if office_uid:
                            seen.setdefault(office_uid)
            if s.type == "standards":
                for c in s.categories:
                    for it in c.items:
                        for uid in (*it.lead, *it.cooperating):
                            seen.setdefault(uid)
        return list(seen)



Attachment.model_rebuild()
Point.model_rebuild()
Task.model_rebuild()
