"""The documents of sittings: extract, list of deliberations, procès-verbal, convocation.

Each builder turns the database into plain data (``contexts``: what the ``documents`` app
renders with ``templates/documents/<kind>.html`` and ``.docx``); ``generation`` produces
them, ``sitting_bundle`` being the builder of a whole sitting run in the background by
``documents.start_batch`` (stored batches name it ``deliberations.documents.sitting_bundle``);
``public`` serves the public register's extracts.
"""

from deliberations.documents.contexts import (
    METHOD_PHRASE,
    attendance_lists,
    convocation_context,
    extract_context,
    list_context,
    minutes_context,
    sitting_context,
)
from deliberations.documents.generation import (
    KIND_CONVOCATION,
    KIND_EXTRACT,
    KIND_LIST,
    KIND_MINUTES,
    extract_source,
    generate_extract,
    generate_missing_extract,
    generate_sitting_document,
    has_extract,
    sitting_bundle,
    start_sitting_bundle,
)
from deliberations.documents.public import public_extract_response, public_extract_urls

__all__ = [
    "KIND_CONVOCATION",
    "KIND_EXTRACT",
    "KIND_LIST",
    "KIND_MINUTES",
    "METHOD_PHRASE",
    "attendance_lists",
    "convocation_context",
    "extract_context",
    "extract_source",
    "generate_extract",
    "generate_missing_extract",
    "generate_sitting_document",
    "has_extract",
    "list_context",
    "minutes_context",
    "public_extract_response",
    "public_extract_urls",
    "sitting_bundle",
    "sitting_context",
    "start_sitting_bundle",
]
