"""Symbol-font glyphs (Wingdings, Symbol) that Word stores as private-use characters (U+F0FE for a
ticked box): mapped to the real characters, or reported and replaced, since no font of the
build has them."""
from __future__ import annotations

from .lines import Line

# U+F000 + the symbol font's code: the usual check boxes, bullets and marks
SYMBOLS = {
    0xF0FE: "☑", 0xF0FD: "☒", 0xF078: "☒", 0xF0A8: "□", 0xF06F: "□", 0xF071: "□", 0xF070: "□",
    0xF06C: "●", 0xF09F: "●", 0xF0B7: "●", 0xF0D8: "●", 0xF0A7: "■", 0xF06E: "■", 0xF0A1: "○",
    0xF0FC: "✓", 0xF0FB: "✗", 0xF0E0: "→", 0xF0E8: "→",
}


def _pua(c: str) -> bool:
    return 0xE000 <= ord(c) <= 0xF8FF


def map_symbols(lines: list[Line]) -> list[str]:
    """Replace private-use characters in place; returns warnings naming the lines (known
    symbols are mapped, unknown ones become □ and are reported)."""
    known: list[int] = []
    unknown: dict[str, list[int]] = {}
    for ln in lines:
        if not any(_pua(c) for c in ln.text):
            continue
        out = []
        for c in ln.text:
            if _pua(c):
                if ord(c) in SYMBOLS:
                    out.append(SYMBOLS[ord(c)])
                    known.append(ln.line)
                else:
                    out.append("□")
                    unknown.setdefault(f"U+{ord(c):04X}", []).append(ln.line)
            else:
                out.append(c)
        ln.text = "".join(out)
        if ln.meta.get("cells"):
            ln.meta["cells"] = ["".join(SYMBOLS.get(ord(c), "□") if _pua(c) else c for c in cell)
                                for cell in ln.meta["cells"]]
    warns = []
    if known:
        warns.append(f"line {known[0]}: {len(known)} symbol-font character(s) (Wingdings/Symbol) were mapped "
                     "to ☑ □ ● and the like; check them")
    for code, where in unknown.items():
        warns.append(f"line {where[0]}: an unknown symbol-font character {code} (on {len(where)} line(s)) was "
                     "replaced by □; write the symbol it stands for")
    return warns
