"""Model fields shared by every app."""

from django.db import models

__all__ = ["PathField"]


class PathField(models.CharField):
    """A materialised path column, compared byte by byte.

    PostgreSQL's default collations ignore punctuation, which would break the range arithmetic
    of :mod:`bridgework.core.paths`; the column is therefore declared ``COLLATE "C"`` there.
    SQLite already compares with BINARY.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)

    def db_parameters(self, connection):
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params
