"""The organization directory every consuming service keeps (docs/directory.md).

Nothing here imports grpc except `client.py`, which event workers never import.
"""

from services.common.directory.handlers import directory_handlers
from services.common.directory.model import (
    DirectoryMember,
    DirectoryPost,
    DirectoryTenant,
    DirectoryUnit,
)
from services.common.directory.repository import Directory
from services.common.directory.tables import (
    DIRECTORY_TABLE_NAMES,
    DirectoryTables,
    add_directory_tables,
)

__all__ = [
    "DIRECTORY_TABLE_NAMES",
    "Directory",
    "DirectoryMember",
    "DirectoryPost",
    "DirectoryTables",
    "DirectoryTenant",
    "DirectoryUnit",
    "add_directory_tables",
    "directory_handlers",
]
