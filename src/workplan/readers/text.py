"""Plain text: UTF-8 (with or without BOM), UTF-16 with BOM, GB18030/GBK or Big5, detected."""
from __future__ import annotations

import codecs
import re

from .errors import ImportFailed
from .lines import Extracted, Line, rejoin

# characters frequent in Chinese administrative texts, simplified and traditional: a
# decoding that yields many of them is the right one
_COMMON = set("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过"
              "子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体"
              "制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内"
              "数正心反明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直"
              "题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别"
              "手角期根论运农指几区强放决西被干做必战先回则任取据处府研安全作施务督查领导治综县镇村街办"
              "們為這個會來對時後實發動與經說產種當從業還關應國學過樣點開進們將組見計別頭長東車門問間體")


def _score(text: str) -> float:
    han = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    if not han:
        return 0.5
    return sum(c in _COMMON for c in han) / len(han)


def decode(data: bytes, file: str) -> tuple[str, str]:
    """The text and the encoding it was in."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
                     (codecs.BOM_UTF32_LE, "utf-32")):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as e:
                raise ImportFailed(f"the file starts with a {enc} byte-order mark but is not valid {enc} "
                                   f"(byte {e.start})", file, hint="save it again as UTF-8") from None
    if b"\x00" in data[:4096] and data.count(b"\x00") > len(data) // 8:
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                pass
        raise ImportFailed("this looks like a binary file, not text", file, hint="import .txt, .docx or .pdf files")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best: tuple[float, str, str] | None = None
    # UTF-16 without a byte-order mark (Notepad's "Unicode"): Chinese text has few zero bytes,
    # so it is tried like the other encodings and judged by the characters it yields
    encs = ("gb18030", "big5") + (("utf-16-le", "utf-16-be") if len(data) % 2 == 0 else ())
    for enc in encs:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if enc.startswith("utf-16") and (_CTRL.search(text) or any(0xE000 <= ord(c) <= 0xF8FF or 0xD800 <= ord(c) <= 0xDFFF for c in text)):
            continue
        s = _score(text)
        if best is None or s > best[0]:
            best = (s, text, enc)
    if best is None or best[0] < 0.2:
        raise ImportFailed("cannot tell the text encoding (not UTF-8, UTF-16, GB18030 or Big5)", file,
                           hint="save the file as UTF-8 text")
    return best[1], best[2]


_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1e\x7f\ufeff\u200b]")


def read_txt(data: bytes, file: str) -> Extracted:
    text, enc = decode(data, file)
    lines = []
    for i, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        s = _CTRL.sub("", raw.replace("\t", "\x1f")).strip(" \x1f\u3000\u00a0") if "\t" in raw.strip() else \
            _CTRL.sub("", raw).strip(" \t\u3000\u00a0")
        if "\x1f" in s:  # tab-separated cells: a table row
            cells = [c.strip() for c in s.split("\x1f")]
            lines.append(Line("；".join(c for c in cells if c), i, table=True, meta={"cells": cells}))
        elif s:
            lines.append(Line(s, i))
    _markdown(lines)
    return Extracted(rejoin(lines, only_if_wrapped=True), "txt", encoding=enc)


_MD_HEAD = re.compile(r"^(#{1,6})\s+(\S.*?)\s*#*$")
_MD_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")


def _markdown(lines: list[Line]) -> None:
    """Text copied as Markdown (#### 一、总体目标, **降低犯罪率**：…): the # marks become heading
    levels (the outermost used is Heading 1) and the bold marks are dropped."""
    heads = [(ln, m) for ln in lines if not ln.table and (m := _MD_HEAD.match(ln.text))]
    if len(heads) < 2:
        return
    top = min(len(m[1]) for _, m in heads)
    for ln, m in heads:
        ln.text = m[2]
        ln.heading = len(m[1]) - top + 1
    for ln in lines:
        if "**" in ln.text or "__" in ln.text:
            ln.text = _MD_BOLD.sub(lambda m: m[1] or m[2], ln.text)
