"""The layout checks themselves, on synthetic pages (no build): what they must see and what they
must let pass. Each page is the dict :func:`layout_checks.pdf_pages` returns."""
from __future__ import annotations

import layout_checks as C


def _line(text: str, top: float, x0: float = C.TEXT_LEFT_PT, size: float = 16.0, gap: float = 0.0) -> C._Line:
    """A line of glyphs as pdfplumber reads them: no space glyphs, a gap where a space was."""
    chars, x = [], x0
    for ch in text:
        if ch == " ":
            x += 4.0
            continue
        chars.append({"text": ch, "x0": x, "x1": x + 8.0, "top": top, "bottom": top + size, "size": size,
                      "fontname": "AAAAAA+LiberationSerif"})
        x += 8.0 + gap
    return C._Line(top, top + size, x0, x, chars)


def _page(lines: list[C._Line]) -> dict:
    return {"body": lines, "foot": [], "graphics": [], "cells": [], "rules": [], "chars": [], "height": C.PAGE_H_PT}


def _body(n: int, first_top: float = C.TEXT_TOP_PT) -> list[C._Line]:
    return [_line("each unit details its measures and names the person", first_top + k * C.LINE_PT) for k in range(n)]


def _early(pages: list[dict]) -> list[str]:
    return [str(f) for f in C.check_pdf("synthetic.pdf", lang="en", pages=pages) if f.check == "early_end"]


def test_a_tall_joint_signature_that_took_the_body_lines_is_not_a_page_ending_early():
    """Two English 署名 stacked (one wrapped onto two lines), the seal's room above each, the date
    in words ("April 12, 2024", read without space glyphs): the page before ends 7 lines early
    because the signature took the body's last two lines with it (7.3.5), which is right."""
    top, ln = C.TEXT_TOP_PT, C.LINE_PT
    nxt = _body(2) + [
        _line("Political and Legal Affairs Commission of the CPC Qinglan County", top + 5 * ln),
        _line("Committee", top + 6 * ln, x0=265),
        _line("Office of the Qinglan County Leading Group for Peace Building", top + 9 * ln),
        _line("April 12, 2024", top + 10 * ln, x0=254),
    ]
    zh_en = _body(2) + [
        _line("中共青岚县委政法委员会", top + 5 * ln, x0=214),
        _line("Political and Legal Affairs Commission of the CPC Qinglan County", top + 6 * ln),
        _line("Committee", top + 7 * ln, x0=265),
        _line("青岚县平安建设领导小组办公室", top + 10 * ln, x0=190),
        _line("Office of the Qinglan County Leading Group for Peace Building", top + 11 * ln),
        _line("2024年4月12日", top + 12 * ln, x0=249),
        _line("April 12, 2024", top + 13 * ln, x0=254),
    ]
    for opening in (nxt, zh_en):
        assert _early([_page(_body(15)), _page(opening)]) == []


def test_a_page_ending_early_before_plain_text_is_found():
    """The same short page before a page that opens with body text, or with four body lines
    before the signature (more than the two carried), is a page ending early."""
    top, ln = C.TEXT_TOP_PT, C.LINE_PT
    assert len(_early([_page(_body(15)), _page(_body(10))])) == 1
    four = _body(4) + [_line("Office of the Qinglan County Leading Group for Peace Building", top + 7 * ln),
                       _line("Committee", top + 8 * ln, x0=265), _line("Another Bureau", top + 11 * ln, x0=265),
                       _line("Third Bureau", top + 14 * ln, x0=265), _line("April 12, 2024", top + 15 * ln, x0=254)]
    assert len(_early([_page(_body(15)), _page(four)])) == 1


def _red_chars(text: str, top: float, x0: float, size: float = 26.0) -> list[dict]:
    return [{"text": ch, "x0": x0 + k * size, "x1": x0 + (k + 1) * size, "top": top, "bottom": top + size,
             "size": size, "non_stroking_color": (0.75, 0.0, 0.0), "fontname": "WP-XiaoBiaoSong"}
            for k, ch in enumerate(text)]


def _letterhead(chars: list[dict]) -> list[str]:
    exp = C.Expect("zh", [], None, None, None, None, [], ["中共青岚县委政法委员会", "青岚县平安建设领导小组办公室"], "文件")
    return [str(f) for f in C.check_letterhead({**_page([]), "chars": chars}, exp)]


def test_joint_issuers_each_on_a_line_with_the_mark_word_centred_beside_them_pass():
    top, x0, size = 120.0, C.TEXT_LEFT_PT, 26.0
    chars = (_red_chars("中共青岚县委政法委员会", top, x0) + _red_chars("青岚县平安建设领导小组办公室", top + 1.15 * size, x0)
             + _red_chars("文件", top + 0.575 * size, x0 + 14.5 * size))
    assert _letterhead(chars) == []


def test_a_joint_mark_wrapped_mid_name_run_together_or_with_the_word_off_centre_is_found():
    top, x0, size = 120.0, C.TEXT_LEFT_PT, 26.0
    wrapped = (_red_chars("中共青岚县委政法委员会、青岚县平安建设领", top, x0, 20)
               + _red_chars("导小组办公室文件", top + 24, x0, 20))
    assert any("not whole on one line" in f for f in _letterhead(wrapped))
    condensed = _red_chars("中共青岚县委政法委员会、青岚县平安建设领导小组办公室文件", top, x0, 16)
    assert any("shares a line" in f for f in _letterhead(condensed))
    low_word = (_red_chars("中共青岚县委政法委员会", top, x0) + _red_chars("青岚县平安建设领导小组办公室", top + 30, x0)
                + _red_chars("文件", top + 30, x0 + 14.5 * size))
    assert any("off the centre" in f for f in _letterhead(low_word))
    # 文件 on the first name's line but at its left: not beside the names
    assert _letterhead(_red_chars("文件", top + 15, x0 - 60) + _red_chars("中共青岚县委政法委员会", top, x0)
                       + _red_chars("青岚县平安建设领导小组办公室", top + 30, x0)) != []
