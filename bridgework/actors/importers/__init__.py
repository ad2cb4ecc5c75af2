"""Bulk import of organisations and people from CSV/XLSX: check every row, preview what each
would do, then write the rows the user chose, all or nothing.

Every row is validated by the pages' own forms (:class:`~.forms.OrganisationForm`,
:class:`~.forms.PersonForm`, :class:`~.forms.PostForm`, with their scoped choices and the
model's ``full_clean``), so the preview shows, per row and column, exactly the errors saving
would give: nothing is truncated, and what the preview accepts saves. The import only turns
what people type in a spreadsheet (a place's code or name, a sector's label, a theme's name)
into what those forms take.

A row is either bad (its errors are listed, and it goes into the bad-rows file) or good. A good
row that looks like a record already there (or like an earlier row of the file) is *flagged*:
per row, the user skips it (the default), merges it into the existing record (empty fields are
filled, areas, activities and posts added, nothing already filled is overwritten) or creates it
anyway. The preview and the import run the same :func:`plan_import`; the import compares the
plan with the one the user saw (:attr:`ImportPlan.fingerprint`) and writes through
:func:`~.actions.do_import_actors`.

This package uses the pages' forms, so it sits with them above ``web`` (decision 0001): views
import it, nothing below them does.
"""

from .duplicates import normalise_name, similar_names
from .plan import (
    CREATE,
    ERROR_COLUMN,
    MERGE,
    SKIP,
    ActorImportError,
    Candidate,
    Change,
    ImportChanged,
    ImportPlan,
    ImportResult,
    PlannedRow,
    bad_rows_table,
)
from .rows import MAX_ROWS, ORG_COLUMNS, PEOPLE_COLUMNS, apply_import, plan_import

__all__ = [
    "CREATE",
    "ERROR_COLUMN",
    "MAX_ROWS",
    "MERGE",
    "ORG_COLUMNS",
    "PEOPLE_COLUMNS",
    "SKIP",
    "ActorImportError",
    "Candidate",
    "Change",
    "ImportChanged",
    "ImportPlan",
    "ImportResult",
    "PlannedRow",
    "apply_import",
    "bad_rows_table",
    "normalise_name",
    "plan_import",
    "similar_names",
]
