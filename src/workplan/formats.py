"""The one table of output formats: name → writer (pandoc's ``Writers.hs`` is the model).

Every other list of formats derives from :data:`WRITERS`: ``render.FORMATS`` and the
``--format`` choices, the archive's rendition roles (``docx:zh``, ``pdf:en``, …) and the
pattern of rendition file names, the search extractor's preference order.

A writer is named by its entry point (``"module:function"``), imported only when a document is
written, so this table is a leaf any stage may read (the archive knows the formats' names and
roles, never the rendering code). Every writer function has the signature::

    write(rdoc: RenderDoc, out: Path, **options) -> Any

and is given exactly the ``options`` its entry lists, from ``source_name`` (the data file's
name), ``source_bytes`` (its bytes, to embed), ``template`` (a user's template path or None).

To add a format (ODT): write its package ``render/odt/`` with ``write_odt(rdoc, out, ...)`` and
add one entry to :data:`WRITERS`. To add a PDF engine: its package ``render/<engine>/`` with
``write_pdf(rdoc, out, *, source_name, source_bytes)`` and one entry to :data:`PDF_ENGINES`;
``render_doc(..., pdf_engine="<engine>")`` / ``build_file(..., pdf_engine=...)`` select it.
"""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from .errors import Problem, WorkplanError
from .i18n import OUTPUT_LANGS

WRITE_OPTIONS = ("source_name", "source_bytes", "template")


@dataclass(frozen=True)
class Engine:
    """One implementation of a format's writer."""
    name: str
    entry: str                          # "package.module:function"
    options: tuple[str, ...] = ()       # which of WRITE_OPTIONS the function takes
    description: str = ""
    check: str = ""                     # "package.module:function" that raises if the machine lacks something

    def load(self) -> Callable[..., Any]:
        module, _, func = self.entry.partition(":")
        return getattr(importlib.import_module(module), func)

    def check_environment(self) -> None:
        """Raise an EnvironmentProblem naming what to install if the engine cannot run here."""
        if self.check:
            module, _, func = self.check.partition(":")
            getattr(importlib.import_module(module), func)()


@dataclass(frozen=True)
class Writer:
    """An output format: its file extension, media type and archive role, and its engine(s)."""
    name: str                           # --format value; file extension (without the dot)
    media_type: str
    engines: Mapping[str, Engine]       # one or more ways to write it; the first is the default
    description: str = ""
    default_engine: str = field(default="")
    chart_format: str = "png"           # how this format embeds a chart: "svg" or "png" (the IR draws only those)

    @property
    def extension(self) -> str:
        return "." + self.name

    def role(self, lang: str) -> str:
        """The archive role of this format's rendition in ``lang`` (``pdf:zh``)."""
        return f"{self.name}:{lang}"

    def engine(self, name: "str | Engine | None" = None) -> Engine:
        """The engine called ``name`` (the default if none); an :class:`Engine` already chosen is
        returned as it is (a layout child gets the engine its parent chose, not a name it may not know)."""
        if isinstance(name, Engine):
            return name
        name = name or self.default_engine or next(iter(self.engines))
        try:
            return self.engines[name]
        except KeyError:
            raise WorkplanError(Problem(f"unknown {self.name} engine '{name}'",
                                        hint="use " + " or ".join(self.engines))) from None

    def write(self, rdoc: Any, out: Any, *, engine: "str | Engine | None" = None, **options: Any) -> Any:
        """Write ``rdoc`` to ``out`` with the chosen engine, passing it the options it takes."""
        eng = self.engine(engine)
        return eng.load()(rdoc, out, **{k: v for k, v in options.items() if k in eng.options})


# --- the tables ----------------------------------------------------------------------------------
# The first is the default: Typst is about ten times faster and passes every layout test that
# WeasyPrint passes (tests/test_pdf.py runs each check against both).
PDF_ENGINES: dict[str, Engine] = {
    "typst": Engine("typst", "workplan.render.typst:write_pdf", ("source_name", "source_bytes"),
                    "Typst (the typst package) from JSON data and a Typst template, PDF/A-3b",
                    check="workplan.render.typst:check_environment"),
    "weasyprint": Engine("weasyprint", "workplan.render.weasyprint:write_pdf", ("source_name", "source_bytes"),
                         "Jinja2 HTML + CSS laid out by WeasyPrint, PDF/A-3b",
                         check="workplan.render.fonts:check_pdf_environment"),
}

WRITERS: dict[str, Writer] = {
    "docx": Writer("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                   {"python-docx": Engine("python-docx", "workplan.render.docx:write_docx", ("template",))},
                   "Word document (python-docx + docxtpl template)"),
    "pdf": Writer("pdf", "application/pdf", PDF_ENGINES, "PDF/A-3b with the source data attached",
                  default_engine="typst", chart_format="svg"),
}

FORMATS: tuple[str, ...] = tuple(WRITERS)
DEFAULT_PDF_ENGINE = WRITERS["pdf"].default_engine


def writer(fmt: str) -> Writer:
    """The writer of format ``fmt``; a WorkplanError naming the known formats otherwise."""
    try:
        return WRITERS[fmt]
    except KeyError:
        raise WorkplanError(Problem(f"unknown format '{fmt}'", hint="use " + " or ".join(FORMATS))) from None


def rendition_roles(langs: Iterable[str] = OUTPUT_LANGS, formats: Iterable[str] = FORMATS) -> tuple[str, ...]:
    """Archive roles of the renditions, format by format (``docx:zh``, ``docx:en``, …)."""
    langs = tuple(langs)
    return tuple(WRITERS[f].role(lang) for f in formats for lang in langs)


# <stem>.<lang>.<format>: the file name of a rendition (render.output_name)
RENDITION_RE = re.compile(r"^(?P<stem>.+)\.(?P<lang>%s)\.(?P<fmt>%s)$" % (
    "|".join(map(re.escape, OUTPUT_LANGS)), "|".join(map(re.escape, FORMATS))), re.IGNORECASE)

__all__ = ["DEFAULT_PDF_ENGINE", "Engine", "FORMATS", "PDF_ENGINES", "RENDITION_RE", "WRITERS", "WRITE_OPTIONS",
           "Writer", "rendition_roles", "writer"]
