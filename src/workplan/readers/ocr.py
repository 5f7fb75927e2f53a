"""OCR for scanned PDF pages (pages with no text layer), with RapidOCR (``rapidocr-onnxruntime``,
which ships its detection and recognition models: nothing is downloaded at run time).

Each page is rendered with poppler's ``pdftoppm`` (else its largest embedded image is taken),
read, and returned as text lines in reading order with what the structure recogniser uses
(indentation, centring, a size from the glyph height) and each line's recognition confidence.
OCR is an optional extra (``pip install 'workplan[ocr]'``): it brings onnxruntime and OpenCV
(about 100 MB), which a clerk who only imports Word files does not need."""
from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import ImportFailed

DPI = 150
MAX_PAGES = 30          # a scan longer than this is refused (about 10 s a page on one core)
PAGE_TIMEOUT = 120      # seconds to render one page


@dataclass
class OcrLine:
    text: str
    confidence: float
    indented: bool
    centered: bool
    size: float           # points, from the glyph height


def _engine():
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError:
        return None
    return RapidOCR()


def _render(data: bytes, page: int, file: str, reader=None):
    """The page as an RGB image (numpy array), or None."""
    import numpy as np
    from PIL import Image
    if shutil.which("pdftoppm"):
        with tempfile.TemporaryDirectory(prefix="workplan-ocr-") as tmp:
            src = Path(tmp) / "in.pdf"
            src.write_bytes(data)
            try:
                subprocess.run(["pdftoppm", "-r", str(DPI), "-f", str(page), "-l", str(page), "-png", "-singlefile",
                                str(src), str(Path(tmp) / "p")], check=True, capture_output=True, timeout=PAGE_TIMEOUT)
                with Image.open(Path(tmp) / "p.png") as im:
                    return np.array(im.convert("RGB"))
            except (subprocess.SubprocessError, OSError):
                pass
    if reader is not None:  # no poppler: the page's largest image
        try:
            imgs = list(reader.pages[page - 1].images)
            if imgs:
                best = max(imgs, key=lambda im: len(im.data))
                with Image.open(io.BytesIO(best.data)) as im:
                    return np.array(im.convert("RGB"))
        except Exception:  # noqa: BLE001 - an unreadable image is a page without text
            return None
    return None


def _lines(result, width: int, dpi: float) -> list[OcrLine]:
    """RapidOCR's boxes (one per text line) in reading order, boxes on one baseline joined."""
    boxes = []
    for box, text, conf in result or []:
        xs, ys = [p[0] for p in box], [p[1] for p in box]
        boxes.append((min(xs), max(xs), min(ys), max(ys), text.strip(), float(conf)))
    boxes = [b for b in boxes if b[4]]
    if not boxes:
        return []
    boxes.sort(key=lambda b: (b[2] + b[3]) / 2)
    rows: list[list[tuple]] = []
    for b in boxes:
        h = b[3] - b[2]
        if rows and abs((rows[-1][0][2] + rows[-1][0][3]) / 2 - (b[2] + b[3]) / 2) < h * 0.5:
            rows[-1].append(b)
        else:
            rows.append([b])
    from .lines import width_units
    left, right = min(b[0] for b in boxes), max(b[1] for b in boxes)
    out = []
    for row in rows:
        row.sort(key=lambda b: b[0])
        x0, x1 = row[0][0], max(b[1] for b in row)
        h = sorted(b[3] - b[2] for b in row)[len(row) // 2]
        text = " ".join(b[4] for b in row) if len(row) > 1 else row[0][4]
        conf = sum(b[5] * len(b[4]) for b in row) / max(1, sum(len(b[4]) for b in row))
        # the font size: the advance of a character (boxes are padded in height)
        units = sum(width_units(b[4]) for b in row)
        em = sum(b[1] - b[0] for b in row) / units if units >= 2 else h * 0.8
        gap_l, gap_r = x0 - left, right - x1
        centered = gap_l > em * 2 and abs(gap_l - gap_r) < em * 1.5
        out.append(OcrLine(text, round(conf, 3), gap_l > em * 1.2 and not centered, centered,
                           round(em * 72 / dpi)))
    return out


def ocr_pages(data: bytes, pages: list[int], file: str, reader=None) -> dict[int, list[OcrLine]]:
    """Read the given (1-based) pages of a PDF by OCR. Raises :class:`ImportFailed` when OCR is not
    installed or the scan is too long."""
    if len(pages) > MAX_PAGES:
        raise ImportFailed(f"{len(pages)} pages of this PDF are scans (images only); OCR reads at most {MAX_PAGES}", file,
                           hint="split the PDF, or run OCR on it first (e.g. ocrmypdf -l chi_sim) and import the result")
    engine = _engine()
    if engine is None:
        raise ImportFailed(f"{len(pages)} page(s) of this PDF are scans (images only) and OCR is not installed", file,
                           hint="install it with: .venv/bin/pip install 'workplan[ocr]' (rapidocr-onnxruntime), "
                                "or import the original Word file")
    out: dict[int, list[OcrLine]] = {}
    for p in pages:
        img = _render(data, p, file, reader)
        if img is None:
            out[p] = []
            continue
        result, _ = engine(img)
        dpi = DPI if shutil.which("pdftoppm") else 150
        out[p] = _lines(result, img.shape[1], dpi)
    return out
