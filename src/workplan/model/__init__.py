"""The document model and its loader: data file → validated :class:`Document`."""
from .document import (Document, LangText, Member, Phase, Point, StandardItem, Target, Task, Text, Unit,
                       text_any, text_in)
from .load import document_schema, load_document, read_data, schema_json

__all__ = ["Document", "LangText", "Member", "Phase", "Point", "StandardItem", "Target", "Task", "Text",
           "Unit", "text_any", "text_in", "document_schema", "load_document", "read_data", "schema_json"]
