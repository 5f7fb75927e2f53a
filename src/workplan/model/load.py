"""Reading data files: YAML (or JSON) → validated :class:`Document`.

All problems of a file are collected and raised together as one :class:`ValidationFailed`,
each naming the file, line and column, the field path, what is wrong and how to fix it.
"""
from __future__ import annotations

import difflib
import functools
import math
import re
from pathlib import Path
from typing import Any, Iterable, Protocol

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from .. import limits
from ..errors import Problem, ValidationFailed, WorkplanError
from .document import SECTION_TYPES, Document, Target

Pos = tuple[int, int]  # 1-based line, column
PathT = tuple[Any, ...]


class Positions:
    """Maps a data path to where its value (and its key) stand in the YAML text. Made from the
    YAML node tree when first asked (only messages need it: a valid file never pays for it)."""

    def __init__(self, node: "yaml.Node | None" = None) -> None:
        self._node = node
        self._value: dict[PathT, Pos] = {}
        self._key: dict[PathT, Pos] = {}
        self._flow: set[PathT] = set()      # mappings written inline: {a: 1, b: 2}
        self._odd: list[tuple[PathT, str, str, Pos]] = []  # keys that YAML reads as no text

    def _filled(self) -> "Positions":
        if self._node is not None:
            node, self._node = self._node, None
            _walk_nodes(node, (), self)
        return self

    @property
    def value(self) -> dict[PathT, Pos]:
        return self._filled()._value

    @property
    def key(self) -> dict[PathT, Pos]:
        return self._filled()._key

    @property
    def flow(self) -> set[PathT]:
        return self._filled()._flow

    @property
    def odd_keys(self) -> list[tuple[PathT, str, str, Pos]]:
        return self._filled()._odd

    def find(self, path: PathT, *, key: bool = False) -> Pos | None:
        p = tuple(path)
        while p:
            if key and p in self.key:
                return self.key[p]
            if p in self.value:
                return self.value[p]
            p = p[:-1]
            key = False
        return self.value.get(())


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: ~5x faster


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader that leaves dates as text: the model parses them, so a bad date gets a
    located message instead of an exception from the YAML library."""


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in rs if tag != "tag:yaml.org,2002:timestamp"]
    for ch, rs in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _mark(node: yaml.Node) -> Pos:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _walk_nodes(node: yaml.Node, path: PathT, pos: Positions) -> None:
    pos._value[path] = _mark(node)
    if isinstance(node, yaml.MappingNode):
        if node.flow_style:
            pos._flow.add(path)
        for k, v in node.value:
            key = k.value if isinstance(k, yaml.ScalarNode) else str(k)
            pos._key[path + (key,)] = _mark(k)
            if isinstance(k, yaml.ScalarNode) and k.tag != "tag:yaml.org,2002:str":
                pos._odd.append((path, k.value, k.tag, _mark(k)))  # yes:, 1:, null: are not names
            _walk_nodes(v, path + (key,), pos)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _walk_nodes(v, path + (i,), pos)


def format_path(path: Iterable[Any]) -> str:
    out = ""
    for p in path:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + str(p)
    return out or "(document)"


# --- bounds on what a data file may hold (each in workplan/limits.py) -----------------------------
MAX_FILE_BYTES = limits.DATA_FILE_BYTES
MAX_NODES = limits.DATA_VALUES  # values after expanding aliases
MAX_DEPTH = limits.DATA_DEPTH  # nesting of lists and mappings
MAX_CHARS = limits.DATA_CHARS  # characters of text after expanding aliases
# YAML allows tab, line feed, carriage return, printable ASCII, NEL and everything from U+00A0 up
# except surrogates and U+FFFE/U+FFFF
_BAD_CHAR = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _line_col(text: str, index: int) -> Pos:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _control_char(text: str, name: str) -> None:
    m = _BAD_CHAR.search(text)
    if m:
        line, col = _line_col(text, m.start())
        ch = m.group()
        what = "a NUL byte" if ch == "\x00" else f"the control character U+{ord(ch):04X}"
        raise ValidationFailed(Problem(f"{what} is not allowed in a data file", file=name, line=line, column=col,
                                       hint="remove it (a data file is plain UTF-8 text); it may come from a "
                                            "binary file or a damaged copy"))


_ALIAS, _SCALAR, _OPEN, _CLOSE = 1, 2, 3, 4
_EVENT_KIND = {yaml.AliasEvent: _ALIAS, yaml.ScalarEvent: _SCALAR, yaml.SequenceStartEvent: _OPEN,
               yaml.MappingStartEvent: _OPEN, yaml.SequenceEndEvent: _CLOSE, yaml.MappingEndEvent: _CLOSE}
# what an escape in a double-quoted text ("\0", "\e", "\a", "\x9b", "\N") can make that the file itself may not
# hold (tab, line feed and carriage return are texts' own); and bidi embeddings, overrides and isolates,
# which reorder what a reader sees (written out or escaped)
_ESCAPED_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_NUMBERISH = re.compile(r"[-+]?\.?[0-9]")  # a plain scalar that may read as a number
_NOT_FINITE = re.compile(r"[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)")
_BINARY = {"tag:yaml.org,2002:binary", "!!binary"}
# a run of characters no line can break: no space, no Chinese (which breaks between any two characters)
_LONG_WORD = re.compile(f"[^\\s\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]{{{limits.WORD_CHARS + 1},}}")


def _scalar_problem(ev, resolve) -> tuple[str, str] | None:
    """What is wrong with one scalar's value as read (escapes applied): (message, hint), or None."""
    v = ev.value
    if ev.tag in _BINARY:
        return ("!!binary data is not allowed in a data file",
                "write texts as text; attach files as attachments (path and title)")
    plain = not ev.style and ev.implicit[0]  # libyaml gives '' for a plain scalar, PyYAML None
    if plain and (_NUMBERISH.match(v) or _NOT_FINITE.fullmatch(v)):
        tag = resolve(yaml.ScalarNode, v, (True, False))
        if tag == "tag:yaml.org,2002:int":
            digits = sum(c.isalnum() for c in v) - (1 if v.lstrip("+-")[:2].lower() in ("0x", "0o", "0b") else 0) * 2
            if digits > limits.NUMBER_DIGITS:
                return (f"a number of {digits:,} digits: numbers in a data file have at most {limits.NUMBER_DIGITS}",
                        "check the value; quote it if it is a text (an id, a code)")
        elif tag == "tag:yaml.org,2002:float":
            if _NOT_FINITE.fullmatch(v):
                return (f"{v} is not a number a document can state (not finite)",
                        "write the number itself; quote it if it is a text")
            digits = sum(c.isdigit() for c in v)
            try:  # sexagesimal (190:20:30.15) is small when its digits are few
                x = (math.inf if digits > 4 * limits.NUMBER_DIGITS else 0.0 if ":" in v
                     else float(v.replace("_", "")))
            except ValueError:
                x = 0.0
            if not math.isfinite(x) or abs(x) > limits.NUMBER_MAGNITUDE:
                return (f"{v[:40]}{'…' if len(v) > 40 else ''} is too large a number "
                        f"(at most {limits.NUMBER_MAGNITUDE:.0e} either way)", "check the value")
    if ev.style == '"':
        m = _ESCAPED_BAD.search(v)
        if m:
            return (f"the escape for the control character U+{ord(m.group()):04X} is not allowed in a text",
                    "remove it: a text holds printable characters, line breaks and tabs only")
    m = _BIDI.search(v)
    if m:
        return (f"the bidirectional control U+{ord(m.group()):04X} is not allowed in a text (it reorders what a "
                "reader sees)", "remove it; texts in Chinese and English need none")
    i = limits.joining_run(v)
    if i is not None:
        return (f"more than {limits.MARKS_PER_CHAR} combining marks, joiners or selectors on one character "
                f"(at character {i + 1:,} of this text)",
                "remove the stacked marks: no writing system needs so many, and no typesetter can lay them out")
    if len(v) > limits.WORD_CHARS:
        m = _LONG_WORD.search(v)
        if m:
            return (f"a word of {m.end() - m.start():,} characters without a space (at character {m.start() + 1:,}): "
                    f"no line can hold it (at most {limits.WORD_CHARS:,})",
                    "put spaces in it, or check that this is the text you meant (a pasted file?)")
    ch = _unprintable_char(v)
    if ch is not None:
        return (f"the character {ch} (U+{ord(ch):04X}) cannot be printed: none of the document's fonts has it",
                "write it in words, or use a character the official fonts have (Chinese, Latin, Greek, Cyrillic, "
                "common symbols); emoji and scripts such as Thai are not among them")
    return None


_IGNORABLE = frozenset(range(0xFE00, 0xFE10)) | {0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF}
# what every document font set draws, known without opening a font: ASCII, Latin-1, Chinese and its
# punctuation, full-width forms, and the dashes, quotes, ellipsis and bullets of General Punctuation
_FONT_SAFE = re.compile("[\t\n\r -~\u00a0-\u00ff\u2010-\u201e\u2020-\u2022\u2025-\u2027\u2030\u2032\u2033\u2035"
                        "\u2039-\u203b\u3000-\u303f\u4e00-\u9fea"
                        "\uff01-\uff5e\u2460-\u2473\u2160-\u216b\u00b7\u2116\u2103\u2192\u25cb\u25cf\u25a1\u25a0"
                        "\u2605\u2606\u203b]*")


def _unprintable_char(text: str) -> str | None:
    """The first character of ``text`` that no font of the documents (layout.FONT_FILES) can draw
    (an emoji, Thai): the PDF (PDF/A) cannot be made with it. Plain Chinese and Latin text is
    passed over without looking at a font."""
    if _FONT_SAFE.fullmatch(text):
        return None
    unusual = limits.unusual_chars(text)
    if unusual is None:
        return None
    coverage = _font_coverage()
    if coverage is None:  # fonts missing: building says so
        return None
    for m in unusual:
        c = ord(m.group())
        if c not in coverage and c not in _IGNORABLE and not m.group().isspace():
            return m.group()
    return None


@functools.lru_cache(maxsize=1)
def _font_coverage() -> frozenset[int] | None:
    """Every character some document font has (read from their character maps once, when a
    text first holds a character outside plain Chinese and Latin), or None without the fonts."""
    try:
        from fontTools.ttLib import TTCollection, TTFont
        from .. import layout
        cover: set[int] = set()
        for path, _package in layout.FONT_FILES.values():
            fonts = TTCollection(path, lazy=True).fonts if path.endswith(".ttc") else [TTFont(path, lazy=True)]
            for font in fonts:
                cover.update(font.getBestCmap() or ())
        return frozenset(cover)
    except Exception:  # noqa: BLE001 - no fontTools, a font missing or unreadable: not this check's to say
        return None


def _check_shape(text: str, name: str) -> None:
    """Walk the YAML events (libyaml's parser is iterative, so no nesting can crash it) and refuse
    a document nested deeper than MAX_DEPTH, or holding more than MAX_NODES values or MAX_CHARS
    characters of text once its aliases are expanded, or a value no document can state (see
    :func:`_scalar_problem`), before anything is built from it. Expansion is counted, never
    performed: each anchor's size is known when its node ends, and an alias adds that size."""
    sizes: dict[str, tuple[int, int]] = {}
    anchors: list = [None]  # of the open collections (outermost first)
    counts: list[int] = [0]  # values inside each open collection
    chars: list[int] = [0]  # characters of text inside each open collection
    total = total_chars = 0
    kinds = _EVENT_KIND
    parser = _Loader(text)
    resolve = parser.resolve

    def at(ev, msg: str, hint: str) -> ValidationFailed:
        return ValidationFailed(Problem(msg, file=name, line=ev.start_mark.line + 1,
                                        column=ev.start_mark.column + 1, hint=hint))
    try:
        while parser.check_event():
            ev = parser.get_event()
            kind = kinds.get(type(ev))
            if kind is None:  # stream and document start/end
                continue
            if kind == _SCALAR:
                n, c = 1, len(ev.value)
                bad = _scalar_problem(ev, resolve)
                if bad:
                    raise at(ev, *bad)
                if ev.anchor:
                    sizes[ev.anchor] = (1, c)
            elif kind == _OPEN:
                total += 1
                anchors.append(ev.anchor)
                counts.append(1)
                chars.append(0)
                if len(anchors) - 1 > MAX_DEPTH:
                    raise at(ev, f"lists and mappings are nested more than {MAX_DEPTH} deep here",
                             "a data file is a few levels deep; check the brackets")
                continue
            elif kind == _CLOSE:
                anchor, n, c = anchors.pop(), counts.pop(), chars.pop()
                if anchor:
                    sizes[anchor] = (n, c)
                counts[-1] += n
                chars[-1] += c
                continue
            else:  # an alias
                if ev.anchor in anchors:
                    raise at(ev, f"the alias *{ev.anchor} refers to the value that contains it: a value cannot "
                                 "hold itself", "write the value out instead of the alias")
                n, c = sizes.get(ev.anchor, (1, 0))
            total += n
            total_chars += c
            counts[-1] += n
            chars[-1] += c
            if total > MAX_NODES or total_chars > MAX_CHARS:
                what = f"{MAX_NODES:,} values" if total > MAX_NODES else f"{MAX_CHARS:,} characters of text"
                if kind == _ALIAS:
                    raise at(ev, f"the alias *{ev.anchor} makes the document expand to more than {what} "
                                 "(aliases repeating large values: an 'alias bomb')",
                             "write the values out, or use fewer aliases")
                raise at(ev, f"the document holds more than {what}", "a data file describes one document; split it")
    finally:
        parser.dispose()


def _duplicate_keys(node: yaml.Node, name: str) -> list[Problem]:
    """A key given twice in one mapping (YAML keeps the last silently): each repeat, naming both lines.
    Visits each node once (aliases share nodes)."""
    problems: list[Problem] = []
    seen: set[int] = set()
    todo = [node]
    while todo:
        n = todo.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if isinstance(n, yaml.MappingNode):
            first: dict[str, yaml.Node] = {}
            for k, v in n.value:
                todo.append(v)
                if not isinstance(k, yaml.ScalarNode) or k.tag == "tag:yaml.org,2002:merge":
                    continue
                if k.value in first:
                    f = first[k.value]
                    problems.append(Problem(
                        f"the key '{k.value}' is given twice in this mapping (first at line {f.start_mark.line + 1}, "
                        f"column {f.start_mark.column + 1}); YAML would silently keep only the last one",
                        file=name, line=k.start_mark.line + 1, column=k.start_mark.column + 1,
                        hint="remove one of them, or merge their contents"))
                else:
                    first[k.value] = k
        elif isinstance(n, yaml.SequenceNode):
            todo.extend(n.value)
    problems.sort(key=lambda p: (p.line or 0, p.column or 0))
    return problems


def read_file(path: str | Path) -> tuple[bytes, str]:
    """A data file's bytes and text (UTF-8, a BOM allowed); a located error when it cannot be read,
    is too large or is not UTF-8."""
    name = str(path)
    try:  # regular files only, opened without blocking, the size checked after opening
        raw = limits.read_regular(path, MAX_FILE_BYTES, what="data file")
    except WorkplanError as e:
        raise ValidationFailed(e.problems) from None
    try:
        return raw, raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ValidationFailed(Problem("the file is not UTF-8 text", file=name, line=line,
                                       hint="save it as UTF-8 (data files must be UTF-8 YAML or JSON)")) from None


# JSON writes a character beyond U+FFFF as two escapes (a surrogate pair: "\ud83d\ude00"); YAML wants
# one ("\U0001f600"). Only in JSON files, where every such escape stands in a double-quoted string.
_SURROGATE_PAIR = re.compile(r"(?<!\\)((?:\\\\)*)\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})")


def _join_surrogates(text: str) -> str:
    def one(m: re.Match) -> str:
        cp = 0x10000 + ((int(m[2], 16) - 0xD800) << 10) + (int(m[3], 16) - 0xDC00)
        return f"{m[1]}\\U{cp:08x}"
    return _SURROGATE_PAIR.sub(one, text)


def read_data(path: str | Path, text: str | None = None) -> tuple[Any, Positions]:
    """Parse a YAML/JSON file into plain data plus a position map. Raises ValidationFailed."""
    name = str(path)
    if text is None:
        _raw, text = read_file(path)
    elif len(text) > MAX_FILE_BYTES:
        raise ValidationFailed(Problem(f"the text is larger than {MAX_FILE_BYTES >> 20} MB: too large for a "
                                       "data file", file=name))
    if "\\u" in text and (name.lower().endswith(".json") or text.lstrip("\ufeff \t\r\n")[:1] in ("{", "[")):
        text = _join_surrogates(text)
    too_long = True
    try:
        _control_char(text, name)
        _check_shape(text, name)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            data, dups, too_long = _construct_plain(node, loader) if node is not None else (None, False, False)
            if data is _UNUSUAL or dups:  # the full checks and constructor (they name what is wrong)
                problems = _duplicate_keys(node, name)
                if problems:
                    raise ValidationFailed(problems)
                data = loader.construct_document(node)
                too_long = True
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        what = (e.problem or "syntax error").strip()
        if e.context:
            what = f"{e.context.strip()}, {what}"
            cm = e.context_mark
            if cm is not None and mark is not None and cm.line != mark.line:
                what += f" (it started at line {cm.line + 1}, column {cm.column + 1})"
        raise ValidationFailed(Problem(
            f"not valid YAML: {what}", file=name,
            line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None,
            hint="check indentation (spaces, not tabs), colons after keys, and quotes around texts containing ': ' or '#'",
        )) from None
    except yaml.YAMLError as e:
        raise ValidationFailed(Problem(f"not valid YAML: {e}", file=name)) from None
    except RecursionError:  # cannot happen below MAX_DEPTH; kept so that no input ends in a traceback
        raise ValidationFailed(Problem("the document is nested too deeply", file=name)) from None
    pos = Positions(node)
    if node is not None and too_long:
        problems = _check_lengths(data, pos, name)
        if problems:
            raise ValidationFailed(problems)
    return data, pos


_UNUSUAL = object()  # _construct_plain's answer for a document it leaves to the full constructor
_T = "tag:yaml.org,2002:"


def _construct_plain(node: yaml.Node, loader) -> tuple[Any, bool, bool]:
    """The data of a composed document in one pass, for the documents data files are: mappings,
    lists and plain scalars (text, numbers, booleans, null), each node used once. Returns
    (data, a key given twice in a mapping, a text over its length limit); data is ``_UNUSUAL``
    for anything else (anchors and aliases, merge keys ``<<``, explicit tags such as
    ``!!binary``, a list or mapping as a key, two keys that read as the same value), which the
    full constructor (``construct_document``) builds. Scalars other than text are converted by
    the loader's own constructors, so a value reads the same either way. The duplicate and
    length checks only look: :func:`_duplicate_keys` and :func:`_check_lengths` (with
    positions) write the messages."""
    str_tag, seq_tag, map_tag = _T + "str", _T + "seq", _T + "map"
    convert = {_T + "int": loader.construct_yaml_int, _T + "float": loader.construct_yaml_float,
               _T + "bool": loader.construct_yaml_bool, _T + "null": loader.construct_yaml_null}
    Scalar, Sequence, Mapping = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode
    short = _SHORT_KEYS
    seen: set[int] = set()
    dups = too_long = False
    root: list = [None]
    # (node, the container it goes into, its slot there, the nearest key above it that is not zh
    # or en, the top-level key it is under): iterative, so no nesting can exhaust the stack
    todo: list = [(node, root, 0, None, None)]
    try:
        while todo:
            n, into, slot, key, top = todo.pop()
            if id(n) in seen:
                raise _Bail  # an alias: the full constructor shares the value
            seen.add(id(n))
            cls = type(n)
            if cls is Scalar:
                if n.tag == str_tag:
                    v = n.value
                    if len(v) > MAX_TITLE_CHARS and not too_long:
                        limit = MAX_NAME_CHARS if key in short else MAX_TEXT_CHARS
                        if top == "title" or top == "subtitle":
                            limit = MAX_TITLE_CHARS
                        too_long = len(v) > limit
                else:
                    v = convert[n.tag](n)  # KeyError (another tag): the full constructor
            elif cls is Mapping:
                if n.tag != map_tag:
                    raise _Bail
                v = {}
                written: set[str] = set()
                for k, val in n.value:
                    if type(k) is not Scalar or id(k) in seen:
                        raise _Bail
                    seen.add(id(k))
                    if k.value in written:
                        dups = True
                    written.add(k.value)
                    kv = k.value if k.tag == str_tag else convert[k.tag](k)  # << is tagged merge: KeyError
                    if kv in v:
                        raise _Bail  # two keys that read alike (yes/true): the full constructor keeps the last
                    v[kv] = None  # keys in the order written; the values are filled in below
                    sub = key if not isinstance(kv, str) or kv in ("zh", "en") else kv
                    todo.append((val, v, kv, sub, kv if into is root else top))
            elif cls is Sequence:
                if n.tag != seq_tag:
                    raise _Bail
                items = n.value
                v = [None] * len(items)
                for i in range(len(items) - 1, -1, -1):
                    todo.append((items[i], v, i, key, i if into is root else top))
            else:
                raise _Bail
            into[slot] = v
    except (_Bail, yaml.YAMLError, ValueError, KeyError, TypeError, IndexError):
        return _UNUSUAL, dups, too_long
    return root[0], dups, too_long


class _Bail(Exception):
    pass


MAX_TITLE_CHARS = 200  # a document's title: real ones are under 80 characters (DOCX allows 255)
MAX_NAME_CHARS = 500  # names, headings, recipients: real ones are under 150 characters
MAX_TEXT_CHARS = 20_000  # a paragraph: real ones are under 2,000 characters
_SHORT_KEYS = {"title", "subtitle", "name", "indicator", "group_name", "issuer_mark", "prefix", "prefix_en",
               "units", "recipients", "cc", "signature", "keywords", "office", "id", "abbr", "unit", "phone",
               "lead", "responsible", "cooperating", "issuers", "deadline", "date", "start", "end", "due"}


def _check_lengths(data: Any, pos: Positions, name: str) -> list[Problem]:
    """Texts of absurd length are mistakes (a pasted file, a runaway generator) and would make
    rendering crawl: a located error for each (visits each value once; aliases share values)."""
    problems: list[Problem] = []
    seen: set[int] = set()
    todo: list[tuple[Any, PathT]] = [(data, ())]
    while todo and len(problems) < 20:
        obj, path = todo.pop()
        if isinstance(obj, dict):
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            todo.extend((v, path + (k,)) for k, v in obj.items())
        elif isinstance(obj, list):
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            todo.extend((v, path + (i,)) for i, v in enumerate(obj))
        elif isinstance(obj, str) and len(obj) > MAX_TITLE_CHARS:
            key = next((k for k in reversed(path) if isinstance(k, str) and k not in ("zh", "en")), None)
            limit = MAX_NAME_CHARS if key in _SHORT_KEYS else MAX_TEXT_CHARS
            if path[:1] in (("title",), ("subtitle",)):
                limit = MAX_TITLE_CHARS
            if len(obj) > limit:
                lc = pos.find(path)
                kind = "a text" if limit == MAX_TEXT_CHARS else "a title" if limit == MAX_TITLE_CHARS else "a name"
                problems.append(Problem(
                    f"{len(obj):,} characters is far too long for {kind} (at most {limit:,})",
                    path=format_path(path), file=name, line=lc and lc[0], column=lc and lc[1],
                    hint="check that this is the text you meant (a pasted file?); split long texts into paragraphs"))
    problems.sort(key=lambda p: (p.line or 0, p.column or 0))
    return problems


# --- pydantic errors → problems ---------------------------------------------------------
_EXPECT = {
    "string_type": "a text",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
    "date_type": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "float_type": "a number",
    "float_parsing": "a number",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "bool_type": "true or false",
}


def _all_field_names() -> set[str]:
    names: set[str] = set()
    seen: set[type] = set()

    def visit(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.add(model)
        for fname, f in model.model_fields.items():
            names.add(f.alias or fname)
            for t in _model_types(f.annotation):
                visit(t)
    visit(Document)
    return names


def _model_types(annotation: Any) -> list[type[BaseModel]]:
    out: list[type[BaseModel]] = []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    for arg in getattr(annotation, "__args__", ()) or ():
        out.extend(_model_types(arg))
    meta = getattr(annotation, "__metadata__", None)
    if meta is not None:
        out.extend(_model_types(annotation.__origin__))
    return out


_FIELD_NAMES: set[str] | None = None


def _did_you_mean(word: str) -> str | None:
    global _FIELD_NAMES
    if _FIELD_NAMES is None:
        _FIELD_NAMES = _all_field_names()
    close = difflib.get_close_matches(str(word), sorted(_FIELD_NAMES), n=1, cutoff=0.7)
    return close[0] if close else None


def _resolve(loc: tuple, data: Any) -> PathT:
    """Map a pydantic error location onto the data: drop union-branch and tag names."""
    out: list[Any] = []
    cur = data
    prev_index = False
    for el in loc:
        if isinstance(cur, list) and isinstance(el, int) and 0 <= el < len(cur):
            out.append(el)
            cur = cur[el]
            prev_index = True
            continue
        if isinstance(cur, dict):
            if prev_index and isinstance(el, str) and cur.get("type") == el:
                prev_index = False  # discriminator tag
                continue
            if el in cur:
                out.append(el)
                cur = cur[el]
                prev_index = False
                continue
        if isinstance(el, str) and (el in ("str", "date", "float", "int", "LangText", "list[str]")
                                    or el.startswith(("function-", "union[", "list[", "literal[", "constrained-"))):
            continue
        out.append(el)  # a missing or extra key
        cur = None
        prev_index = False
    return tuple(out)


class PositionMap(Protocol):
    """What a problem's place is looked up in: a :class:`Positions`, or a sub-tree of one."""

    def find(self, path: PathT, *, key: bool = False) -> Pos | None: ...


def _problems_from_validation(err: ValidationError, data: Any, pos: PositionMap, file: str) -> list[Problem]:
    grouped: dict[PathT, list[ErrorDetails]] = {}
    for e in err.errors(include_url=False):
        loc = tuple(e["loc"])
        # a missing field's name may look like a union branch's tag ('date'): keep it as given
        path = _resolve(loc[:-1], data) + loc[-1:] if e["type"] == "missing" and loc else _resolve(loc, data)
        grouped.setdefault(path, []).append(e)

    problems: list[Problem] = []
    for path, errs in grouped.items():
        types = {e["type"] for e in errs}
        if "extra_forbidden" in types:
            key = path[-1]
            if tuple(path[:-1]) in getattr(pos, "flow", ()) and _get(data, path) is None and len(path) > 1:
                # {title: a, text: b, c}: the comma ended the text, and "c" became a key of its own
                line_col = pos.find(path, key=True)
                prev = _flow_key_before(data, path)
                problems.append(Problem(
                    f"'{key}' after a comma was read as a field of its own: in {{…}} a comma ends the text",
                    path=format_path(path), file=file,
                    line=line_col[0] if line_col else None, column=line_col[1] if line_col else None,
                    hint=(f"quote the text: {prev}: \"…, {key}\"" if prev else f"quote the text that contains '{key}'")
                    + " (or write the mapping on several lines)"))
                continue
            guess = _did_you_mean(key)
            hint = f"did you mean '{guess}'?" if guess else "remove it, or check the spelling against `workplan schema`"
            line_col = pos.find(path, key=True)
            problems.append(Problem(f"unknown field '{key}'", path=format_path(path), hint=hint,
                                    file=file, line=line_col[0] if line_col else None,
                                    column=line_col[1] if line_col else None))
            continue
        if "missing" in types:
            line_col = pos.find(path[:-1])
            problems.append(Problem(f"required field '{path[-1]}' is missing", path=format_path(path),
                                    hint=f"add '{path[-1]}:' here", file=file,
                                    line=line_col[0] if line_col else None,
                                    column=line_col[1] if line_col else None))
            continue
        if "union_tag_invalid" in types or "union_tag_not_found" in types:
            line_col = pos.find(path + ("type",)) or pos.find(path)
            given = None
            cur = _get(data, path)
            if isinstance(cur, dict):
                given = cur.get("type")
            msg = (f"unknown section type {given!r}" if given is not None else "section has no 'type'")
            close = difflib.get_close_matches(str(given), SECTION_TYPES, n=1) if given else []
            hint = (f"did you mean '{close[0]}'? " if close else "") + "types: " + ", ".join(SECTION_TYPES)
            problems.append(Problem(msg, path=format_path(path), hint=hint, file=file,
                                    line=line_col[0] if line_col else None, column=line_col[1] if line_col else None))
            continue
        line_col = pos.find(path)
        given = _get(data, path)
        expects = [_EXPECT[t] for t in types if t in _EXPECT]
        if len(errs) > 1 and expects:
            msg = f"expected {' or '.join(dict.fromkeys(expects))}, got {_describe(given)}"
        else:
            e = errs[0]
            msg = e["msg"]
            if e["type"] in _EXPECT:
                msg = f"expected {_EXPECT[e['type']]}, got {_describe(given)}"
            elif msg.startswith("Value error, "):
                msg = msg[len("Value error, "):]
            elif e["type"] == "string_pattern_mismatch":
                msg = f"{given!r} is not a valid id: use letters, digits, _ . - and start with a letter"
        problems.append(Problem(msg, path=format_path(path), file=file,
                                line=line_col[0] if line_col else None, column=line_col[1] if line_col else None,
                                hint=_hint_for(types)))
    return problems


_KEY_READS_AS = {"tag:yaml.org,2002:bool": "true or false", "tag:yaml.org,2002:null": "nothing (null)",
                 "tag:yaml.org,2002:int": "a number", "tag:yaml.org,2002:float": "a number"}


def _odd_key_problems(pos: Positions, file: str) -> list[Problem]:
    """Keys YAML reads as something other than a name (yes:, on:, null:, 12:), at their own line."""
    out: list[Problem] = []
    for path, raw, tag, (line, col) in pos.odd_keys[:limits.PROBLEMS_SHOWN]:
        reads = _KEY_READS_AS.get(tag, "something other than a name")
        out.append(Problem(f"the key '{raw}' is read by YAML as {reads}, not as a field name",
                           path=format_path(path) if path else None, file=file, line=line, column=col,
                           hint=f"quote it ('{raw}': …) if it is meant as a name, or check the field names with "
                                "`workplan schema`"))
    return out


def _unknown_units_in_data(data: Any, pos: Positions, file: str) -> list[Problem]:
    """References to undeclared units, found in the data as written (for a file whose values do not
    all validate, so that one wrong value does not hide them)."""
    units = data.get("units") if isinstance(data, dict) else None
    known = {u.get("id") for u in units if isinstance(u, dict)} if isinstance(units, list) else set()
    out: list[Problem] = []
    todo: list[tuple[Any, PathT]] = [(data, ())]
    seen: set[int] = set()
    while todo and len(out) < limits.PROBLEMS_SHOWN:
        obj, path = todo.pop()
        if isinstance(obj, (dict, list)):
            if id(obj) in seen:
                continue
            seen.add(id(obj))
        if isinstance(obj, dict):
            for k, v in obj.items():
                if k in _REF_FIELDS and path[-2:-1] != ("targets",):
                    refs = [v] if isinstance(v, str) else v if isinstance(v, list) else []
                    for j, uid in enumerate(refs):
                        if isinstance(uid, str) and uid not in known:
                            p = path + (k,) + ((j,) if isinstance(v, list) else ())
                            lc = pos.find(p)
                            out.append(Problem(f"unknown unit '{uid}'", path=format_path(p), file=file,
                                               line=lc and lc[0], column=lc and lc[1],
                                               hint="declare it under 'units:' with id, zh and en"))
                elif isinstance(k, str):
                    todo.append((v, path + (k,)))
        elif isinstance(obj, list):
            todo.extend((v, path + (i,)) for i, v in enumerate(obj))
    return out


def _flow_key_before(data: Any, path: PathT) -> str | None:
    """The key written just before ``path``'s key in its mapping (the text the comma cut short)."""
    parent = _get(data, path[:-1])
    if not isinstance(parent, dict):
        return None
    keys = list(parent)
    i = keys.index(path[-1]) if path[-1] in keys else 0
    return str(keys[i - 1]) if i > 0 else None


def _hint_for(types: set[str]) -> str | None:
    if types & {"date_type", "date_from_datetime_parsing", "date_parsing"}:
        return "write dates as YYYY-MM-DD, e.g. 2024-03-05"
    if "string_type" in types and ("dict_type" in types or "model_type" in types):
        return "write a text as a string, or as {zh: ..., en: ...}"
    return None


def _describe(v: Any) -> str:
    if v is None:
        return "nothing"
    if isinstance(v, bool):
        return f"{str(v).lower()} (yes/no/on/off are booleans in YAML; quote them)"
    if isinstance(v, (int, float)):
        return f"the number {v}"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, dict):
        return "a mapping"
    if isinstance(v, str) and len(v) > 60:  # never echo a whole file (program: /etc/passwd)
        return f"a text of {len(v):,} characters starting {v[:40]!r}"
    return repr(v)


def _get(data: Any, path: PathT) -> Any:
    cur = data
    for p in path:
        try:
            cur = cur[p]
        except (KeyError, IndexError, TypeError):
            return None
    return cur


# --- cross-references ----------------------------------------------------------------------
_REF_FIELDS = {"lead", "responsible", "cooperating", "issuers"}


# recipients, cc, signature and the printing office take a unit id or a name: a value written like an
# id (lower-case start or an underscore, no spaces) is an id, and must name a declared unit
_LOOKS_LIKE_ID = re.compile(r"^(?:[a-z][A-Za-z0-9_.-]*|[A-Za-z][A-Za-z0-9.-]*_[A-Za-z0-9_.-]*)$")


def unknown_text_units(doc: Any) -> list[tuple[PathT, str]]:
    """(path, value) of every unit-or-name field whose value is written as a unit id that no unit
    declares (programs and reports alike)."""
    known = {u.id for u in doc.units}
    out: list[tuple[PathT, str]] = []

    def check(path: PathT, v: Any) -> None:
        if isinstance(v, str) and v not in known and _LOOKS_LIKE_ID.match(v):
            out.append((path, v))
    for field in ("recipients", "cc", "signature"):
        for i, v in enumerate(getattr(doc, field, None) or []):
            check((field, i), v)
    printed = getattr(doc, "printed", None)
    if printed is not None:
        check(("printed", "office"), printed.office)
    return out


def _check_refs(doc: Document, pos: Positions, file: str) -> list[Problem]:
    problems: list[Problem] = []
    ids = [u.id for u in doc.units]
    known = set(ids)
    seen: set[str] = set()
    for i, uid in enumerate(ids):
        if uid in seen:
            lc = pos.find(("units", i, "id"))
            problems.append(Problem(f"unit id '{uid}' is declared twice", path=f"units[{i}].id", file=file,
                                    line=lc and lc[0], column=lc and lc[1], hint="give each unit its own id"))
        seen.add(uid)

    unknown = 0

    def bad(path: PathT, uid: str) -> None:
        # each unknown id costs a fuzzy match against every unit: only the first SUGGESTIONS get
        # one, and only PROBLEMS_SHOWN are listed, so that checking stays linear in the references
        nonlocal unknown
        unknown += 1
        if unknown > limits.PROBLEMS_SHOWN:
            return
        lc = pos.find(path)
        close = difflib.get_close_matches(uid, ids, n=1) if unknown <= limits.SUGGESTIONS else None
        hint = f"did you mean '{close[0]}'?" if close else "declare it under 'units:' with id, zh and en"
        problems.append(Problem(f"unknown unit '{uid}'", path=format_path(path), file=file,
                                line=lc and lc[0], column=lc and lc[1], hint=hint))

    def walk(obj: Any, path: PathT) -> None:
        if isinstance(obj, BaseModel):
            for name in type(obj).model_fields:
                val = getattr(obj, name)
                if name in _REF_FIELDS and isinstance(val, list):
                    for j, uid in enumerate(val):
                        if uid not in known:
                            bad(path + (name, j), uid)
                elif name == "unit" and isinstance(val, str) and not isinstance(obj, Target):
                    if val not in known:
                        bad(path + (name,), val)
                elif val is not None and not isinstance(val, (str, int, float)):
                    walk(val, path + (name,))
        elif isinstance(obj, list):
            for j, v in enumerate(obj):
                walk(v, path + (j,))
    walk(doc, ())
    for path, uid in unknown_text_units(doc):
        bad(path, uid)
    if unknown > limits.PROBLEMS_SHOWN:
        problems.append(Problem(f"… and {unknown - limits.PROBLEMS_SHOWN:,} more references to unknown units",
                                file=file, hint="declare the units under 'units:', or correct the ids"))

    # ids of tasks, targets and phases: progress reports refer to them, so each must name one item
    first: dict[tuple[str, str], PathT] = {}

    def check_id(what: str, item: Any, path: PathT) -> None:
        if not item.id:
            return
        prev = first.setdefault((what, item.id), path)
        if prev != path:
            lc = pos.find(path + ("id",))
            problems.append(Problem(f"{what} id '{item.id}' is used twice (also {format_path(prev)})",
                                    path=format_path(path + ("id",)), file=file, line=lc and lc[0],
                                    column=lc and lc[1], hint=f"give each {what} its own id"))

    def tasks(ts: list, path: PathT) -> None:
        for j, t in enumerate(ts):
            check_id("task", t, path + (j,))
            tasks(t.items, path + (j, "items"))
    for i, s in enumerate(doc.sections):
        if s.type == "tasks":
            tasks(s.tasks, ("sections", i, "tasks"))
        elif s.type == "objectives":
            for j, tg in enumerate(s.targets):
                check_id("target", tg, ("sections", i, "targets", j))
        elif s.type == "phases":
            for j, ph in enumerate(s.phases):
                check_id("phase", ph, ("sections", i, "phases", j))
    return problems


def _check_blocks(data: dict, pos: Positions, file: str) -> None:
    """A document whose sections hold more than DOCUMENT_BLOCKS blocks (mappings and listed texts)
    is refused before it is validated or laid out: its layout would not fit the build's memory."""
    n = 0
    todo = [data.get("sections")]
    seen: set[int] = set()
    while todo:
        obj = todo.pop()
        if isinstance(obj, dict):
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            n += 1
            todo.extend(v for k, v in obj.items() if k not in _REF_FIELDS)  # unit ids are no blocks
        elif isinstance(obj, list):
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            n += sum(isinstance(x, str) for x in obj)
            todo.extend(x for x in obj if isinstance(x, (dict, list)))
        if n > limits.DOCUMENT_BLOCKS:
            lc = pos.find(("sections",), key=True)
            raise ValidationFailed(Problem(
                f"the sections hold more than {limits.DOCUMENT_BLOCKS:,} tasks, targets, paragraphs and other blocks: "
                "too large to lay out as one document", path="sections", file=file, line=lc and lc[0],
                column=lc and lc[1], hint="split it into several documents (a program and its annexes)"))


def check_top_mapping(data: Any, file: str, example: str = "a file in corpus/") -> None:
    """A data file must hold a mapping of fields."""
    if data is None:
        raise ValidationFailed(Problem("the file is empty", file=file, hint=f"start from {example}"))
    if not isinstance(data, dict):
        got = f"a text of {len(data):,} characters" if isinstance(data, str) else _describe(data)  # not its content
        raise ValidationFailed(Problem(f"expected a mapping of fields at the top, got {got}",
                                       file=file, line=1, column=1, hint="is this a data file? (see corpus/)"))


def check_data_shape(data: Any, pos: Positions, file: str) -> None:
    """What every data file must be before it is validated: a mapping, not too many blocks."""
    check_top_mapping(data, file)
    _check_blocks(data, pos, file)


def validate_document(path: str | Path, data: Any, pos: Positions) -> Document:
    """A program or standards document from what :func:`read_data` returned. Raises
    ValidationFailed listing every problem (a report is :func:`workplan.model.report.load_report_data`'s;
    :func:`workplan.model.source.load_source` chooses)."""
    file = str(path)
    try:
        doc = Document.model_validate(data)
    except ValidationError as e:
        problems = _problems_from_validation(e, data, pos, file)
        odd = _odd_key_problems(pos, file)
        if odd:
            problems = odd + [p for p in problems if "Keys should be strings" not in p.message]
        # a wrong value elsewhere does not hide a reference to an unknown unit
        problems += _unknown_units_in_data(data, pos, file)
        problems.sort(key=lambda p: (p.line or 0, p.column or 0))
        raise ValidationFailed(problems) from None
    problems = _check_refs(doc, pos, file)
    if problems:
        raise ValidationFailed(problems)
    return doc
