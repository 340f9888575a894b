"""Import one D0010 file: the use case behind the command line and the admin upload.

``import_flow_file`` streams the file through the parser and writes what it finds in bounded
batches, all inside one transaction: a file is imported whole or not at all. The same bytes
imported again are recognised by their SHA-256 and not written twice. It returns an
``ImportResult``, or raises an ``ImportNotDone`` (whichever way the file was not imported);
both carry their own wording, so every interface says the same.

Callers import this package only; its private modules are its parts: ``_import`` (the use
case), ``_outcomes`` (its result and exceptions), ``_attempts`` (the attempt's row),
``_flow_file`` (the flow file's row),
``_columns`` and ``_bulk`` (the tables a batch writes, and the batch writer), ``_database``
(what differs between SQLite and PostgreSQL), ``_read_ahead`` (the parsing thread) and
``_tuning`` (the interpreter settings a process that imports may choose: ``import_tuning``).
"""

from ._database import SQLITE_IMPORT_CACHE_KIB
from ._import import DEFAULT_BATCH_SIZE, ProgressCallback, import_flow_file, record_too_large
from ._outcomes import (
    BytesNotKept,
    DatabaseRefused,
    DuplicateFileIdentifier,
    FileUnreadable,
    FlowFileAlreadyImported,
    ImportNotDone,
    ImportRefused,
    ImportResult,
    InvalidFile,
    NotOperationalData,
    Outcome,
)
from ._tuning import import_tuning

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "SQLITE_IMPORT_CACHE_KIB",
    "BytesNotKept",
    "DatabaseRefused",
    "DuplicateFileIdentifier",
    "FileUnreadable",
    "FlowFileAlreadyImported",
    "ImportNotDone",
    "ImportRefused",
    "ImportResult",
    "InvalidFile",
    "NotOperationalData",
    "Outcome",
    "ProgressCallback",
    "import_flow_file",
    "import_tuning",
    "record_too_large",
]
