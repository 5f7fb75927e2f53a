"""The Typst PDF engine (``--pdf-engine typst``): same IR, same layout numbers as the WeasyPrint
writer, about ten times faster. See :mod:`.writer`."""
from .writer import check_environment, engine, typst_source, write_pdf

__all__ = ["check_environment", "engine", "typst_source", "write_pdf"]
