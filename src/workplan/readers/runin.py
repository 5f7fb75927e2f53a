"""Text whose paragraph breaks were lost (copied from a document-sharing site or a PDF: a
whole program on one line, "…特制定本方案。一、指导思想以…二、工作目标…"): put the breaks
back before each numbered heading of a running sequence, and at the spaces that stood for
breaks, so that the structure recogniser sees paragraphs again. Only long lines are touched;
every character is kept."""
from __future__ import annotations

import re
from dataclasses import replace

from .lines import Line, width_units
from .numbering import cn_value

LONG = 150          # width units from which a line may hold several paragraphs
_CN = "一二三四五六七八九十"
# numbering styles that may start a paragraph inside a long line: (kind, pattern, group of the value)
_MARKERS = [
    ("cn_part", re.compile(rf"第([{_CN}百]{{1,4}})(?:章|部分)")),
    ("cn_article", re.compile(rf"第([{_CN}百]{{1,4}})条")),
    ("cn_dun", re.compile(rf"(?<![{_CN}第])([{_CN}]{{1,3}})[、，．.](?![\d{_CN}])")),
    ("cn_paren", re.compile(rf"[（(]([{_CN}]{{1,3}})[）)]")),
    ("ar_dun", re.compile(r"(?<![\d.．:：/年月日%-])(\d{1,2})[、．.](?![\d%])(?=[\u4e00-\u9fff*“《（(])")),
    ("ar_paren", re.compile(r"[（(](\d{1,2})[）)](?=[\u4e00-\u9fff])")),
]
_BREAK_BEFORE = set("。；;！？!?：:”」） 　\t") | {""}
_OPENERS = r"(?:为|根据|按照|依据|依照|结合|近年来|今年是|当前|经|现将|随着)"
_TITLE_GLUED = re.compile(r"^(.{4,40}?(?:工作方案|实施方案|行动方案|方案|工作计划|计划|规划|总结|意见|办法|标准|预案|细则|要点|章程))"
                          + r"(?=" + _OPENERS + ")")
_SPACE_BREAK = re.compile(r"(?<=[\u4e00-\u9fff。：:，,；;！？”）)])[ \u3000]+(?=[\u4e00-\u9fff“（(《])"
                          r"|(?<=方案|计划|规划|总结|意见|办法|标准|预案|细则|要点|章程)[ \u3000]+(?=\d)")  # …工作计划 2012年汛期…


def _value(s: str) -> int:
    return int(s) if s.isdigit() else cn_value(s)


def _chain(text: str, rx: re.Pattern) -> list[int]:
    """Positions of the longest run of consecutive numbers (1, 2, 3 … or n, n+1 …) of one style,
    preferring markers that follow a sentence end."""
    cands = []
    for m in rx.finditer(text):
        try:
            v = _value(m[1])
        except (ValueError, KeyError):
            continue
        if 0 < v < 100:
            good = text[m.start() - 1:m.start()] in _BREAK_BEFORE or m.start() == 0
            cands.append((m.start(), v, good))
    best: dict[int, tuple[int, int, list[int]]] = {}  # index -> (length, good count, positions)
    top: tuple[int, int, list[int]] = (0, 0, [])
    for i, (p, v, good) in enumerate(cands):
        prev = [best[j] for j in range(i) if cands[j][1] == v - 1 and j in best]
        base = max(prev, key=lambda x: (x[0], x[1]), default=(0, 0, []))
        if not prev and v != 1 and p != 0:
            base = (0, 0, [])
        cur = (base[0] + 1, base[1] + good, base[2] + [p])
        best[i] = cur
        if (cur[0], cur[1]) > (top[0], top[1]):
            top = cur
    length, n_good, pos = top
    if length < 2 or n_good < length / 2:
        return []
    return pos


def _split_at(text: str, cuts: list[int]) -> list[str]:
    cuts = sorted({c for c in cuts if 0 < c < len(text)})
    out, last = [], 0
    for c in cuts:
        out.append(text[last:c])
        last = c
    out.append(text[last:])
    return [x.strip() for x in out if x.strip()]


def _split_line(text: str, depth: int = 0) -> list[str]:
    if width_units(text) < (LONG if depth == 0 else 60):
        return [text]
    for _kind, rx in _MARKERS:
        pos = _chain(text, rx)
        if pos:
            parts = _split_at(text, pos)
            out: list[str] = []
            for k, part in enumerate(parts):
                if k == 0 and not rx.match(part):
                    out += _split_head(part)
                else:
                    out += _split_line(part, depth + 1)
            return out
    return _split_head(text) if depth == 0 else [text]


def _split_head(text: str) -> list[str]:
    """The text before the first heading: spaces standing for lost breaks, a title glued to the
    preamble (…工作方案为进一步…)."""
    parts = _split_at(text, [m.end() for m in _SPACE_BREAK.finditer(text)]) if width_units(text) >= 60 else [text]
    out = []
    for p in parts:
        m = _TITLE_GLUED.match(p)
        if m and width_units(p) > width_units(m[1]) + 20 and not re.search(r"[。；;，,：:]", m[1]):
            out += [m[1], p[m.end(1):]]
        else:
            out.append(p)
    return out


# the next top-level heading glued to the end of a paragraph: "…(xx路至xx路)。 三、工作步骤"
_GLUED_HEAD = re.compile(rf"(?<=[。；;！？!?])[ \u3000]*(?=([{_CN}]{{1,3}})、(?![{_CN}\d]))")
_LINE_HEAD = re.compile(rf"^([{_CN}]{{1,3}})、")


def _glued_headings(lines: list[Line]) -> tuple[list[Line], int]:
    """Split a line where the heading that continues the document's 一、二、 sequence follows a
    sentence's end inside it (its paragraph break was lost)."""
    out: list[Line] = []
    last, split = 0, 0
    for ln in lines:
        m = _LINE_HEAD.match(ln.text)
        if m and not ln.table:
            last = _value(m[1])
        parts, pos = [], 0
        if last and not ln.table:
            for g in _GLUED_HEAD.finditer(ln.text):
                if g.start() > pos and _value(g[1]) == last + 1:
                    parts.append(ln.text[pos:g.start()])
                    pos = g.end()
                    last += 1
        if not parts:
            out.append(ln)
            continue
        split += 1
        for p in parts + [ln.text[pos:]]:
            if p.strip():
                out.append(replace(ln, text=p.strip(), meta=dict(ln.meta, runin=True)))
    return out, split


def resegment(lines: list[Line]) -> tuple[list[Line], int]:
    """The lines with lost paragraph breaks put back; returns them and how many lines were split."""
    lines, glued = _glued_headings(lines)
    if not any(width_units(ln.text) >= LONG and not ln.table for ln in lines):
        return lines, glued
    out: list[Line] = []
    split = 0
    for ln in lines:
        if ln.table or width_units(ln.text) < LONG:
            out.append(ln)
            continue
        parts = _split_line(ln.text)
        if len(parts) == 1:
            out.append(ln)
            continue
        split += 1
        for p in parts:
            out.append(replace(ln, text=p, meta=dict(ln.meta, runin=True)))
    return _glued_headings(out)[0], split + glued
