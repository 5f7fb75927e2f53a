"""Snippets: short excerpts of the stored text around the matches, with the matches marked.

Built from the stored text the same way for every backend. A word or phrase matches the text
the way the index matches it: Han characters one by one, other words whole, case-insensitive,
with any whitespace or punctuation between the tokens (so a phrase is found across a line
break); English words also match by stem (inspection marks "inspections").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .query import Text
from .text import HAN_RE, WORD_CLASS, normalize_space, stem_words

WIDTH = 60          # characters per snippet, about
MAX_SNIPPETS = 2
PLAIN_MARKS = ("【", "】")
JSON_MARKS = ("[[", "]]")

_WORD_RE = re.compile(f"{WORD_CLASS}+")


@dataclass
class Snippet:
    text: str                       # the excerpt, whitespace collapsed
    spans: list[tuple[int, int]]    # matched ranges in ``text``

    def marked(self, marks: tuple[str, str] = PLAIN_MARKS) -> str:
        out, last = [], 0
        for s, e in self.spans:
            out += [self.text[last:s], marks[0], self.text[s:e], marks[1]]
            last = e
        out.append(self.text[last:])
        return "".join(out)

    def to_json(self) -> dict:
        return {"text": self.text, "marked": self.marked(JSON_MARKS), "spans": [list(s) for s in self.spans]}


@lru_cache(maxsize=1024)
def _token_regex(tokens: tuple[str, ...]) -> tuple[re.Pattern, bool, bool]:
    """A regex for consecutive tokens (any non-word characters between them), and whether its
    first / last token is a word that must stand whole (checked by the caller: lookarounds over
    the Han ranges make the regex slow to compile)."""
    parts = []
    prev_word = False
    for i, tok in enumerate(tokens):
        is_word = not HAN_RE.fullmatch(tok)
        if i:
            parts.append(r"\W+" if (is_word and prev_word) else r"\W*")
        parts.append(re.escape(tok))
        prev_word = is_word
    return (re.compile("".join(parts), re.IGNORECASE),
            not HAN_RE.fullmatch(tokens[0]), not HAN_RE.fullmatch(tokens[-1]))


def _token_spans(text: str, tokens: tuple[str, ...]) -> list[tuple[int, int]]:
    rx, word_start, word_end = _token_regex(tokens)
    out = []
    for m in rx.finditer(text):
        s, e = m.span()
        if word_start and s > 0 and _is_word(text[s - 1]):
            continue
        if word_end and e < len(text) and _is_word(text[e]):
            continue
        out.append((s, e))
    return out


def _stem_spans(words: list[tuple[int, int, str]], stems: list[str]) -> list[tuple[int, int]]:
    """Runs of consecutive English words whose stems equal ``stems``."""
    out: list[tuple[int, int]] = []
    n = len(stems)
    prefix = stems[0][:1]
    cand = [i for i, (_, _, w) in enumerate(words) if w[:1].lower() == prefix]
    if not cand:
        return out
    need = [words[i][2] for i in cand]
    if n > 1:
        need += [words[j][2] for i in cand for j in range(i + 1, min(i + n, len(words)))]
    st = stem_words(need)
    for i in cand:
        if st[words[i][2]] != stems[0]:
            continue
        if i + n <= len(words) and all(st[words[i + k][2]] == stems[k] for k in range(1, n)):
            out.append((words[i][0], words[i + n - 1][1]))
    return out


def find_spans(text: str, texts: list[Text]) -> list[list[tuple[int, int]]]:
    """Per query text, the ranges where it occurs in ``text``."""
    result = []
    words = None
    for t in texts:
        spans = _token_spans(text, tuple(t.tokens)) if t.tokens else []
        stems = t.stems
        if stems:
            if words is None:
                words = [(m.start(), m.end(), m.group(0)) for m in _WORD_RE.finditer(text)]
            spans += _stem_spans(words, stems)
        result.append(sorted(set(spans)))
    return result


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _window(text: str, s: int, e: int, width: int) -> tuple[int, int]:
    """About ``width`` characters around [s, e), starting near a line start if one is close."""
    room = max(width - (e - s), 0)
    start = max(0, s - room // 3)
    nl = text.rfind("\n", start, s)
    if nl != -1:
        start = nl + 1
    end = min(len(text), max(e, start + width))
    nl = text.find("\n", e, end)
    if nl != -1 and nl - start >= width // 2:
        end = nl
    # do not cut English words in half
    while 0 < start < s and _is_word(text[start - 1]) and _is_word(text[start]):
        start += 1
    while e < end < len(text) and _is_word(text[end - 1]) and _is_word(text[end]):
        end -= 1
    return start, end


def _is_word(c: str) -> bool:
    return c.isalnum() and not HAN_RE.match(c)


_SPACE_RE = re.compile(r"\s+")


def _cut(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> Snippet:
    window = text[start:end]
    # whitespace runs collapse to one space (leading ones vanish); offsets shift accordingly
    runs = [m.span() for m in _SPACE_RE.finditer(window)]

    def at(i: int) -> int:  # offset in the window -> offset in the collapsed text
        removed = 0
        for a, b in runs:
            if a >= i:
                break
            removed += min(b, i) - a - (1 if a > 0 else 0)
        return i - removed

    body = _SPACE_RE.sub(" ", window)
    if runs and runs[0][0] == 0:
        body = body[1:]
    mapped = []
    for s, e in spans:
        if s < end and e > start:
            a, b = at(max(s, start) - start), at(min(e, end) - start)
            if b > a:
                mapped.append((a, b))
    stripped = body.rstrip()
    lead = "" if start == 0 or text[start - 1] == "\n" else "…"
    tail = "" if end >= len(text) or text[end] == "\n" else "…"
    shift = len(lead)
    return Snippet(lead + stripped + tail, [(a + shift, min(b, len(stripped)) + shift) for a, b in mapped])


def make_snippets(text: str, texts: list[Text], *, width: int = WIDTH, limit: int = MAX_SNIPPETS) -> list[Snippet]:
    """Up to ``limit`` snippets of ``text`` showing the matches of ``texts`` (marked)."""
    if not text or not texts:
        return []
    per_text = find_spans(text, texts)
    all_spans = _merge([s for spans in per_text for s in spans])
    if not all_spans:
        return []
    out: list[Snippet] = []
    used: list[tuple[int, int]] = []
    # first the earliest match of each query text (so different words get their own snippet), then the rest
    firsts = sorted({spans[0] for spans in per_text if spans})
    for s, e in firsts + [sp for sp in all_spans if sp not in firsts]:
        if len(out) >= limit:
            break
        if any(s < ue and e > us for us, ue in used):
            continue
        # English needs more characters than Chinese for the same amount of context
        a, b = _window(text, s, e, width if HAN_RE.search(text, s, e) else int(width * 1.6))
        used.append((a, b))
        out.append(_cut(text, a, b, all_spans))
    return out


def snippet_plain(sn: Snippet) -> str:
    return normalize_space(sn.marked(PLAIN_MARKS))
