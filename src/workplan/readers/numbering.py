"""Numbering at the start of a line, Chinese and English: its kind, its value and where the
text after it starts. Kinds name a *style*; the structure recogniser assigns levels."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .charforms import ascii_form

_CNUM = "零〇一二三四五六七八九十百两"
# financial (大写) numerals: 壹、貳、參 number the top level in Taiwanese and formal documents
_FIN = "壹贰貳叁參参肆伍陆陸柒捌玖拾"
_FIN_VAL = {"壹": 1, "贰": 2, "貳": 2, "叁": 3, "參": 3, "参": 3, "肆": 4, "伍": 5, "陆": 6, "陸": 6, "柒": 7, "捌": 8, "玖": 9}
_CN_VAL = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_WORDS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
          "thirteen", "fourteen", "fifteen"]
_ORDS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
         "eleventh", "twelfth"]
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_ROMAN_RE = r"(?:X{0,3}(?:IX|IV|V?I{0,3}))"
_UROMAN = "ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫ"    # Unicode roman numerals
_PAREN_DIGITS = "⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽⑾⑿⒀⒁⒂⒃⒄⒅⒆⒇"
_DOT_DIGITS = "⒈⒉⒊⒋⒌⒍⒎⒏⒐⒑⒒⒓⒔⒕⒖⒗⒘⒙⒚⒛"


def cn_value(s: str) -> int:
    if s.isdigit():
        return int(s)
    if "百" in s:
        return 100
    if "十" in s:
        a, _, b = s.partition("十")
        return (_CN_VAL.get(a, 1) if a else 1) * 10 + (_CN_VAL.get(b, 0) if b else 0)
    v = 0
    for c in s:
        v = v * 10 + _CN_VAL.get(c, 0)
    return v


def roman_value(s: str) -> int:
    vals = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
    s = s.lower()
    total = 0
    for i, c in enumerate(s):
        v = vals[c]
        total += -v if i + 1 < len(s) and vals[s[i + 1]] > v else v
    return total


@dataclass
class Num:
    kind: str        # e.g. cn_dun (一、), cn_paren (（一）), ar_dot (1. 1、), ar_paren ((1)), circled (①) ...
    value: int
    end: int         # offset in the line where the text after the numbering starts
    keep: bool = False  # the label is part of the text (第一阶段, Phase One): keep it in the title

    @property
    def family(self) -> str:
        return self.kind


_SEP = r"\s*"
_PATTERNS: list[tuple[str, re.Pattern, str]] = [
    # (kind, pattern on the ascii form, how to read the value)
    ("cn_part", re.compile(rf"^第([{_CNUM}]+|\d+)(?:部分|章|篇)[\s、:.,]*"), "cn"),
    ("cn_phase", re.compile(rf"^第([{_CNUM}]+|\d+)(?:阶段|步)"), "cn_keep"),
    ("cn_article", re.compile(rf"^第([{_CNUM}]+|\d+)条[\s、:.,]*"), "cn"),
    ("cn_fin", re.compile(rf"^([{_FIN}]{{1,3}})\s*(?:、|\.(?!\d)|,|:|\s)\s*(?=\S)"), "fin"),
    ("cn_shi", re.compile(r"^([一二三四五六七八九十]{1,3})是(?=[^\s,、:。])[,:]?"), "cn"),
    ("cn_di", re.compile(r"^第([一二三四五六七八九十]{1,3})\s*[,，、](?=\S)"), "cn"),
    ("cn_dun", re.compile(r"^([一二三四五六七八九十]{1,3})\s*(?:、|\.(?!\d)|,|:|\s)\s*(?=\S)"), "cn"),
    ("cn_paren", re.compile(r"^\(\s*([一二三四五六七八九十]{1,3})\s*\)[\s、.,:]*"), "cn"),
    ("ar_multi3", re.compile(r"^\d{1,2}\.\d{1,2}\.(\d{1,2})(?:\.|、)?\s*(?=[^\d.\s%倍万亿元米个人次年月日时])"), "int"),
    ("ar_multi2", re.compile(r"^\d{1,2}\.(\d{1,2})(?:\.|、)?\s*(?=[^\d.\s%倍万亿元米个人次年月日时])"), "int"),
    ("ar_paren", re.compile(r"^(?:\(\s*(\d{1,2})\s*\)|(\d{1,2})\))[\s、.,:]*"), "int"),
    ("ar_dot", re.compile(r"^(\d{1,2})\s*(?:、|\.(?!\d)|\.(?=\d{1,2}\s*月(?!\d))|,(?!\d)|:(?!\d)|\s(?=[\u4e00-\u9fff]))\s*(?=\S)"), "int"),
    # "1 Objectives" (a number and a capitalised word: decimal-numbered English sections)
    ("ar_dot", re.compile(r"^(\d{1,2})\s+(?=[A-Z][a-z]+\b)"), "int"),
    ("circled", re.compile(rf"^([{_CIRCLED}])[\s、.,:]*"), "circled"),
    ("ar_paren", re.compile(rf"^([{_PAREN_DIGITS}])[\s、.,:]*"), "paren_digits"),
    ("ar_dot", re.compile(rf"^([{_DOT_DIGITS}])\s*"), "dot_digits"),
    ("en_roman", re.compile(rf"^([{_UROMAN}])\s*[.、,:]?\s*(?=\S)"), "uroman"),
    ("en_article", re.compile(r"^article\s+(\d+|" + "|".join(_WORDS) + r")\b[\s:.,-]*", re.I), "word"),
    ("en_part", re.compile(r"^(?:part|chapter)\s+(" + "|".join(_WORDS) + r"|\d+|[ivx]+)\b[\s:.,-]*", re.I), "word"),
    ("en_phase", re.compile(r"^(?:phase|stage|step)\s+(" + "|".join(_WORDS) + r"|\d+|[ivx]+)\b", re.I), "word_keep"),
    ("en_roman", re.compile(rf"^({_ROMAN_RE})\s*[.、,:](?!\d)\s*(?=\S)"), "roman"),
    ("en_word_paren", re.compile(r"^\((" + "|".join(_WORDS) + r")\)\s*[,.:]?\s*", re.I), "word"),
    ("en_word", re.compile(r"^(" + "|".join(_WORDS) + r")\s*[,.:、]\s*(?=\S)", re.I), "word"),
    ("en_ord", re.compile(r"^(" + "|".join(_ORDS) + r")(?:ly)?\s*[,.:]\s*(?=\S)", re.I), "ord"),
    ("en_roman_paren", re.compile(rf"^\(\s*({_ROMAN_RE}|{_ROMAN_RE.lower()})\s*\)[\s.,:]*"), "roman"),
    ("en_alpha_paren", re.compile(r"^\(\s*([a-zA-Z])\s*\)[\s.,:]*|^([a-z])\)\s*"), "alpha"),
    ("en_alpha", re.compile(r"^([A-H])\s*[.、)]\s+(?=\S)"), "alpha"),
]


def numbering(text: str) -> Num | None:
    a = ascii_form(text)
    for kind, rx, how in _PATTERNS:
        m = rx.match(a)
        if not m:
            continue
        g = next((x for x in m.groups() if x), "")
        if kind in ("en_roman", "en_roman_paren") and not g:
            continue
        if how == "fin":
            v = (_FIN_VAL.get(g[0], 1) * 10 + _FIN_VAL.get(g[-1], 0) if "拾" in g[1:] else
                 10 + _FIN_VAL.get(g[-1], 0) if g[0] == "拾" else _FIN_VAL.get(g, 0))
        elif how in ("cn", "cn_keep"):
            v = cn_value(g)
        elif how == "int":
            v = int(g)
        elif how == "circled":
            v = _CIRCLED.index(g) + 1
        elif how == "paren_digits":
            v = _PAREN_DIGITS.index(g) + 1
        elif how == "dot_digits":
            v = _DOT_DIGITS.index(g) + 1
        elif how == "uroman":
            v = _UROMAN.index(g) + 1
        elif how in ("word", "word_keep"):
            gl = g.lower()
            v = _WORDS.index(gl) + 1 if gl in _WORDS else (int(gl) if gl.isdigit() else roman_value(gl))
        elif how == "ord":
            v = _ORDS.index(g.lower()) + 1
        elif how == "roman":
            v = roman_value(g)
        else:  # alpha
            v = ord(g.lower()) - 96
        if v <= 0:
            continue
        keep = how.endswith("_keep")
        # an "(i)" right after "(h)" is a letter, not a roman one: the caller decides with the value
        if kind == "en_roman_paren" and g.islower():
            kind = "en_roman_paren_l"
        if kind == "en_alpha_paren":
            kind = "en_alpha_paren_u" if g.isupper() else "en_alpha_paren"
        return Num(kind, v, 0 if keep else m.end(), keep)
    return None


# the kinds that can number top-level sections, outermost first
TOP_ORDER = ["cn_part", "en_part", "cn_fin", "cn_dun", "en_roman", "en_word", "en_word_paren", "en_ord", "cn_paren",
             "en_alpha", "ar_dot", "ar_multi2", "ar_paren", "ar_multi3", "en_roman_paren", "en_roman_paren_l", "en_alpha_paren_u",
             "en_alpha_paren", "circled", "cn_article", "en_article", "cn_phase", "en_phase", "cn_di", "cn_shi"]
# kinds that translate the same Chinese number (一、) in machine translations: one level
EN_TOP_FAMILY = {"en_roman", "en_word", "en_ord"}
