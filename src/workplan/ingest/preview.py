"""A PDF rendition of an imported Word original, made when it is archived, so that a reader can
see the document in a browser and a volume can include its pages (archive role ``preview``, with
its own hash like every payload file).

The original is laid out by LibreOffice (what a recipient opening the file sees), not retyped by
the project's own writers from the imported data: an auditor previews the document that was
filed, with its own letterhead, fonts and tables, even where the importer could not read all of
it. LibreOffice runs headless with a profile of its own (so runs never share or lock one), under
the time cap of every layout (:data:`workplan.limits.BUILD_SECONDS`) and an address-space cap.
Without LibreOffice, or when it cannot convert the file, the record is archived without a
preview (the original is what is kept); :func:`make_preview` says why.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .. import limits

#: the role of the PDF made from an imported original (see workplan.archive.record.PREVIEW_ROLE)
PREVIEW_SUFFIXES = (".docx", ".doc", ".odt", ".rtf", ".wps")
MEMORY = 4 * 1024 ** 3   # LibreOffice maps much more than it touches: a cap against runaway files only


def soffice() -> str | None:
    """LibreOffice's command, if it is installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def _cap_memory() -> None:  # pragma: no cover - runs in the child
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def make_preview(original: Path, out: Path, *, seconds: float | None = None) -> str | None:
    """Lay out ``original`` (a Word file) as the PDF ``out``. Returns None when it was made, else
    why not (no LibreOffice, a time-out, a file LibreOffice cannot read)."""
    exe = soffice()
    if exe is None:
        return "LibreOffice is not installed (apt install libreoffice-writer): no preview was made"
    seconds = limits.BUILD_SECONDS if seconds is None else seconds
    with tempfile.TemporaryDirectory(prefix="workplan-preview-") as tmp:
        work = Path(tmp)
        src = work / ("original" + original.suffix.lower())   # a plain name: no option-like or odd file names
        shutil.copyfile(original, src)
        profile = work / "profile"
        try:
            proc = subprocess.Popen([exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                                     "--nolockcheck", "--convert-to", "pdf", "--outdir", str(work), str(src)],
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                    env={**os.environ, "HOME": str(profile)}, preexec_fn=_cap_memory,
                                    start_new_session=True)
        except OSError as e:
            return f"LibreOffice could not be started ({e.strerror}): no preview was made"
        try:
            code = proc.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            return f"LibreOffice took longer than {seconds:.0f} s to lay the file out: no preview was made"
        if code != 0:
            return f"LibreOffice could not lay the file out (exit status {code}): no preview was made"
        made = work / "original.pdf"
        if not made.is_file() or made.stat().st_size == 0:
            return "LibreOffice could not read the file: no preview was made"
        shutil.copyfile(made, out)
    return None


def _kill_group(proc: subprocess.Popen) -> None:
    """End LibreOffice's process group (the launcher and the office it started), then reap it."""
    import signal
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover
        pass
