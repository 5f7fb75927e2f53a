"""Format-independent structure recognition: from the lines of any reader to an outline
(title, number, recipients, preamble, the numbered hierarchy, signature and date).

Headings are found by scoring each line on its numbering style, the consistency of that
style's level and sequence, its length, its style hints (Heading style, bold, centred, size)
and the section-heading vocabulary, not by one pattern."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from .charforms import ascii_form, match_form
from .lines import _TOC_HEAD, Line, guess_lang, width_units
from .numbering import EN_TOP_FAMILY, TOP_ORDER, Num, cn_value, numbering
from .vocab import is_title_like, leading_phrase, section_type, title_ends


@dataclass
class Node:
    heading: str | None
    text: str | None
    line: Line
    num: Num | None = None
    type: str | None = None
    children: list["Node"] = field(default_factory=list)
    paragraphs: list[tuple[str, Line]] = field(default_factory=list)


@dataclass
class Outline:
    lang: str
    title: str | None = None
    title_lines: list[Line] = field(default_factory=list)
    subtitle: tuple[str, Line] | None = None
    issuer_mark: str | None = None
    doc_number: str | None = None
    doc_number_line: Line | None = None
    recipients: list[tuple[str, Line]] = field(default_factory=list)
    preamble: list[tuple[str, Line]] = field(default_factory=list)
    sections: list[Node] = field(default_factory=list)
    closing: list[tuple[str, Line]] = field(default_factory=list)
    signature: list[tuple[str, Line]] = field(default_factory=list)
    date: dt.date | None = None
    date_line: Line | None = None
    cc: list[tuple[str, Line]] = field(default_factory=list)
    printed: tuple[str, dt.date, Line] | None = None
    # [title or None, first line, [(text, line)]]: lists, as the title is set when a later line gives it
    attachments: list[list[Any]] = field(default_factory=list)
    cover: list[tuple[str, Line]] = field(default_factory=list)   # a forwarding notice around the program
    dropped: list[tuple[str, Line]] = field(default_factory=list)  # duplicates of the title
    warnings: list[str] = field(default_factory=list)
    headings_from: str = ""
    title_unsure: str | None = None   # why the title is a guess (None when it is plainly the title)
    flat_standards: bool = False      # the body is one flat numbered list of standards (1、…8、)


# --- dates ------------------------------------------------------------------------------
_CN_DIGIT = {"〇": 0, "○": 0, "零": 0, "O": 0, "o": 0, "０": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"]
_DATE_PATTERNS = [
    re.compile(r"(?P<y>(?:19|20)\d\d)\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"),
    re.compile(r"(?P<y>[〇○零O一二三四五六七八九]{4})\s*年\s*(?P<m>[一二三四五六七八九十]{1,3})\s*月\s*(?P<d>[一二三四五六七八九十]{1,3})\s*日"),
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)\s*[-./]\s*(?P<m>\d{1,2})\s*[-./]\s*(?P<d>\d{1,2})(?!\d)"),
    re.compile(r"(?P<mn>" + "|".join(_MONTHS) + r")\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)", re.I),
    re.compile(r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?P<mn>" + "|".join(_MONTHS) + r"),?\s+(?P<y>(?:19|20)\d\d)", re.I),
]


def _cn_int(s: str) -> int:
    if s.isdigit():
        return int(s)
    if all(c in _CN_DIGIT for c in s):
        v = 0
        for c in s:
            v = v * 10 + _CN_DIGIT[c]
        return v
    return cn_value(s)


def find_date(text: str) -> tuple[dt.date, re.Match] | None:
    for rx in _DATE_PATTERNS:
        for m in rx.finditer(text):
            try:
                y = _cn_int(m["y"])
                mo = _MONTHS.index(m["mn"].lower()) + 1 if "mn" in m.groupdict() and m["mn"] else _cn_int(m["m"])
                return dt.date(y, mo, _cn_int(m["d"])), m
            except (ValueError, KeyError, IndexError):
                continue
    return None


# --- lines ------------------------------------------------------------------------------
_SENT_END = "。！？!?"
_DOCNUM = re.compile(r"[\u4e00-\u9fffA-Za-z]{1,12}\s*[〔\[［(（【]\s*((?:19|20)\d\d)\s*[〕\]］)）】]\s*第?\s*(\d{1,4})\s*号"
                     r"|^[A-Z][A-Za-z ]{1,40}\s*[\[(]\s*((?:19|20)\d\d)\s*[\])]\s*No\.\s*(\d{1,4})$")
_NOTICE = re.compile(r"^(?:.{0,90}?)(?:关于(?:印发|转发|下发|发布|颁发|发送)|转发(?=.{2,40}?关于))(.+?)的(?:通知|函)$")
_GLOSS = re.compile(r"^\s*[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}[)）]")   # 發(fā): a pinyin gloss
_NOTICE_EN = re.compile(r"^notice\s+(?:of|on)\s+(?:issuing|printing and distributing|forwarding|publishing)\s+(?:the\s+)?(.+)$", re.I)
_RECIPIENT_HINT = re.compile(r"(各|委|局|办|单位|街道|乡镇|社区|部门|政府|镇|村|科室|中心|组|居委会|all\b|departments|units|committees|offices)", re.I)
_ORG_END = re.compile(r"(委员会|政府|办公室|办公厅|局|社区|街道|居委会|村委会|办事处|办|中心|小组|部|队|所|站|院|委|会|科|处|公司|支部|党委|党工委|"
                      r"committee|office|government|bureau|station|centre|center|department|community)$", re.I)
_CC = re.compile(r"^(?:抄\s*送|cc|copied to|copy to)\s*[:：]\s*(.+)$", re.I)
_PRINTED = re.compile(r"^(.{2,40}?)\s+(.+?)印发$")
_ATTACH = re.compile(r"^(?:附\s*件|attachments?|annex)\s*(\d*)\s*[:：]?\s*(.*)$", re.I)


_CHROME = re.compile(r"\.(?:docx?|pdf|txt|wps|rtf)\s*$|^\s*\S{2,6}\s*[:：]\s*$"
                     r"|^\s*篇\s*[一二三四五六七八九十\d]{1,3}\s*[:：]", re.I)   # 篇一：… a sample site's label
_JUNK = "?？\ufffd"   # a character lost in a copy ("?东山街道…实施方案"): not sentence punctuation
_LEAD_HEADING = re.compile(r"^(?:引言|前言|概述|说明|导语|序言|introduction|preface|overview)$", re.I)
_BRACKETED = re.compile(r"^\s*[【〖\[［]\s*([^】〗\]］]{2,24}?)\s*[】〗\]］]\s*[:：]?\s*$")


def _clean_heading(h: str) -> str:
    h = h.strip().rstrip(":：;；,，.。、").strip()
    m = _BRACKETED.match(h)
    return m[1].strip() if m else h  # 【工作目标】 → 工作目标


def split_runin(text: str, lang: str) -> tuple[str | None, str]:
    """Heading and body of a numbered line: 指导思想。牢固树立… / 指导思想牢固树立… / 'Guiding ideology: …'."""
    t = text.strip()
    if not t:
        return None, ""
    a = ascii_form(t)
    limit = 32 if lang == "zh" else 110
    if a.endswith(")") and not any(c in a for c in "。!?"):
        depth, k = 0, len(a) - 1
        for k in range(len(a) - 1, -1, -1):
            depth += {")": 1, "(": -1}.get(a[k], 0)
            if depth == 0:
                break
        if 0 < k and width_units(t[:k]) <= 30 and re.search(r"(牵头|负责|配合|责任|协助|lead|responsib)", t[k:], re.I):
            return _clean_heading(t[:k]), t[k:]
    # a short line without a sentence inside is all heading
    inner = a[:-1]
    long_sentence = a.endswith(("。", ".")) and width_units(t) > (14 if lang == "zh" else 40)
    if not long_sentence and width_units(t) <= (30 if lang == "zh" else 60) and not any(c in inner for c in "。!?:") and \
            not (lang == "en" and ". " in inner) and not (lang == "zh" and "，" in t and width_units(t) > 16):
        return _clean_heading(t), ""
    # a slogan heading: two clauses and no sentence end (提高思想认识，切实增强……的责任感)
    if lang == "zh" and width_units(t) <= 40 and a.count(",") == 1 and not re.search(r"[。!?;:]", a) \
            and not a.rstrip().endswith(","):
        return _clean_heading(t), ""
    # a sentence or colon break close to the start, a known heading phrase glued to the text,
    # or a break a little further on
    def cut_at(limit: int) -> int | None:
        for i, c in enumerate(a[: limit + 1]):
            if c in "。:!?" or (c == "." and lang == "en" and (i + 1 == len(a) or a[i + 1] == " ")):
                return i
            if c == ";":
                return None
        return None

    def take(cut: int) -> tuple[str, str] | None:
        head = _clean_heading(t[:cut])
        if head and (lang != "en" or len(head.split()) <= 14):
            return head, t[cut + 1:].strip()
        return None

    near = cut_at(16 if lang == "zh" else 60)
    if near is not None and (got := take(near)):
        return got
    if lang == "zh":
        n = leading_phrase(t)
        if n:
            return _clean_heading(t[:n]), t[n:].lstrip("，,、 ")
    far = cut_at(limit)
    if far is not None and (got := take(far)):
        return got
    return None, t


# a title line that starts with 关于 continues the issuer's name on the line above it
# (青山区民政局 / 关于开展……的 / 实施方案)
_ISSUER_ABOUT = re.compile(r"^\s*(?:关于|關於)")
_DOC_TYPE_TITLE = re.compile(r"^(.*?)(工作方案|实施方案|方案|计划|意见|办法|标准|制度|细则|要点)")


def _names(line: str, key: str, num) -> bool:
    """A line (in the matching form, spaces and quotes out) that is the program's own title the
    forwarding notice names, written a little differently: 关于…意见的报告 for the notice's
    国家地震局关于…意见报告, a title without the notice's pinyin glosses."""
    from difflib import SequenceMatcher
    if num is not None or not (6 <= len(line) <= 70) or not title_ends(line, "zh") or any(c in line for c in "。，,；;：") \
            or _NOTICE.match(line):   # (the notice's own title again)
        return False
    tail = key[-len(line) - 2:]
    return SequenceMatcher(None, line, key).ratio() >= 0.85 or SequenceMatcher(None, line, tail).ratio() >= 0.9


def _same_size(line: Line, title: Line) -> bool:
    """A line set in the title's size (or one of the two sizes unknown)."""
    if line.size is None or title.size is None:
        return True
    return abs(line.size - title.size) < (0.6 if "ocr" not in line.meta else max(2.0, 0.25 * title.size))  # OCR sizes are estimates


def _same(a: str, b: str) -> bool:
    return re.sub(r"\s", "", match_form(a)) == re.sub(r"\s", "", match_form(b))


class Recogniser:
    def __init__(self, lines: list[Line], lang: str | None = None):
        self.lines = lines
        self.lang = lang or guess_lang([ln.text for ln in lines[:400]])
        self.out = Outline(self.lang)
        self.nums = [numbering(ln.text) for ln in lines]
        self._skip: set[int] = set()
        self._body_size = 0.0

    # -- front matter --------------------------------------------------------------------
    def _title_score(self, i: int, max_size: float) -> float:
        ln = self.lines[i]
        t = ln.text
        s = 0.0
        w = width_units(t)
        if ln.heading == 0:
            s += 5
        if ln.centered:
            s += 2
        if ln.bold:
            s += 0.5
        if ln.size and max_size and ln.size >= max_size - 0.1 and ln.size >= 15 and ln.size > self._body_size + 0.5:
            s += 2    # larger than the body text (not when every line has one size)
        if is_title_like(t, self.lang):
            s += 3
            if _NOTICE.match(match_form(t).replace(" ", "")) and w > 45:
                s += 3   # joint issuers before 关于印发…的通知 make it long, not less a title
        if self.nums[i] is not None and not self._chunk_marked(i):
            s -= 4
        elif self.nums[i] is None and width_units(t) <= 8 and self._is_strong_vocab(_clean_heading(t)):
            s -= 4    # 目标任务: a section heading's words, not a document's title
        w = width_units(t)
        if w > (45 if self.lang == "zh" else 80):
            s -= 3
        if any(c in ascii_form(t.lstrip(_JUNK))[:-1] for c in "。!?") or t.endswith(("。", "：", ":")):
            s -= 3
        if _DOCNUM.search(t) or find_date(t):
            s -= 2
        if ln.table:
            s -= 5
        if _CHROME.search(t):
            s -= 6    # a web page's file name or label line (…方案.docx, 文本内容:), not the title
        if (t.endswith("文件") or (self.lang == "en" and not _NOTICE_EN.match(t))) and not _DOCNUM.search(t) \
                and any(_DOCNUM.search(x.text) for x in self.lines[i + 1:i + 4]):
            s -= 6    # the red issuer mark (XX文件) just above the document number, not the title
        elif i + 1 < len(self.lines) and self.lines[i + 1].text.strip().endswith("文件") \
                and not _DOCNUM.search(t) and any(_DOCNUM.search(x.text) for x in self.lines[i + 2:i + 5]):
            s -= 6    # the first line of a long issuer mark (joint issuers) wrapped before its 文件
        elif self._in_mark(i):
            s -= 6    # joint issuers' names stacked beside their 文件, above the document number
        return s

    def _in_mark(self, i: int) -> bool:
        """A line of a stacked joint issuer mark: one of the lines right above the document number
        (at most four), one of which ends with 文件 (7.2.4: the names one a line, 文件 beside them)."""
        j = next((k for k in range(i + 1, min(i + 5, len(self.lines))) if _DOCNUM.search(self.lines[k].text)), None)
        return j is not None and not _DOCNUM.search(self.lines[i].text) \
            and any(self.lines[k].text.strip().endswith("文件") for k in range(max(0, j - 4), j))

    def _chunk_marked(self, i: int) -> bool:
        """The document's first line is its title behind a document-sharing site's chunk number
        ("1、XX街道…实施方案" before 一、…): the number is the site's, not a list's."""
        n = self.nums[i]
        if i != 0 or n is None or n.kind != "ar_dot" or n.value != 1 or len(self.lines) < 2:
            return False
        nxt = self.nums[1]
        return (is_title_like(self.lines[0].text[n.end:], self.lang) and width_units(self.lines[0].text) <= 45
                and nxt is not None and nxt.kind in ("cn_dun", "cn_fin", "cn_part") and nxt.value == 1)

    def _sentence(self, i: int) -> bool:
        """A body paragraph: a long line that ends a sentence."""
        t = self.lines[i].text
        return width_units(t) > 40 and ("。" in t or t.rstrip().endswith((".", ":", "："))) and not self.lines[i].table

    def _signs(self, i: int) -> bool:
        """The issuer's name above the date that signs the text (盘锦市…办公室 / 2021年1月25日)."""
        t = self.lines[i].text
        return bool(_ORG_END.search(t)) and width_units(t) <= 30 and any(
            find_date(x.text) and width_units(x.text) <= 30 for x in self.lines[i + 1:i + 3])

    def front(self, body_start: int) -> int:
        """Title, issuer mark, number, recipients and preamble before ``body_start``; returns
        the index where the body begins."""
        best = self._title_candidate(body_start)
        if best is None:
            self.out.warnings.append("no title found in the first lines")
            for k in range(0, body_start):
                self._front_line(k)
            return body_start
        first, last = self._title_span(best[1], body_start)
        last = self._take_title(first, last, body_start)
        nk = self._before_title(first)
        i = last + 1
        if nk is None:
            i = self._forwarded_program(i, first)
        for k in range(i, body_start):
            self._front_line(k)
        return body_start

    def _title_candidate(self, body_start: int) -> tuple[float, int] | None:
        """(score, index) of the title line among the first lines, or None."""
        L = self.lines
        o = self.out
        window = range(0, min(body_start, 25))
        sizes = [ln.size for ln in L[:60] if ln.size]
        max_size = max(sizes) if sizes else 0
        # the body's size: the most common one (unknown with fewer than three sized lines)
        self._body_size = max(set(sizes), key=lambda z: (sizes.count(z), -z)) if len(sizes) >= 3 else 0
        # a title is at most two lines: a longer line is a body sentence, never the title
        scored = [(self._title_score(i, max_size), i) for i in window
                  if width_units(L[i].text) <= (60 if self.lang == "zh" else 160)
                  or _NOTICE.match(re.sub(r"\s", "", match_form(L[i].text)))]
        best = max(scored, default=None, key=lambda x: (x[0], -x[1]))
        if best is not None and best[0] >= 1.5:
            # a page title repeated above the document's own: take the candidate nearest the
            # body, unless an earlier one is a forwarding notice (its program follows it)
            near = [(sc, i) for sc, i in scored if sc >= best[0] - 0.5]
            notice = [x for x in near if _NOTICE.match(match_form(L[x[1]].text).replace(" ", ""))
                      or _NOTICE_EN.match(L[x[1]].text)]
            best = notice[0] if notice else near[-1]
        if best is None or best[0] < 1.5:
            # fall back: the first short line without sentence punctuation
            # the issuer mark and web chrome are never the title
            marks = {i for sc, i in scored if sc <= -6 or self._in_mark(i)}
            for i in window:
                t = L[i].text
                if self._sentence(i):
                    best = None
                    break   # a title stands above the text it names: none after a body paragraph
                if i in marks or _DOCNUM.search(t) or find_date(t) or re.fullmatch(r"\s*[(（].*[)）]\s*", t) \
                        or _ATTACH.match(t) or self._signs(i):
                    continue
                if self.nums[i] is None and width_units(t) <= 40 and not any(c in t for c in "。；;!?") \
                        and not _CHROME.search(t) and not t.rstrip().endswith((":", "：")) \
                        and not self._is_strong_vocab(_clean_heading(t)) and not _LEAD_HEADING.match(t.strip()):
                    best = (0, i)
                    o.title_unsure = (f"the title {t.strip()!r} is a guess (a short first line that does not read "
                                      "as a title): check it")
                    break
            else:
                best = None
        return best

    def _title_span(self, ti: int, body_start: int) -> tuple[int, int]:
        """The first and last lines of a title that may continue above or below line ``ti``."""
        L = self.lines
        # multi-line title: neighbours that continue it (same alignment where the format says)
        has_align = any(ln.centered for ln in L[:body_start])
        first, last = ti, ti

        def join_ok(j: int, backward: bool = False) -> bool:
            if not (0 <= j < body_start) or self.nums[j] is not None or L[j].table:
                return False
            t = L[j].text
            return (width_units(t) <= 34 and not any(c in t for c in "。；;：:!?") and not _DOCNUM.search(t)
                    and not find_date(t) and not t.endswith("文件")
                    and not (backward and _ORG_END.search(t) and not _ISSUER_ABOUT.match(L[j + 1].text))
                    and not _CHROME.search(t) and not _TOC_HEAD.match(match_form(t).strip()) and t.strip() != "正文"
                    and not (backward and re.fullmatch(r"\s*[(（][^()（）]*[)）]\s*", t))  # （此件公开发布）
                    and not (backward and re.search(r"(有哪些|是什么|怎么写|如何写|[吗呢])\s*$", t))  # a web page's question
                    and not _ATTACH.match(t) and (not has_align or L[j].centered == L[ti].centered)
                    and _same_size(L[j], L[ti]))

        continues = ti + 1 < body_start and self.lang == "en" and re.match(r"^[a-z(]", L[ti + 1].text) is not None
        if not title_ends(L[ti].text, self.lang) or continues:
            j = ti + 1
            while join_ok(j) and j - ti < 3 and not _same(L[j].text, L[ti].text):
                last = j
                if title_ends(L[j].text, self.lang):
                    break
                j += 1
            if last > ti and not title_ends(L[last].text, self.lang) and self.lang == "zh" and \
                    any(_ORG_END.search(L[k].text) for k in range(ti + 1, last + 1)):
                last = ti
        j = first - 1
        while join_ok(j, True) and first - j < 3 and not title_ends(L[j].text, self.lang) \
                and re.sub(r"\s", "", L[j].text) != re.sub(r"\s", "", L[ti].text):
            first = j
            j -= 1
        return first, last

    def _take_title(self, first: int, last: int, body_start: int) -> int:
        """The title (and a subtitle) from its lines; returns the title's last line."""
        L = self.lines
        o = self.out
        sep = "" if self.lang == "zh" else " "
        # a last line all in parentheses is a subtitle: （2023—2025年） / (Trial)
        if last > first and re.fullmatch(r"\s*[(（].*[)）]\s*", L[last].text):
            o.subtitle = (L[last].text.strip(), L[last])
            last -= 1
        elif last + 1 < body_start and re.match(r"^\s*(——|--|—)", L[last + 1].text) and width_units(L[last + 1].text) <= 40:
            o.subtitle = (L[last + 1].text.strip(), L[last + 1])
            self._skip.add(last + 1)
        o.title_lines = L[first:last + 1]
        o.title = sep.join(x.text.strip() for x in o.title_lines).lstrip(_JUNK + " ")
        if self._chunk_marked(first) and (chunk := self.nums[first]) is not None:
            o.title = o.title[chunk.end:].strip()
            o.title_unsure = (f"the number {L[first].text[:chunk.end].strip()!r} before the title was taken "
                              "for a copying site's page-chunk number and left out: check the title")
        return last

    def _before_title(self, first: int) -> int | None:
        """The lines above the title: issuer mark, number, duplicates, or a forwarding notice's
        cover; returns where a forwarding notice's title starts (None without one)."""
        L = self.lines
        o = self.out
        # a forwarding notice above the program's own title (its title line may hold a line break):
        # the notice, its recipients, text, issuer and date are the cover, not the preamble
        def notice_at(k: int) -> int:   # how many lines (1 to 3) the notice's title takes at k, else 0
            for span in (1, 2, 3):
                if k + span - 1 < first and _NOTICE.match(
                        re.sub(r"\s", "", match_form("".join(x.text for x in L[k:k + span])))):
                    return span
            return 0
        nk = next((k for k in range(0, first) if notice_at(k)), None)
        tail = None
        if nk is None and not _NOTICE.match(re.sub(r"\s", "", match_form(o.title or ""))):
            # the tail of a forwarding notice whose title is lost (a page starting mid-notice):
            # text, then the issuer over the date, above the program's title
            tail = next((k for k in range(0, first) if self._signs(k)), None)
        for k in range(0, first if nk is None else nk):
            if tail is not None:
                self._front_line(k, cover=True)
            else:
                self._front_line(k, before_title=True)
        if tail is not None:
            o.warnings.append(f"line {L[0].line}: the text above the title ends with an issuer and a date (the end of a "
                              "forwarding notice): its date and issuer are the document's, its text is kept in `note`")
        if nk is not None:
            span = notice_at(nk)
            o.cover.append((re.sub(r"\s*\n\s*", "", "".join(x.text for x in L[nk:nk + span])), L[nk]))
            for k in range(nk + span, first):
                self._front_line(k, cover=True)
            o.warnings.append(f"forwarding notice {o.cover[0][0]!r} (line {L[nk].line}): the program {o.title!r} "
                              "is the document; the notice's text is kept in `note`")
        return nk

    def _forwarded_program(self, i: int, first: int) -> int:
        """A forwarding notice taken for the title: the program's own title comes later; returns
        the line after it (``i`` when there is no notice)."""
        L = self.lines
        o = self.out
        # forwarding notice: the program's own title comes later
        m = (_NOTICE.match(re.sub(r"\s", "", match_form(o.title or ""))) or _NOTICE_EN.match(o.title or ""))
        if m and o.title:
            # (found in the matching form, cut from the text as written: one character for one)
            head = re.match(r"^.*?(?:关于(?:印发|转发|下发|发布|颁发|发送)|转发)", match_form(o.title))
            inner = o.title[head.end():] if head else o.title
            inner = _GLOSS.sub("", re.sub(r"的(?:通知|函)$", "", inner)).strip().strip("《》<>\"“”")
            if en := _NOTICE_EN.match(o.title):
                inner = en[1].strip().strip("\"“”")
            key = re.sub(r"[\s《》<>\"“”]", "", match_form(inner))
            found = None
            two = False
            for k in range(i, min(len(L), i + 80)):
                mk = re.sub(r"[\s《》<>\"“”]", "", match_form(L[k].text))
                nxt = re.sub(r"[\s《》<>\"“”]", "", match_form(L[k + 1].text)) if k + 1 < len(L) else ""
                if mk == key or _names(mk, key, self.nums[k]):
                    found = k
                    break
                if nxt and (mk + nxt == key or (self.nums[k + 1] is None and _names(mk + nxt, key, self.nums[k])
                                                and not _names(nxt, key, None) and not re.fullmatch(r"[(（].*[)）]", mk))):
                    found, two = k, True  # the program's title on two lines
                    break
            cover_title = o.title
            o.cover.append((cover_title, L[first]))
            end_cover = found if found is not None else i
            for k in range(i, end_cover):
                self._front_line(k, cover=True)
            o.title = inner
            if found is not None:
                o.title_lines = L[found:found + 2] if two else [L[found]]
                o.title = ("" if self.lang == "zh" else " ").join(x.text.strip() for x in o.title_lines)
                i = found + (2 if two else 1)
            elif self.lang == "zh":
                o.title_unsure = (f"the title {inner!r} is taken from the forwarding notice's title (the program's "
                                  "own title line was not found): check it")
            o.warnings.append(f"forwarding notice {cover_title!r}: the program {inner!r} is the document; "
                              "the notice's text is kept in `note`")
        return i

    def _front_line(self, k: int, before_title: bool = False, cover: bool = False) -> None:
        o, ln = self.out, self.lines[k]
        if k in self._skip:
            return
        t = ln.text
        if o.title and re.sub(r"\s", "", match_form(t)) == re.sub(r"\s", "", match_form(o.title)):
            o.dropped.append((t, ln))
            return
        dm = _DOCNUM.search(t)
        if dm and width_units(t) <= 40 and not o.doc_number:
            o.doc_number = dm.group(0) if dm.group(0).isascii() else dm.group(0).replace(" ", "")
            o.doc_number_line = ln
            rest = (t[:dm.start()] + t[dm.end():]).strip()
            if rest:
                (o.cover if cover else o.preamble).append((rest, ln))
            return
        if before_title and t.endswith("文件") and width_units(t) <= 30 and not o.issuer_mark:
            o.issuer_mark = t
            return
        if cover:
            if t.endswith(("：", ":")) and not o.recipients and width_units(t) < 80 and _RECIPIENT_HINT.search(t):
                o.recipients.append((t.rstrip("：:"), ln))
                return
            d = find_date(t)
            if d and width_units(t) <= 30 and not o.date:
                o.date, o.date_line = d[0], ln
                rest = (t[:d[1].start()] + t[d[1].end():]).strip()
                if rest:
                    o.signature.append((rest, ln))
                return
            if _ORG_END.search(match_form(t)) and width_units(t) <= 30 and not any(c in t for c in "，。,"):
                o.signature.append((t, ln))
                return
            o.cover.append((t, ln))
            return
        if (not o.preamble and not o.recipients and t.endswith(("：", ":")) and width_units(t) < 80
                and _RECIPIENT_HINT.search(t) and self.nums[k] is None and not before_title):
            o.recipients.append((t.rstrip("：:"), ln))
            return
        o.preamble.append((t, ln))

    # -- back matter ---------------------------------------------------------------------
    def back(self, start: int, end: int) -> int:
        """Signature, date, cc, printing line and attachments at the end; returns where the body ends."""
        L, o = self.lines, self.out
        # attachments after the signature: 附件1 / 附件： at line start, after a date
        last = end
        # cc and printed lines
        while last > start:
            t = L[last - 1].text
            m = _CC.match(t)
            printed = t.rstrip().endswith("印发") or re.search(r"\b(issued|printed)\b", t, re.I)
            pd = find_date(t) if printed and width_units(t) <= 50 else None
            if m:
                o.cc.insert(0, (m[1].rstrip("。."), L[last - 1]))
                last -= 1
            elif pd and t[:pd[1].start()].strip():
                office = re.sub(r"\s*(?:issued|printed)(?:\s+on)?\s*$", "", t[:pd[1].start()].strip(), flags=re.I)
                o.printed = (office, pd[0], L[last - 1])
                last -= 1
            else:
                break
        # the date line: near the end, or followed by attachments, a cc line or the printing line
        floor = start
        for k in range(last - 1, floor - 1, -1):
            t = L[k].text
            if L[k].table or self.nums[k] is not None:
                continue
            d = find_date(t)
            if not d or width_units(t) > 90:
                continue
            rest = (t[:d[1].start()] + t[d[1].end():]).strip(" ,，")
            if rest and (width_units(rest) > 80 or any(c in rest for c in "。；;，")):
                continue
            nxt = L[k + 1].text if k + 1 < len(L) else ""
            attach_near = any(_ATTACH.match(L[j].text) for j in range(k + 1, min(last, k + 4)))
            if not (k + 1 >= last or last - k <= 3 or attach_near or _CC.match(nxt) or nxt.endswith("印发")):
                continue
            after = list(range(k + 1, last))
            if after:
                self._attachments(after)
            o.date, o.date_line = d[0], L[k]
            if rest:
                o.signature.append((rest, L[k]))
            j = k - 1
            while j > start and k - j <= 3:
                tj = L[j].text
                if (width_units(tj) <= 30 and not any(c in tj for c in "。，,；;:：!?") and self.nums[j] is None
                        and not _ATTACH.match(tj) and not L[j].table and not tj.endswith(".")):
                    o.signature.insert(0, (tj, L[j]))
                    j -= 1
                else:
                    break
            return j + 1
        return last

    def _attachments(self, idx: list[int]) -> None:
        L, o = self.lines, self.out
        cur: list[Any] | None = None
        for k in idx:
            t = L[k].text
            m = _ATTACH.match(t)
            if m and (cur is None or width_units(t) < 40):
                title = m[2].strip() if m[2].strip() else None
                cur = [title, L[k], []]
                o.attachments.append(cur)
                continue
            if cur is None:
                cur = [None, L[k], []]
                o.attachments.append(cur)
            if cur[0] is None and width_units(t) < 50 and not any(c in t for c in "。；;"):
                cur[0] = t
            else:
                cur[2].append((t, L[k]))

    # -- body ----------------------------------------------------------------------------
    def _head(self, i: int) -> tuple[str | None, str]:
        ln, n = self.lines[i], self.nums[i]
        text = ln.text[n.end:] if n else ln.text
        h, rest = split_runin(text, self.lang)
        if n and n.keep and h and rest and width_units(h) <= 6:
            # 第一阶段：宣传发动，统一思想。… → the phase name runs to the first full stop
            a = ascii_form(rest)
            k = next((j for j, c in enumerate(a[:30]) if c in "。!?;"), None)
            if k is not None:
                h, rest = h + text[len(h):len(h) + 1] + rest[:k], rest[k + 1:].strip()
        return h, rest

    def _is_strong_vocab(self, head: str | None) -> str | None:
        if not head:
            return None
        st = section_type(head)
        if not st:
            return None
        w = width_units(head)
        return st[0] if w <= (16 if self.lang == "zh" else 40) else None

    def choose_top(self, lo: int, hi: int) -> tuple[str, set[str] | None, set[int]]:
        """How top-level headings are marked: by Heading style, by a numbering kind, or by
        vocabulary/bold; returns (how, kinds, indices of style/vocab headings)."""
        L = self.lines
        styled = [i for i in range(lo, hi) if (L[i].heading or 0) > 0 and not L[i].table
                  and not (L[i].centered and is_title_like(L[i].text, self.lang))]
        for level in sorted({L[i].heading or 0 for i in styled}):
            idx = {i for i in styled if L[i].heading == level}
            if len(idx) >= 2:  # the top level used at least twice (a title in Heading 1 does not count)
                return "style", None, idx
        stats: dict[str, list[int]] = {}
        for i in range(lo, hi):
            n = self.nums[i]
            if n and not L[i].table:
                stats.setdefault(n.kind, []).append(i)
        # qualified kinds: most of their lines carry a short heading, or one names a section;
        # the outermost style (by the usual order 第一部分 > 一、 > （一） > 1. > （1）) wins
        qualified = []
        singles: list[tuple] = []
        for kind, at in stats.items():
            if kind in ("cn_shi", "cn_article", "en_phase", "cn_phase") and len(stats) > 1:
                continue
            heads = [self._head(i)[0] for i in at]
            vocab = sum(1 for h in heads if self._is_strong_vocab(h))
            short = sum(1 for h in heads if h)
            n_styled = sum(1 for i in at if L[i].bold or L[i].heading)
            # a single 一、 heading (a summary with only 一、2022年工作回顾, cut short) is a level too,
            # when no other style is
            n0, h0 = self.nums[at[0]], heads[0]
            if (len(at) == 1 and kind in ("cn_part", "cn_fin", "cn_dun") and n0 is not None and n0.value == 1
                    and h0 is not None and bool(h0) and not is_title_like(h0, self.lang)
                    and width_units(h0) <= (40 if any(j > at[0] for k, js in stats.items() if k != kind
                                                            for j in js) else 24)):   # (longer when items follow it)
                singles.append((TOP_ORDER.index(kind), at[0], kind, vocab))
            if (len(at) >= 2 and short / len(at) >= 0.5) or vocab or n_styled >= 2:
                order = TOP_ORDER.index(kind) if kind in TOP_ORDER else 99
                qualified.append((order, at[0], kind, vocab))
        qualified += singles
        if qualified:
            top = min(qualified)
            kind = top[2]
            # when the usual outermost style names no section, the style that numbers the
            # document's first section-naming heading is the top level: (A) Work objectives … 1. …
            first = min(qualified, key=lambda q: q[1])
            if first[2] != kind and top[3] == 0 and first[3] >= 1 and self.lang == "en":
                kind = first[2]
            kinds = {kind}
            if kind in EN_TOP_FAMILY:
                kinds = EN_TOP_FAMILY & set(stats) | {kind}
            vocab_lines = self._vocab_headings(lo, hi)
            if (len(vocab_lines) >= 2 and kind not in ("cn_part", "cn_fin", "cn_dun", "en_part", "en_roman")
                    and min(vocab_lines) < min(stats[kind])):
                # unnumbered headings naming sections (目标任务 / 方法步骤, their numbers lost in a
                # copy) above the first numbered line: those are the top level, the numbers below them
                return "vocabulary", None, vocab_lines
            return "numbering", kinds, set()
        vocab_lines = self._vocab_headings(lo, hi)
        if len(vocab_lines) >= 2:
            return "vocabulary", None, vocab_lines
        # plain text without numbering, bold or section words (a TXT or PDF of such a document):
        # short lines without punctuation, each followed by a paragraph, are the headings
        idx = {i for i in range(lo + 1, hi - 1) if self._bare_heading(i)}
        if len(idx) >= 3:
            return "short lines", None, idx
        return "none", None, set()

    def _vocab_headings(self, lo: int, hi: int) -> set[int]:
        """Short unnumbered lines that name a section (or bold short lines, or 【…】 labels)."""
        L = self.lines
        idx = set()
        for i in range(lo, hi):
            t = L[i].text
            if self.nums[i] is None and not L[i].table and width_units(t) <= 24 and not any(c in t for c in "。，,；;!?") \
                    and not L[i].centered and not (is_title_like(t, self.lang) and width_units(t) > 10):
                if self._is_strong_vocab(_clean_heading(t)) or (L[i].bold and width_units(t) <= 20) or _BRACKETED.match(t):
                    idx.add(i)
        return idx

    def _bare_heading(self, i: int) -> bool:
        L = self.lines
        t, nxt = L[i].text.strip(), L[i + 1].text.strip()
        w = width_units(t)
        return (self.nums[i] is None and self.nums[i + 1] is None and not L[i].table and not L[i].centered
                and 4 <= w <= 20 and not re.search(r"[。，,；;!?！？:：、]", ascii_form(t))
                and not is_title_like(t, self.lang) and not _ORG_END.search(t) and not _DOCNUM.search(t)
                and not find_date(t) and not _ATTACH.match(t)
                and width_units(nxt) >= max(20, 2 * w) and nxt.endswith(("。", ".", "！", "!", "；", ";")))

    _STANDARDS_TITLE = re.compile(r"(标准|条件|细则|准则|考核表|评分表|考评表)(?:[(（][^()（）]*[)）])?$")

    def _flat_standards(self, lo: int, hi: int) -> list[int] | None:
        """A document of creation standards written as one flat numbered list (1、…8、) under a
        title that says so: the items are the standards."""
        L = self.lines
        num = {i: n for i in range(lo, hi) if (n := self.nums[i]) is not None and not L[i].table}
        idx = list(num)
        # the list runs to the end; labels numbered otherwise above it (第一篇：…) are front matter
        while idx and len({num[i].kind for i in idx}) > 1 and idx[0] < lo + 3:
            idx = idx[1:]
        if len({num[i].kind for i in idx}) != 1:
            return None
        if len(idx) < 3:
            return None
        if num[idx[0]].kind not in ("ar_dot", "cn_dun", "ar_paren", "circled", "cn_paren"):
            return None
        if [num[i].value for i in idx] != list(range(1, len(idx) + 1)):
            return None
        head = [L[i].text for i in range(lo, min(idx[0], lo + 5)) if self.nums[i] is None]   # the title is among the first lines
        if not any(self._STANDARDS_TITLE.search(match_form(t).strip()) and width_units(t) <= 40
                   and not re.search(r"[，。,:：；;]", t) for t in head):
            return None
        return idx

    def body(self, lo: int, hi: int) -> None:
        L, o = self.lines, self.out
        flat = self._flat_standards(lo, hi)
        if flat:
            o.headings_from, o.flat_standards = "numbering", True
            self.front(flat[0])
            for a, b in zip(flat, flat[1:] + [hi]):
                o.sections.append(self._section(a, b))
            return
        how, kinds, marked = self.choose_top(lo, hi)
        o.headings_from = how
        # the first heading: everything before it is front matter
        tops: list[int] = []
        last_val = 0
        child_kinds: set[str] = set()
        for i in range(lo, hi):
            n = self.nums[i]
            is_top = False
            if how in ("style", "vocabulary", "short lines"):
                is_top = i in marked
            elif how == "numbering":
                head = self._head(i)[0]
                if n and kinds is not None and n.kind in kinds:
                    is_top = bool(head) or n.kind not in ("en_ord",)
                    if n.kind == "en_ord" and (not head or width_units(head) > 50) and not self._is_strong_vocab(head):
                        is_top = False
                    if is_top and L[i].table:
                        is_top = False
                elif n and n.kind not in child_kinds and n.value == last_val + 1 and self._is_strong_vocab(head) \
                        and self.lang == "en":
                    is_top = True  # mixed numbering in a machine translation: One, … (ii) … (C)
                elif n is None and tops and self._is_strong_vocab(head) and (L[i].bold or L[i].heading) \
                        and width_units(L[i].text) <= 16:
                    is_top = True
            if is_top:
                tops.append(i)
                last_val = n.value if n else last_val + 1
                child_kinds = set()
            elif n and tops:
                child_kinds.add(n.kind)
        if not tops:
            o.warnings.append("no section headings found: the text is kept as one free section")
            return  # run() takes the title and keeps the rest as one section
        self.front(tops[0])
        for a, b in zip(tops, tops[1:] + [hi]):
            o.sections.append(self._section(a, b))

    def _section(self, a: int, b: int) -> Node:
        L = self.lines
        n = self.nums[a]
        head, rest = self._head(a)
        if not head:
            text = L[a].text[n.end:] if n else L[a].text
            k = min((text.find(c) for c in "，,；;" if 0 < text.find(c) <= 24), default=-1)
            head, rest = (_clean_heading(text[:k]), text[k + 1:].strip()) if k > 0 else (_clean_heading(text), "")
        node = Node(head, None, L[a], n)
        st = section_type(head) if head else None
        node.type = st[0] if st and width_units(head) <= (24 if self.lang == "zh" else 60) else None
        if rest:
            node.paragraphs.append((rest, L[a]))
        stack: list[tuple[str, Node]] = []   # (kind, node) from outer to inner
        for i in range(a + 1, b):
            ln, ni = L[i], self.nums[i]
            running = ni is not None and (ni.kind == "cn_shi" or (
                ni.kind == "en_ord" and re.search(r"[;,.]\s*second(ly)?\b", ln.text, re.I)))
            if ni is None or ln.table or running:  # 一是……二是…… / First, …; second, … is running text
                target = stack[-1][1] if stack else node
                target.paragraphs.append((ln.text, ln))
                continue
            h, r = self._head(i)
            child = Node(h, r or None, ln, ni)
            kinds = [k for k, _ in stack]
            kind = ni.kind
            # (i) after (h) is a letter
            if kind == "en_roman_paren_l" and "en_alpha_paren" in kinds and ni.value in (1, 5, 10):
                kind = "en_alpha_paren"
            if kind in kinds:
                del stack[kinds.index(kind):]
            parent = stack[-1][1] if stack else node
            parent.children.append(child)
            stack.append((kind, child))
        return node

    def run(self) -> Outline:
        L, o = self.lines, self.out
        if not L:
            return o
        hi = self.back(0, len(L))
        # the body starts after the title: find the title region first on the whole head
        self.body(0, hi)
        if not o.sections:
            # no headings: title and front as usual, the rest as one free section
            o2 = self.out
            o2.preamble = []
            o2.recipients = []
            start = self._front_only()
            sec = Node(None, None, L[start] if start < hi else L[0])
            for k in range(start, hi):
                sec.paragraphs.append((L[k].text, L[k]))
            o2.sections.append(sec)
        return o

    def _front_only(self) -> int:
        """Title (and number, recipients) when there are no headings: the front ends at the
        first long paragraph after the title."""
        L, o = self.lines, self.out
        hi = len(L)
        o.title = None
        o.title_lines = []
        o.cover = []
        limit = min(hi, 8)
        self.front(limit)
        # keep only short front lines as front matter; move paragraphs back into the body
        body_from = o.title_lines[-1].line if o.title_lines else 0
        moved = [p for p in o.preamble]
        o.preamble = []
        start = next((k for k, ln in enumerate(L) if ln.line > body_from), hi)
        start = min([start] + [k for k, ln in enumerate(L) for _, pl in moved if pl is ln])
        skip = {id(x[1]) for x in o.recipients} | {id(x[1]) for x in o.dropped}
        if o.doc_number_line is not None:
            skip.add(id(o.doc_number_line))
        while start < hi and id(L[start]) in skip:
            start += 1
        return start


def recognise(lines: list[Line], lang: str | None = None) -> Outline:
    return Recogniser(lines, lang).run()
