"""What an import plan holds: each row of the file, its errors or what saving it would do,
the records it looks like and what merging into each would change."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from bridgework.places.importers import RowError
from bridgework.places.models import Place

from ..actions import ImportWrite

__all__ = [
    "CREATE",
    "ERROR_COLUMN",
    "MERGE",
    "SKIP",
    "ActorImportError",
    "Candidate",
    "Change",
    "ImportChanged",
    "ImportPlan",
    "ImportResult",
    "PlannedRow",
    "bad_rows_table",
]

CREATE, SKIP, MERGE = "create", "skip", "merge"
# The column the bad-rows file adds; a re-uploaded bad-rows file has it and it is replaced.
ERROR_COLUMN = "errors"


@dataclass(frozen=True)
class Change:
    """One thing a merge would do to an existing record.

    ``kind`` is ``fill`` (an empty field gets the file's value), ``add`` (areas, activities or
    a post are added) or ``keep`` (the record already says something else: it is kept)."""

    kind: str
    field: str
    label: str
    value: str
    file_value: str = ""

    def __str__(self) -> str:
        values = {"field": self.label, "value": self.value, "file": self.file_value}
        if self.kind == "fill":
            return _("sets %(field)s to “%(value)s”") % values
        if self.kind == "add":
            return _("adds %(field)s: %(value)s") % values
        return _("keeps %(field)s “%(value)s” (the file says “%(file)s”)") % values


@dataclass
class Candidate:
    """A record already there (``pk``) or an earlier row of the file (``row``) that a row
    looks like."""

    name: str
    pk: int | None = None
    row: int | None = None
    changeable: bool = False
    changes: list[Change] = field(default_factory=list)
    merge_errors: list[str] = field(default_factory=list)
    merge: ImportWrite | None = None

    @property
    def option(self) -> str | None:
        """The decision value that merges into this record, when a merge is possible."""
        if self.pk is None or not self.changeable or self.merge_errors:
            return None
        return f"{MERGE}:{self.pk}"


@dataclass
class PlannedRow:
    row: int
    values: dict[str, str]
    name: str
    errors: list[RowError] = field(default_factory=list)
    place: Place | None = None
    shown: dict[str, str] = field(default_factory=dict)  # what the preview shows of the row
    write: ImportWrite | None = None  # what creating it saves
    candidates: list[Candidate] = field(default_factory=list)
    selected: str | None = None  # the user's decision, when the preview is shown again

    @property
    def is_good(self) -> bool:
        return not self.errors

    @property
    def flagged(self) -> bool:
        return bool(self.candidates)

    @property
    def options(self) -> list[str]:
        """The decisions the user may take for this row, the default first."""
        if not self.is_good:
            return []
        merges = [c.option for c in self.candidates if c.option]
        if self.flagged:
            return [SKIP, *merges, CREATE]
        return [CREATE, SKIP]

    @property
    def default(self) -> str | None:
        """A flagged row is skipped unless the user says otherwise (safe); a clean row is
        created."""
        return self.options[0] if self.options else None

    @property
    def choices(self) -> list[tuple[str, str, bool]]:
        """The options as the preview offers them: value, label, whether selected."""
        names = {c.option: c.name for c in self.candidates if c.option}
        chosen = self.selected if self.selected in self.options else self.default
        labels = {
            SKIP: _("Skip"),
            CREATE: _("Create anyway") if self.flagged else _("Create"),
        }
        return [
            (
                option,
                labels.get(option) or _("Merge into %(name)s") % {"name": names[option]},
                option == chosen,
            )
            for option in self.options
        ]

    @property
    def action(self) -> str:
        """What the row does by default: create, skip or error."""
        return self.default or "error"

    def errors_text(self) -> str:
        return "; ".join(f"{e.column}: {e.message}" for e in self.errors)


@dataclass
class ImportPlan:
    kind: str
    rows: list[PlannedRow]
    file_errors: list[RowError] = field(default_factory=list)

    @property
    def errors(self) -> list[RowError]:
        return self.file_errors + [e for row in self.rows for e in row.errors]

    @property
    def good_rows(self) -> list[PlannedRow]:
        return [row for row in self.rows if row.is_good]

    @property
    def bad_rows(self) -> list[PlannedRow]:
        return [row for row in self.rows if not row.is_good]

    @property
    def fingerprint(self) -> str:
        """What the user decides on: each row's state, its options and what each merge would
        change. The import refuses to write when this differs from what was previewed."""
        facts = [
            [
                row.row,
                row.is_good,
                row.options,
                [
                    [c.pk, c.row, [[ch.kind, ch.field, ch.value] for ch in c.changes]]
                    for c in row.candidates
                ],
            ]
            for row in self.rows
        ]
        facts.append([str(error.column) for error in self.file_errors])
        return hashlib.sha256(json.dumps(facts, default=str).encode()).hexdigest()


@dataclass
class ImportResult:
    created: int = 0
    merged: int = 0
    skipped: int = 0
    to_fix: list[dict[str, str]] = field(default_factory=list)  # the bad rows, as uploaded

    @property
    def bad(self) -> int:
        return len(self.to_fix)


@dataclass
class ActorImportError(Exception):
    """The decisions sent do not fit the plan (an option never offered, two rows merging into
    one record): nothing was written."""

    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(self.errors)


@dataclass
class ImportChanged(Exception):
    """The rows would not do what the user previewed (the data changed meanwhile): nothing
    was written; ``plan`` is the new preview."""

    plan: ImportPlan


def bad_rows_table(plan: ImportPlan, columns: list[str]) -> tuple[list[str], list[list[str]]]:
    """The bad rows as they were uploaded (same columns, same order) plus an ``errors``
    column saying what to fix."""
    header = [c for c in columns if c != ERROR_COLUMN] + [ERROR_COLUMN]
    body = [
        [row.values.get(c, "") for c in header[:-1]] + [row.errors_text()] for row in plan.bad_rows
    ]
    return header, body
