"""Ingest: the stage above the archive that turns inputs into archived records.

A data file is checked (validated, every language resolved), rendered (or its pre-built
renditions taken), the record's metadata derived from the document, and the staged record
handed to :meth:`workplan.archive.Archive.store`. The archive itself knows nothing of the model
or of rendering.

    from workplan.ingest import add_data_file, add_data_files, add_files
    rec = add_data_file(arc, "corpus/winter-fire-safety.yaml", langs=("zh", "en"))
    outcome = add_data_files(arc, paths, jobs=2, on_record=..., on_problem=..., on_progress=...)
    rec = add_files(arc, ["scan.pdf"], title=..., issuer=..., date="2019-11-02", kind="legacy")
"""
from .batch import AddOutcome, NothingArchived, add_data_files, check_data_files
from ..model.datafiles import DATA_SUFFIXES
from .datafile import (RENDITION_RE, CheckedFile, add_data_file, check_data_file, doc_metadata,
                       load_data_file, prepare_checked, prepare_data_file, prepare_data_files)
from .files import add_files, check_files, parse_date, prepare_files
from .imported import add_imported

__all__ = ["DATA_SUFFIXES", "RENDITION_RE", "AddOutcome", "CheckedFile", "NothingArchived", "add_data_file",
           "add_data_files", "add_files", "add_imported", "check_data_file", "check_data_files", "check_files",
           "doc_metadata", "load_data_file", "parse_date", "prepare_checked", "prepare_data_file",
           "prepare_data_files", "prepare_files"]
