"""PDF engines for tests, importable by a layout child (a fork server started earlier imports them
by name: a function defined inside a test is not there)."""
from __future__ import annotations

import json
from pathlib import Path


def write_pdf(rdoc, out, *, source_name, source_bytes):
    """A stand-in PDF writer: records what it was given next to its output."""
    (Path(out).parent / "calls.json").write_text(json.dumps([rdoc.lang, source_name, len(source_bytes)]))
    Path(out).write_bytes(b"%PDF-1.7 fake\n")


def broken_write_pdf(rdoc, out, *, source_name, source_bytes):
    """A PDF writer that fails as the packaging bug did (a template missing from the wheel)."""
    import jinja2
    raise jinja2.TemplateNotFound("gbt9704.css.j2")
