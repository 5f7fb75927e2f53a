"""A minimal PDF written by hand (no library), for the tests and benchmarks of the PDF reader's
bounds: ``pages`` pages, the first with ``runs`` separately drawn text runs on one line and
``extra`` appended to its content stream."""
from __future__ import annotations

from pathlib import Path


def make_pdf(path: Path, pages: int = 1, runs: int = 0, extra: bytes = b"") -> Path:
    objs: list[bytes | None] = [b"<< /Type /Catalog /Pages 2 0 R >>", None,
                                b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    first = (b"BT /F1 12 Tf 72 700 Td " + b"/F1 12 Tf (ab) Tj 1 0 Td " * runs
             + b"(The quick brown fox jumps over it) Tj ET" + extra)
    kids = []
    for i in range(pages):
        stream = first if i == 0 else b"BT /F1 12 Tf 72 700 Td (page %d text here and more text) Tj ET" % i
        objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
                    b"/Contents %d 0 R >>" % len(objs))
        kids.append(len(objs))
    objs[1] = b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids) + b"] /Count %d >>" % pages
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        assert o is not None
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    x = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, x)
    path.write_bytes(bytes(out))
    return path
