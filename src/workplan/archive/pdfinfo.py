"""Page count and embedded source of a PDF, cheaply.

pypdf parses *every* object of an object stream the first time one of them is needed; for a
WeasyPrint PDF with embedded fonts that is thousands of objects (~30 ms). Archiving only needs
the page tree's ``/Count`` and, for pre-built renditions, the embedded source file, so this
module resolves just those few objects (on pypdf's own xref and object parser) — about 1 ms —
and falls back to pypdf's full reader on anything unusual.
"""
from __future__ import annotations

import bisect
import io
from pathlib import Path


def _fast(path: Path, attachment: str | None) -> tuple[int, bytes | None]:
    from pypdf import PdfReader
    from pypdf.generic import IndirectObject, read_object

    reader = PdfReader(str(path))
    streams: dict[int, tuple[bytes, int, dict[int, int], list[int]]] = {}

    def resolve(obj):
        if not isinstance(obj, IndirectObject):
            return obj
        loc = reader.xref_objStm.get(obj.idnum)
        if loc is None:
            return reader.get_object(obj)
        stmnum = loc[0]
        if stmnum not in streams:
            stm = reader.get_object(IndirectObject(stmnum, 0, reader))
            data = stm.get_data()
            first, n = int(stm["/First"]), int(stm["/N"])
            nums = [int(x) for x in data[:first].split()][: 2 * n]
            offsets = {nums[i]: nums[i + 1] for i in range(0, len(nums) - 1, 2)}
            streams[stmnum] = (data, first, offsets, sorted(offsets.values()))
        data, first, offsets, order = streams[stmnum]
        start = offsets[obj.idnum]
        j = bisect.bisect_right(order, start)
        end = order[j] if j < len(order) else len(data) - first
        return read_object(io.BytesIO(data[first + start:first + end]), reader)

    root = resolve(reader.trailer.raw_get("/Root"))
    pages = resolve(root.raw_get("/Pages"))
    count = int(resolve(pages.raw_get("/Count")))
    found = None
    if attachment is not None and "/Names" in root:
        names = resolve(root.raw_get("/Names"))
        if "/EmbeddedFiles" in names:
            def walk(node, depth=0):
                node = resolve(node)
                if "/Names" in node:
                    arr = resolve(node.raw_get("/Names"))
                    for k in range(0, len(arr) - 1, 2):
                        yield str(resolve(arr[k])), arr[k + 1]
                if "/Kids" in node and depth < 32:
                    for kid in resolve(node.raw_get("/Kids")):
                        yield from walk(kid, depth + 1)
            for fname, spec in walk(names.raw_get("/EmbeddedFiles")):
                if fname == attachment:
                    ef = resolve(resolve(spec).raw_get("/EF"))
                    found = resolve(ef.raw_get("/F")).get_data()
                    break
    return count, found


def _slow(path: Path, attachment: str | None) -> tuple[int, bytes | None]:
    from pypdf import PdfReader
    reader = PdfReader(str(path))
    count = len(reader.pages)
    found = None
    if attachment is not None:
        got = reader.attachments.get(attachment)
        found = got[0] if got else None
    return count, found


def pdf_facts(path: Path, attachment: str | None = None) -> tuple[int | None, bytes | None]:
    """(page count, bytes of the embedded file named ``attachment``); (None, None) when the PDF
    cannot be read."""
    for reader in (_fast, _slow):
        try:
            return reader(path, attachment)
        except Exception:  # noqa: BLE001 - damaged or unusual PDF: try the full reader, then give up
            continue
    return None, None


def pdf_info(path: Path, source: Path | None = None) -> tuple[int | None, str | None]:
    """(page count, problem): the page count of a PDF, and whether it embeds a different version
    of ``source`` than the one given (PDF/A-3 documents carry their source data file)."""
    pages, attached = pdf_facts(path, source.name if source is not None else None)
    if attached is not None and source is not None and attached != source.read_bytes():
        return pages, f"{path.name} embeds a different version of {source.name}"
    return pages, None
