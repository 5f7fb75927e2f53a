"""Renderers: validated model → IR (:mod:`.ir`) → DOCX / PDF writers.

Public surface: :func:`build_file` builds one data file into the asked languages and formats,
writing every output atomically (a temporary file renamed into place, so a failed or
interrupted build never leaves a half-written document).
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from ..errors import Problem, WorkplanError
from ..formats import DEFAULT_PDF_ENGINE, FORMATS, PDF_ENGINES, WRITERS, Engine, writer
from ..limits import CapExceeded, run_capped
from ..model import Document, load_source
from ..model import Source as Loaded  # a data file read once (see workplan.model.load_source)
from .ir import RenderDoc
from .resolve import build_ir


def _umask() -> int:
    """The process's umask, read without changing it (Linux: /proc/self/status); elsewhere set
    and put back at once."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@dataclass
class BuildResult:
    source: Path
    outputs: list[Path] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    failures: list[WorkplanError] = field(default_factory=list)   # with keep_going: what was not written
    rdocs: dict[str, RenderDoc] = field(default_factory=dict)      # language -> the IR the writers were given


NAME_MAX = 255  # bytes in one file name (ext4, xfs, btrfs, tmpfs)


def output_name(source: Path, lang: str, fmt: str) -> str:
    """``<stem>.<lang>.<fmt>``; a stem too long for that to fit in a file name is cut (at a
    character boundary) and given ``~`` and 8 hex digits of its SHA-256, so that two long
    names differing only at the end still give two outputs."""
    tail = f".{lang}.{fmt}"
    name = source.stem + tail
    if len(name.encode()) <= NAME_MAX:
        return name
    import hashlib
    mark = "~" + hashlib.sha256(source.stem.encode()).hexdigest()[:8]
    room = NAME_MAX - len((mark + tail).encode())
    return source.stem.encode()[:room].decode("utf-8", "ignore") + mark + tail


def _temp_prefix(name: str) -> str:
    """A hidden temporary name beside ``name`` that fits in a file name with mkstemp's suffix."""
    return "." + name.encode()[:200].decode("utf-8", "ignore") + "."


def atomic_write(path: Path, write: Callable[[Path], object]) -> None:
    """Call ``write(tmp)`` then rename tmp onto ``path``; on any failure remove tmp."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path.name), suffix=".part", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        write(tmp_path)
        with open(tmp_path, "rb+") as f:
            os.fsync(f.fileno())
        os.chmod(tmp_path, 0o644 & ~_umask())  # mkstemp makes 0600; outputs are ordinary files
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def render_doc(doc: Document, lang: str, fmt: str, out: Path, *, source: Path | None = None,
               source_bytes: bytes | None = None, template: Path | None = None,
               allow_missing: bool = False, rdoc: RenderDoc | None = None,
               pdf_engine: "str | Engine | None" = DEFAULT_PDF_ENGINE) -> RenderDoc:
    """Render one language/format of a validated document to ``out`` (atomically), with the
    writer :data:`workplan.formats.WRITERS` names for ``fmt`` (``pdf_engine`` picks the PDF one)."""
    w = writer(fmt)
    rdoc = rdoc or build_ir(doc, lang, allow_missing=allow_missing, file=str(source) if source else None)
    engine = pdf_engine if fmt == "pdf" else None
    atomic_write(out, lambda tmp: w.write(rdoc, tmp, engine=engine, template=template, source_bytes=source_bytes,
                                          source_name=source.name if source else None))
    return rdoc


def check_pdf_engine(engine: str = DEFAULT_PDF_ENGINE) -> None:
    """Fail early with a clear message if the machine lacks what a PDF engine needs (its
    entry's ``check`` in :data:`workplan.formats.PDF_ENGINES`)."""
    WRITERS["pdf"].engine(engine).check_environment()


def build_file(source: str | Path, outdir: str | Path, *, langs: Iterable[str] = ("zh",),
               formats: Iterable[str] = FORMATS, template: Path | None = None,
               allow_missing: bool = False, program_resolver=None, keep_going: bool = False,
               pdf_engine: str = DEFAULT_PDF_ENGINE, loaded: Loaded | None = None) -> BuildResult:
    """Validate ``source`` and write ``<stem>.<lang>.<fmt>`` files into ``outdir``.

    Everything is checked (validation, every language's translations) before the first file
    is written, so a bad input writes nothing. A writer that fails raises, unless ``keep_going``:
    then its error goes to ``result.failures`` (an unexpected exception as an "internal error"
    naming the file, language and format), the other outputs are still written, and
    ``result.outputs`` lists exactly the files written. ``loaded``: the file as
    :func:`load_source` read it already (it is not read again).
    """
    source = Path(source)
    formats = list(formats)
    for fmt in formats:
        writer(fmt)                       # an unknown format fails before anything is written
    if "pdf" in formats:
        # here, before any layout child: a machine without what the engine needs is said once, plainly
        WRITERS["pdf"].engine(pdf_engine).check_environment()
    # the engine is chosen here and handed to the layout child as it is (a fork server started
    # earlier does not know an engine this process added to the table)
    engine = WRITERS["pdf"].engine(pdf_engine) if "pdf" in formats else None
    loaded = loaded if loaded is not None else load_source(source, program_resolver=program_resolver)
    source_bytes, doc = loaded.raw, loaded.doc
    # charts are drawn only in the image formats the writers embed (SVG for PDF, PNG for DOCX)
    images = tuple(sorted({WRITERS[f].chart_format for f in formats}))
    rdocs = {lang: build_ir(doc, lang, allow_missing=allow_missing, file=str(source), draw=images,
                            positions=loaded.positions) for lang in langs}
    result = BuildResult(source, rdocs=rdocs)
    # the PDF first: the DOCX follows the pagination decisions it measured (RenderDoc.hints)
    order = sorted(formats, key=lambda f: f != "pdf")
    for lang, rdoc in rdocs.items():
        result.warnings.extend(rdoc.warnings)
        written = len(result.outputs)
        outs = [Path(outdir) / output_name(source, lang, fmt) for fmt in order]
        before = {out: _identity(out) for out in outs}
        # layout can still grow with what a text holds (Typst, WeasyPrint, python-docx): each
        # language is laid out in a child process with a memory and a time cap, so that a document
        # beyond them is a message about this file, and the process (a batch) goes on
        try:
            done = run_capped(_write_language, doc, lang, order, outs, rdoc, source, source_bytes, template,
                              engine, keep_going, fork_safe=not _typst_ran_here())
        except CapExceeded as e:
            err = WorkplanError(Problem(
                f"laying out the {lang} {'/'.join(f.upper() for f in order)} {e.reason}, the limit for one "
                "document; " + ("nothing was written for it" if keep_going else "it was not built"),
                file=str(source),
                hint="split the document, or look for text no typesetter can lay out (thousands of accents or "
                     "joiners on one character, a word thousands of characters long)"))
            if not keep_going:
                raise err from None
            result.failures.append(err)
            done = [out for out in outs if _identity(out) not in (None, before[out])]  # written before the cap
        for item in done:
            if isinstance(item, WorkplanError):
                result.failures.append(item)
            else:
                result.outputs.append(item)
        # listed in the order asked for
        result.outputs[written:] = sorted(result.outputs[written:], key=lambda p: formats.index(p.suffix[1:]))
    return result


def _typst_ran_here() -> bool:
    """Whether this process has laid out with Typst itself (its engine was made here): Typst keeps
    a pool of threads that a forked child would wait for forever. Builds never do (they lay out in
    children); a program calling the writer directly may."""
    import sys
    writer = sys.modules.get("workplan.render.typst.writer")
    made = getattr(writer, "_engine", None)
    return made is not None and getattr(made, "pid", None) == os.getpid()


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns


def _write_language(doc: Document, lang: str, order: list[str], outs: list[Path], rdoc: RenderDoc,
                    source: Path, source_bytes: bytes, template: Path | None, pdf_engine: "str | Engine | None",
                    keep_going: bool) -> "list[Path | WorkplanError]":
    """Write one language of a document in each format of ``order`` (run in the capped child
    process): the paths written, and with ``keep_going`` the error of each format that failed."""
    done: list[Path | WorkplanError] = []
    for fmt, out in zip(order, outs):
        try:
            render_doc(doc, lang, fmt, out, source=source, source_bytes=source_bytes, template=template,
                       rdoc=rdoc, pdf_engine=pdf_engine)
        except WorkplanError as e:
            if not keep_going:
                raise
            done.append(e)
            continue
        except MemoryError:
            raise  # the cap: the parent names it
        except Exception as e:  # a bug of ours (or of a library): name the file, language and format
            if not keep_going:
                raise
            if isinstance(e, OSError) and e.errno is not None:  # unwritable folder, full disk: the user's
                done.append(WorkplanError(Problem(
                    f"cannot write the {lang} {fmt}: {e.strerror or e}", file=str(e.filename or out),
                    hint="choose an output folder you can write to (-o DIR), with enough free space")))
                continue
            done.append(WorkplanError(Problem(
                f"internal error while writing the {lang} {fmt}: {type(e).__name__}: {e}", file=str(source),
                hint="this is a bug in workplan; please report it with this file")))
            continue
        done.append(out)
    return done

__all__ = ["BuildResult", "FORMATS", "Loaded", "PDF_ENGINES", "WRITERS", "RenderDoc", "atomic_write", "build_file",
           "check_pdf_engine", "build_ir", "load_source", "output_name",
           "render_doc"]
