"""Tokenization shared by every search backend, the query compiler and the snippets.

Two analyzers, both built with tantivy (a core dependency) so that every backend indexes and
queries exactly the same tokens:

* ``chars``: one token per Han character, a word for every other run of word characters,
  lowercased. A phrase of per-character tokens is an exact substring match, so 消防 is found
  inside 消防安全 and a single character finds every text that contains it. Whitespace and
  punctuation produce no tokens, so a phrase also matches across a line break in the source.
* ``stem``: English words, lowercased and stemmed (Snowball English), so ``inspection`` finds
  ``inspections``.
* ``units`` and ``pairs`` (tantivy only): the same tokens computed in Python (:func:`pair_units`);
  ``units`` holds each distinct token of a document once (single-token queries), ``pairs``: every two consecutive ``chars`` tokens as one token ("shingles",
  see :func:`pair_tokens`), so a word of two characters is one term and a phrase of n tokens a
  phrase of n-1 far rarer terms. It matches exactly what a phrase of ``chars`` tokens matches,
  at a fraction of the cost: the posting lists of single Han characters cover nearly every
  document, those of pairs do not.

The whoosh backend feeds these same analyzers' tokens (with their positions) into whoosh.
"""
from __future__ import annotations

import operator
import re
from functools import lru_cache

#: Han characters (CJK unified ideographs, extension A, compatibility ideographs, the
#: supplementary planes, and 〇), as ranges usable in both Rust and Python regexes.
_HAN_RANGES = [(0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FFFF), (0x3007, 0x3007)]

_HAN_RUST = "".join(f"\\x{{{a:X}}}-\\x{{{b:X}}}" if a != b else f"\\x{{{a:X}}}" for a, b in _HAN_RANGES)
#: The tantivy (Rust regex) pattern of the ``chars`` tokenizer.
CHARS_PATTERN = f"[{_HAN_RUST}]|[\\w--[{_HAN_RUST}]]+"

_HAN_PY = "".join(f"{chr(a)}-{chr(b)}" if a != b else chr(a) for a, b in _HAN_RANGES)
HAN_RE = re.compile(f"[{_HAN_PY}]")
#: A non-Han word character (Python side, for snippets).
WORD_CLASS = f"[^\\W{_HAN_PY}]"

CHARS_TOKENIZER = "wp_chars"
STEM_TOKENIZER = "wp_stem"
PAIRS_TOKENIZER = "wp_pairs"


@lru_cache(maxsize=None)
def analyzer(name: str):
    """The tantivy TextAnalyzer called ``name`` (``wp_chars`` or ``wp_stem``)."""
    import tantivy
    if name == CHARS_TOKENIZER:
        return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(CHARS_PATTERN))
                .filter(tantivy.Filter.lowercase()).build())
    if name == PAIRS_TOKENIZER:  # the pairs are made in Python (pairs_text); tantivy only splits them
        return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
    if name == STEM_TOKENIZER:
        return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
                .filter(tantivy.Filter.remove_long(40))
                .filter(tantivy.Filter.lowercase())
                .filter(tantivy.Filter.stemmer("english")).build())
    raise KeyError(name)


# --- pairs of consecutive tokens ------------------------------------------------------------------
#: A run of word characters (Han or not); split further only when it mixes both.
_RUN_RE = re.compile(f"[\\w{_HAN_PY}]+")
_HAN_RUN_RE = re.compile(f"[{_HAN_PY}]+")
_MIXED_RE = re.compile(f"[{_HAN_PY}]|[^\\W{_HAN_PY}]+")
#: Ends every non-Han word inside a pair, so "ab"+"c" and "a"+"bc" stay different pairs.
WORD_END = "/"


def pair_units(text: str) -> list[str]:
    """The ``chars`` tokens of a text, computed in Python (fast on long texts): Han characters one
    by one, other words whole and ending in ``/``, lowercase. Used only to make pairs, on both the
    indexing and the query side, so they always agree with each other."""
    out: list[str] = []
    add, extend = out.append, out.extend
    for run in _RUN_RE.findall(text.lower()):
        if run.isascii():
            add(run + WORD_END)
        elif _HAN_RUN_RE.fullmatch(run):
            extend(run)
        else:
            for tok in _MIXED_RE.findall(run):
                add(tok if len(tok) == 1 and HAN_RE.match(tok) else tok + WORD_END)
    return out


def pair_tokens(text: str) -> list[str]:
    """Every two consecutive tokens of ``text`` joined: 消防安全 → 消防 防安 安全. Empty for a
    text of one token."""
    units = pair_units(text)
    return list(map(operator.add, units, units[1:]))


def pairs_text(text: str) -> str:
    """What the ``pairs`` field indexes: the pair tokens, separated by spaces."""
    return units_and_pairs(text)[1]


def units_and_pairs(text: str) -> tuple[str, str]:
    """What the ``units`` field (each distinct token once) and the ``pairs`` field (the pair
    tokens, in order) index, separated by spaces."""
    units = pair_units(text)
    return " ".join(set(units)), " ".join(map(operator.add, units, units[1:]))


def has_han(text: str) -> bool:
    return HAN_RE.search(text) is not None


def chars_tokens(text: str) -> list[str]:
    """The ``chars`` tokens of a text: Han characters one by one, other words whole, lowercase."""
    return analyzer(CHARS_TOKENIZER).analyze(text)


def stem_tokens(text: str) -> list[str]:
    """The stemmed English tokens of a text."""
    return analyzer(STEM_TOKENIZER).analyze(text)


_STEMS: dict[str, str | None] = {}


def stem_words(words) -> dict[str, str | None]:
    """Stems of many words with one call into the analyzer (cached)."""
    todo = [w for w in dict.fromkeys(words) if w not in _STEMS]
    if todo:
        if len(_STEMS) > 200_000:
            _STEMS.clear()
        simple = [w for w in todo if w.isalnum() and len(w.encode("utf-8")) < 40]
        got = analyzer(STEM_TOKENIZER).analyze("\n".join(simple)) if simple else []
        if len(got) == len(simple):
            _STEMS.update(zip(simple, got))
        for w in todo:
            if w not in _STEMS:
                toks = analyzer(STEM_TOKENIZER).analyze(w)
                _STEMS[w] = toks[0] if len(toks) == 1 else None
    return {w: _STEMS[w] for w in words}


def is_stemmable(text: str) -> bool:
    """Texts without Han characters are also matched on the stemmed English field."""
    return not has_han(text) and bool(re.search(r"[A-Za-z]", text))


def normalize_space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
