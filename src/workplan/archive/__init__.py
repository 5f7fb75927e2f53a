"""The archive of creation files (创建档案): archival codes (DA/T 22-2015), BagIt bags with
SHA-256 fixity, versions, a catalogue (SQLite, or PostgreSQL: ``storage.STORAGES``) and a
hash-chained audit trail.

Public surface (shared with search and compile)::

    from workplan.archive import open_archive, Archive, Record
    arc = open_archive(path)        # the folder; None: ./archive (the CLI's --archive reads $WORKPLAN_ARCHIVE)
    arc = init_archive(path, fonds="J001", name="...")   # a new archive (archive.create)
    arc.records(year=2024)          # current versions, ordered by code
    arc.get(code); arc.versions(code_or_identity); arc.file(record, "pdf:zh"); arc.verify_record(code)
    arc.open_checked(record, role)  # a stored file, checked against the log first (archive.reading)
    arc.on_change(listener)         # listener(arc, codes, documents=...) after adds, new versions and disposals
    arc.store(prepared_records)     # what workplan.ingest prepared (add_data_file, add_files)
    arc.verify(); arc.dispose(code, reason=...); arc.rebuild_catalogue(); arc.export(...)

The archive stores, verifies, disposes and exports; it knows nothing of rendering or of the
model (ingest, above it, checks and renders documents; see ARCHITECTURE.md).
"""
from .codes import RETENTIONS, format_code, parse_code
from .create import init_archive
from .findings import Finding, FindingKind
from .record import FileEntry, Record
from .store import Archive, Prepared, open_archive, resolve_root

__all__ = ["Archive", "Prepared", "FileEntry", "Finding", "FindingKind", "RETENTIONS", "Record", "format_code", "init_archive", "open_archive",
           "parse_code", "resolve_root"]
