"""Content and English-typesetting checks measured on finished PDFs (ours, or LibreOffice's
rendering of our DOCX), used by the tests and by hand:

* loose justified English lines: a line set justified (its right edge on the type area's right
  edge, not a paragraph's last line) whose word spaces are over twice the font's normal space;
* straight quotes and apostrophes (' ") left in English text;
* a title line holding one character alone (the DOCX as Word/LibreOffice lays it out).

``python tests/content_checks.py FILE.pdf...`` prints per file: loose/justified lines, straight
quotes, title orphan.
"""
from __future__ import annotations

import statistics
import sys
from pathlib import Path

PT_PER_MM = 72 / 25.4
TEXT_RIGHT_PT = (210 - 26) * PT_PER_MM
TEXT_LEFT_PT = 28 * PT_PER_MM
SPACE_EM = 0.25          # the normal word space of Times / Liberation Serif, in em
LOOSE_FACTOR = 2.0


def _words_lines(page) -> list[list[dict]]:
    """Words of a page grouped into lines (by baseline)."""
    words = page.extract_words(use_text_flow=False, keep_blank_chars=False, x_tolerance=1.2,
                               extra_attrs=["size"])
    lines: list[list[dict]] = []
    for w in sorted(words, key=lambda w: (round(w["bottom"]), w["x0"])):
        for ln in lines:
            if abs(ln[0]["bottom"] - w["bottom"]) < 2:
                ln.append(w)
                break
        else:
            lines.append([w])
    for ln in lines:
        ln.sort(key=lambda w: w["x0"])
    return lines


def _is_english(ln: list[dict]) -> bool:
    text = "".join(w["text"] for w in ln)
    return bool(text) and sum(c.isascii() for c in text) / len(text) > 0.9 and sum(c.isalpha() for c in text) > 10


def loose_lines(pdf_path: str | Path) -> tuple[int, int, list[str]]:
    """(loose, justified, examples) over the English body lines of a PDF. A justified line is
    one of three or more words whose right edge is within 3 pt of the type area's right edge
    and that starts within 40 pt of its left edge (body text, not a table cell)."""
    import pdfplumber
    loose = just = 0
    examples: list[str] = []
    with pdfplumber.open(str(pdf_path)) as pdf:
        for pno, page in enumerate(pdf.pages, 1):
            for ln in _words_lines(page):
                if len(ln) < 3 or not _is_english(ln):
                    continue
                if abs(ln[-1]["x1"] - TEXT_RIGHT_PT) > 3 or ln[0]["x0"] - TEXT_LEFT_PT > 40 or ln[0]["x0"] < TEXT_LEFT_PT - 3:
                    continue
                size = statistics.median(w["size"] for w in ln)
                gaps = [b["x0"] - a["x1"] for a, b in zip(ln, ln[1:])]
                just += 1
                if statistics.median(gaps) > LOOSE_FACTOR * SPACE_EM * size:
                    loose += 1
                    if len(examples) < 5:
                        examples.append(f"p{pno}: " + " ".join(w["text"] for w in ln))
    return loose, just, examples


STRAIGHT = ("'", '"')


def straight_quotes(pdf_path: str | Path) -> int:
    """Straight quotes/apostrophes in the text of a PDF."""
    import pdfplumber
    with pdfplumber.open(str(pdf_path)) as pdf:
        return sum((p.extract_text() or "").count(q) for p in pdf.pages for q in STRAIGHT)


def title_lines(pdf_path: str | Path, size_pt: float = 22.0) -> list[str]:
    """The lines of the first page set at the title's size (2号 = 22 pt) below the red rule,
    i.e. the title (the issuer mark is larger, the body smaller)."""
    import pdfplumber
    with pdfplumber.open(str(pdf_path)) as pdf:
        page = pdf.pages[0]
        chars = [c for c in page.chars if abs(c["size"] - size_pt) < 0.6 and not c["text"].isspace()]
    lines: dict[int, list] = {}
    for c in chars:
        key = next((k for k in lines if abs(k - c["bottom"]) < 3), round(c["bottom"]))
        lines.setdefault(key, []).append(c)
    out = []
    for k in sorted(lines):
        out.append("".join(c["text"] for c in sorted(lines[k], key=lambda c: c["x0"])))
    # the title is the first run of consecutive lines at that size
    return out


def title_orphan(pdf_path: str | Path) -> bool:
    """Whether a line of the title holds a single character (its last Chinese line)."""
    lines = title_lines(pdf_path)
    return len(lines) > 1 and any(len(ln.strip()) == 1 for ln in lines)


def main(argv: list[str]) -> int:
    for f in argv:
        lo, ju, ex = loose_lines(f)
        print(f"{f}: loose {lo}/{ju} justified English lines; straight quotes {straight_quotes(f)}; "
              f"title {title_lines(f)}{' ORPHAN' if title_orphan(f) else ''}")
        for e in ex:
            print("   ", e)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
