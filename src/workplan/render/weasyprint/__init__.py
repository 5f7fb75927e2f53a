"""The WeasyPrint PDF writer: RenderDoc → Jinja2 HTML + CSS (templates/ in this package) → PDF/A-3b."""
from .writer import (LATIN_FAMILY, Engine, css_family, engine, font_face_css, html_for, make_env,
                     render_html_to_pdf, source_attachment, write_pdf)

__all__ = ["Engine", "LATIN_FAMILY", "css_family", "engine", "font_face_css", "html_for", "make_env",
           "render_html_to_pdf", "source_attachment", "write_pdf"]
