"""Walk every human-readable text of a validated document, with its data path and language.

Works on any pydantic model of the project (programs, standards, reports): a field counts as
text when its annotation admits :class:`LangText` (the ``Text`` type), plus unit names and
document-number prefixes. Unit ids given where a text may stand (recipients, cc, printing
office, signature) are names, not texts, and are skipped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterator

from pydantic import BaseModel

from ..model.document import DocNumber, LangText, Unit

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

PathT = tuple[Any, ...]


@dataclass(frozen=True)
class TextRef:
    """One text in one language."""

    path: PathT          # data path down to the string, e.g. ("sections", 2, "tasks", 0, "title", "en")
    lang: str            # zh | en | any (a plain string without Chinese: numbers, codes, phone numbers)
    text: str
    field: str           # the field name that holds it (title, text, name, zh, ...)
    owner: Any           # the model object holding the field (LangText's parent when tagged)
    is_name: bool = False  # unit, person or issuer names (not sentences)
    other: str | None = None  # the same text in the other language, when given side by side


def _mentions(annotation: Any, target: type) -> bool:
    if annotation is target:
        return True
    if isinstance(annotation, type):
        return False
    for arg in getattr(annotation, "__args__", ()) or ():
        if _mentions(arg, target):
            return True
    origin = getattr(annotation, "__origin__", None)
    if getattr(annotation, "__metadata__", None) is not None and origin is not None:
        return _mentions(origin, target)
    return False


@lru_cache(maxsize=None)
def _text_fields(model: type[BaseModel]) -> dict[str, str]:
    """field name -> key in the data file, for fields that hold Text."""
    return {name: (f.alias or name) for name, f in model.model_fields.items() if _mentions(f.annotation, LangText)}


_NAME_FIELDS = {"name"}            # Member.name
_UNIT_OR_TEXT = {"recipients", "cc", "signature", "office"}


def iter_texts(doc: BaseModel) -> Iterator[TextRef]:
    """Every text of ``doc`` in document order."""
    source_lang = getattr(doc, "source_lang", "zh") or "zh"
    unit_ids = {u.id for u in getattr(doc, "units", []) or []}

    def text_value(value: Any, path: PathT, field: str, owner: Any, is_name: bool) -> Iterator[TextRef]:
        if isinstance(value, LangText):
            for lang, other in (("zh", "en"), ("en", "zh")):
                s = getattr(value, lang)
                if s is not None:
                    yield TextRef(path + (lang,), lang, s, field, owner, is_name, getattr(value, other))
        elif isinstance(value, str):
            if field in _UNIT_OR_TEXT and value in unit_ids:
                return
            lang = source_lang if (HAN.search(value) or source_lang == "en" and re.search(r"[A-Za-z]{2}", value)) else "any"
            yield TextRef(path, lang, value, field, owner, is_name)

    def walk(obj: Any, path: PathT) -> Iterator[TextRef]:
        if isinstance(obj, Unit):
            if obj.zh is not None:   # an English-source file may name a unit in English only
                yield TextRef(path + ("zh",), "zh", obj.zh, "zh", obj, True, obj.en)
            if obj.en is not None:
                yield TextRef(path + ("en",), "en", obj.en, "en", obj, True, obj.zh)
            return
        if isinstance(obj, DocNumber):
            yield TextRef(path + ("prefix",), "zh", obj.prefix, "prefix", obj, True)
            if obj.prefix_en:
                yield TextRef(path + ("prefix_en",), "en", obj.prefix_en, "prefix_en", obj, True)
            return
        if isinstance(obj, BaseModel):
            tf = _text_fields(type(obj))
            for name in type(obj).model_fields:
                value = getattr(obj, name)
                if value is None:
                    continue
                key = type(obj).model_fields[name].alias or name
                if name in tf:
                    if isinstance(value, list):
                        for i, v in enumerate(value):
                            if isinstance(v, (str, LangText)):
                                yield from text_value(v, path + (key, i), name, obj, name in _NAME_FIELDS)
                            else:
                                yield from walk(v, path + (key, i))
                    elif isinstance(value, (str, LangText)):
                        yield from text_value(value, path + (key,), name, obj, name in _NAME_FIELDS)
                    # a date in a date-or-text field (deadline) is not a text
                    continue
                if isinstance(value, (BaseModel, list)):
                    yield from walk(value, path + (key,))
        elif isinstance(obj, list):
            for i, v in enumerate(obj):
                yield from walk(v, path + (i,))

    yield from walk(doc, ())


def text_slots(doc: BaseModel) -> Iterator[tuple[PathT, Any, str]]:
    """Every Text-valued slot (path, value, field) — for checking which languages each has."""
    unit_ids = {u.id for u in getattr(doc, "units", []) or []}

    def walk(obj: Any, path: PathT) -> Iterator[tuple[PathT, Any, str]]:
        if isinstance(obj, BaseModel) and not isinstance(obj, LangText):
            tf = _text_fields(type(obj))
            for name in type(obj).model_fields:
                value = getattr(obj, name)
                if value is None:
                    continue
                key = type(obj).model_fields[name].alias or name
                if name in tf:
                    items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
                    for i, v in items:
                        p = path + ((key, i) if i is not None else (key,))
                        if isinstance(v, (str, LangText)):
                            if isinstance(v, str) and name in _UNIT_OR_TEXT and v in unit_ids:
                                continue
                            yield p, v, name
                        elif isinstance(v, (BaseModel, list)):
                            yield from walk(v, p)
                    continue
                if isinstance(value, (BaseModel, list)):
                    yield from walk(value, path + (key,))
        elif isinstance(obj, list):
            for i, v in enumerate(obj):
                yield from walk(v, path + (i,))

    yield from walk(doc, ())
