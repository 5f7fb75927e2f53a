"""Build gbt9704.docx (beside this script), the default Word template of the DOCX writer.

    .venv/bin/python src/workplan/render/docx/templates/make_docx_template.py

Reproducible: running it again gives a byte-identical file (fixed zip timestamps and core
properties). The file holds
- the page setup (A4, margins 37/35/28/26 mm, the 22-line document grid) and odd/even
  "— n —" page-number footers;
- the named styles WP Body, WP Title, WP Heading 1-4, WP Table, WP Table Text, WP Imprint, …
  (see workplan.render.docx.styles) with canonical Chinese font names and no theme fonts;
- the 版头 as docxtpl (Jinja) paragraphs: {{ issuer_mark }} in red 小标宋, {{ doc_number }}
  (or number + 签发人 for upward documents), the red rule; then {{ body }}, where the text goes.

To restyle, open the file in Word/WPS, change the WP styles or the 版头, keep the Jinja tags
and the {{ body }} paragraph, save under a new name and pass it with --template.
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[0:1] = [str(HERE.parents[3])]   # src/, not this folder, so a source checkout runs it too

from workplan.render.docx.oxml import save_docx  # noqa: E402
from workplan.render.docx.template import build_default_template  # noqa: E402


def main(out: Path = HERE / "gbt9704.docx") -> Path:
    save_docx(build_default_template(), str(out))
    return out


if __name__ == "__main__":
    path = main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "gbt9704.docx")
    print(f"wrote {path} ({path.stat().st_size} bytes)")
