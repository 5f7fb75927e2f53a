"""The document model and its one loader (:func:`load_source`): data file → bytes, data, positions and
validated document."""
from .document import (
                       Document,
                       LangText,
                       Member,
                       Phase,
                       Point,
                       StandardItem,
                       Target,
                       Task,
                       Text,
                       Unit,
                       text_any,
                       text_in,
)
from .load import Positions, read_data
from .source import (
                       DataDocument,
                       Source,
                       document_schema,
                       load_document,
                       load_document_data,
                       load_source,
                       schema_json,
)

__all__ = [
                       "DataDocument",
                       "Document",
                       "LangText",
                       "Member",
                       "Phase",
                       "Point",
                       "Positions",
                       "Source",
                       "StandardItem",
                       "Target",
                       "Task",
                       "Text",
                       "Unit",
                       "document_schema",
                       "load_document",
                       "load_document_data",
                       "load_source",
                       "read_data",
                       "schema_json",
                       "text_any",
                       "text_in",
]
