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

This module uses the pages' forms, so it sits with them above ``web`` (decision 0001): views
import it, nothing below them does.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django import forms
from django.db.models import Q
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process, utils

from bridgework.access.policy import can, places_for
from bridgework.core.tlp import TLP
from bridgework.places.importers import RowError
from bridgework.places.models import Place
from bridgework.web.forms import ScopedModelForm

from .actions import ImportWrite, do_import_actors
from .choices import OrgLevel, Sector
from .forms import OrganisationForm, PersonForm, PostForm, place_token
from .models import Organisation, Person, Post, Theme

__all__ = [
    "CREATE",
    "ERROR_COLUMN",
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

ORG_COLUMNS = (
    "name",
    "short_name",
    "sector",
    "level",
    "place",
    "areas",
    "themes",
    "website",
    "tlp",
)
PEOPLE_COLUMNS = (
    "full_name",
    "place",
    "email",
    "phone",
    "organisation",
    "title",
    "starts_on",
    "ends_on",
    "tlp",
)
REQUIRED = {"organisations": ("name", "sector", "level", "place"), "people": ("full_name", "place")}
MAX_ROWS = 2000
DUPLICATE_SCORE = 80
# How close a code or name must be to be offered as "did you mean".
SUGGEST_SCORE = 50
SUGGESTIONS = 3
# The column the bad-rows file adds; a re-uploaded bad-rows file has it and it is replaced.
ERROR_COLUMN = "errors"

CREATE, SKIP, MERGE = "create", "skip", "merge"

# Words that say little about which organisation it is: "Peel Regional Police" ≈ "Peel Police".
_FILLER = {
    "the",
    "of",
    "and",
    "for",
    "regional",
    "region",
    "service",
    "services",
    "department",
    "organisation",
    "organization",
    "association",
    "inc",
    "ltd",
    "demo",
    "office",
}
_NON_WORD = re.compile(r"[^\w]+")
_LIST_SEPARATORS = re.compile(r"[;,]")
# A date cell of a spreadsheet reads as midnight of that day.
_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]00:00(:00)?$")
# Upload columns and the form fields that validate them, where the names differ.
_COLUMN_OF_FIELD = {"areas_text": "areas", "__all__": "-"}


def normalise_name(name: str) -> str:
    words = _NON_WORD.sub(" ", name.casefold()).split()
    kept = [w for w in words if w not in _FILLER]
    return " ".join(kept or words)


def similar_names(name: str, candidates: list[str]) -> list[str]:
    """The candidates with the same or a similar name, best first (at most three)."""
    return [candidates[i] for i in _close(name, [normalise_name(c) for c in candidates])]


# --- what a plan holds ---------------------------------------------------------------------------


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
    bad: int = 0


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


# --- reading what people type ----------------------------------------------------------------


def _choice(value: str, choices) -> str:
    """A choice's key from its key or label, any case; otherwise the text as typed (the form
    then says it is not one of the choices)."""
    wanted = value.strip().casefold()
    for key, label in choices:
        if wanted in {str(key).casefold(), str(label).casefold()}:
            return str(key)
    return value


def _tlp(value: str) -> str:
    wanted = value.strip().upper().removeprefix("TLP:")
    for member in TLP:
        if wanted in {member.name.replace("_", "+"), member.name, str(member.value)}:
            return str(member.value)
    return value


def _date(value: str) -> str:
    match = _MIDNIGHT.match(value.strip())
    return match.group(1) if match else value


def _split(value: str) -> list[str]:
    return [part.strip() for part in _LIST_SEPARATORS.split(value) if part.strip()]


def _looks_like_code(token: str) -> bool:
    return not any(c.isspace() or c.islower() for c in token)


def _nul(row: dict[str, str], number: int, columns: Iterable[str]) -> list[RowError]:
    """A NUL in a column that names a record or a choice, refused with the forms' message
    (the columns that reach a form field are refused by the field itself)."""
    return [
        RowError(number, column, _("Null characters are not allowed."))
        for column in columns
        if "\x00" in row.get(column, "")
    ]


class _Places:
    """Places named in a file, by ISO code, P-code or a name only one of them has, among the
    places where the user may add records: loaded once, matched in Python (case-insensitive
    whatever the database's collation)."""

    def __init__(self, user, model) -> None:
        self.user = user
        rows = places_for(user, "add", model).values_list("pk", "name", "code", "pcode")
        self.entries: list[tuple[int, str, str, str]] = list(rows)
        self.by_code: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = {}
        for pk, name, code, pcode in self.entries:
            for key in (code, pcode):
                if key:
                    self.by_code[key.upper()] = pk
            self.by_name.setdefault(name.casefold(), []).append(pk)
        self.objects: dict[int, Place] = {}
        self._problems: dict[str, str] = {}

    def load(self, tokens: Iterable[str]) -> None:
        """Fetch the places ``tokens`` name (one query), and explain the rest (a few more)."""
        wanted: set[int] = set()
        unresolved = []
        for token in {t.strip() for t in tokens if t.strip() and "\x00" not in t}:
            pk = self._resolve(token)
            if pk is None:
                unresolved.append(token)
            elif pk > 0:
                wanted.add(pk)
        self.objects = Place.objects.in_bulk(wanted)
        self._explain(unresolved)

    def _resolve(self, token: str) -> int | None:
        """The place's pk; 0 when several places have that name; None when none has it."""
        pk = self.by_code.get(token.upper())
        if pk is not None:
            return pk
        named = self.by_name.get(token.casefold(), [])
        if len(named) > 1:
            self._problems[token] = _(
                "Several places where you may add records are called “%(name)s”: use its code."
            ) % {"name": token}
            return 0
        return named[0] if named else None

    def _explain(self, tokens: list[str]) -> None:
        """Unknown, or known (a place the user may see) but not one where they may add."""
        if not tokens:
            return
        seen = Q()
        for token in tokens[:100]:
            seen |= Q(code__iexact=token) | Q(pcode__iexact=token) | Q(name__iexact=token)
        visible = Place.objects.visible_to(self.user, "view").filter(seen)
        known: dict[str, Place] = {}
        for place in visible.only("pk", "name", "code", "pcode")[:500]:
            for key in (place.code, place.pcode, place.name):
                if key:
                    known.setdefault(key.casefold(), place)
        for token in tokens:
            place = known.get(token.casefold())
            if place is not None:
                self._problems[token] = _(
                    "%(token)s (%(name)s) is outside the places where you may add records."
                ) % {"token": token, "name": place.name}
                continue
            if _looks_like_code(token):
                message = _("%(token)s is not a known place code.") % {"token": token}
            else:
                message = _("“%(token)s” is not a known place.") % {"token": token}
            suggestions = self.suggest(token)
            if suggestions:
                message += " " + _("Did you mean: %(places)s?") % {"places": ", ".join(suggestions)}
            self._problems[token] = message

    def suggest(self, token: str) -> list[str]:
        """The nearest codes and names of places where the user may add records, with names."""
        best: dict[int, float] = {}
        codes = [(pk, c) for pk, _n, code, pcode in self.entries for c in (code, pcode) if c]
        names = [(pk, name) for pk, name, _c, _p in self.entries]
        for pairs, scorer in ((codes, fuzz.ratio), (names, fuzz.WRatio)):
            matches = process.extract(
                token,
                [text for _pk, text in pairs],
                scorer=scorer,
                processor=utils.default_process,
                score_cutoff=SUGGEST_SCORE,
                limit=SUGGESTIONS * 2,
            )
            for _text, score, index in matches:
                pk = pairs[index][0]
                best[pk] = max(best.get(pk, 0.0), score)
        ranked = sorted(best, key=lambda pk: -best[pk])[:SUGGESTIONS]
        entries = {pk: (name, code or pcode) for pk, name, code, pcode in self.entries}
        return [
            f"{entries[pk][1]} ({entries[pk][0]})" if entries[pk][1] else entries[pk][0]
            for pk in ranked
        ]

    def get(self, token: str) -> Place | str:
        """The place, or why there is none."""
        token = token.strip()
        if "\x00" in token:
            return _("Null characters are not allowed.")
        pk = self._resolve(token)
        if pk:
            return self.objects[pk]
        return self._problems.get(token) or _("%(token)s is not a known place code.") % {
            "token": token
        }


_F = TypeVar("_F", bound=ScopedModelForm)


def _scoped_once(form_class: type[_F], user, action: str) -> type[_F]:
    """``form_class`` as the page builds it for ``user`` (its choices scoped, the fields they may
    not fill left out), scoped once: every row's form is a copy of those fields, as a form's
    fields are copies of its class's. Scoping it again for each row would cost a few queries
    a row, for the same answer."""
    template = form_class(user=user, action=action)

    class Scoped(form_class):  # type: ignore[valid-type,misc]
        def __init__(self, data=None, **kwargs):
            forms.ModelForm.__init__(self, data, **kwargs)
            self.user, self.action = user, action

    Scoped.base_fields = template.fields
    return Scoped


class _Context:
    """What every row is checked against, loaded in a handful of queries."""

    def __init__(self, rows: list[dict[str, str]], kind: str, user) -> None:
        self.kind = kind
        self.user = user
        self.model = Organisation if kind == "organisations" else Person
        self.places = _Places(user, self.model)
        tokens = [row.get("place", "") for row in rows]
        if kind == "organisations":
            tokens += [t for row in rows for t in _split(row.get("areas", ""))]
        self.places.load(tokens)
        self.themes: dict[str, Theme] = {}
        for theme in Theme.objects.all():
            self.themes[theme.slug.casefold()] = theme
            self.themes[theme.name.casefold()] = theme
        self._forms: dict[type, type] = {}
        self.orgs: dict[str, list[Organisation]] = {}
        if kind == "people":
            named = {row.get("organisation", "") for row in rows} - {""}
            visible = Organisation.objects.visible_to(user, "view").select_related("place")
            for org in visible.filter(name__in=named):
                self.orgs.setdefault(org.name.casefold(), []).append(org)

    def form(self, form_class: type[_F], data: dict[str, Any]) -> _F:
        """The page's form for adding a record, bound to a row's ``data``."""
        if form_class not in self._forms:
            self._forms[form_class] = _scoped_once(form_class, self.user, "add")
        return self._forms[form_class](data)  # type: ignore[return-value]

    def load_existing(self, place_ids: set[int]) -> None:
        """The records the user may see at the rows' places, and which they may change."""
        name_field = "name" if self.kind == "organisations" else "full_name"
        visible = self.model.objects.visible_to(self.user, "view").filter(place_id__in=place_ids)
        if self.kind == "people":
            visible = visible.filter(erased_at__isnull=True)
        self.existing: dict[int, list[tuple[str, int]]] = {}
        for pk, name, place_id in visible.values_list("pk", name_field, "place_id"):
            self.existing.setdefault(place_id, []).append((name, pk))
        self.changeable = set(
            self.model.objects.visible_to(self.user, "change")
            .filter(place_id__in=place_ids)
            .values_list("pk", flat=True)
        )


# --- planning --------------------------------------------------------------------------------


def plan_import(rows: list[dict[str, str]], kind: str, user) -> ImportPlan:
    """Check every row through the pages' forms and find likely duplicates. Nothing is
    written."""
    plan = ImportPlan(kind, [])
    if not rows:
        plan.file_errors = [RowError(1, "-", _("The file has no data rows."))]
        return plan
    if len(rows) > MAX_ROWS:
        plan.file_errors = [RowError(1, "-", _("At most %(n)s rows per file.") % {"n": MAX_ROWS})]
        return plan
    missing = [c for c in REQUIRED[kind] if c not in rows[0]]
    if missing:
        plan.file_errors = [RowError(1, c, _("This column is required.")) for c in missing]
        return plan
    context = _Context(rows, kind, user)
    check = _check_org_row if kind == "organisations" else _check_person_row
    plan.rows = [check(number, row, context) for number, row in enumerate(rows, start=2)]
    context.load_existing({row.place.pk for row in plan.good_rows if row.place is not None})
    _flag_duplicates(plan.good_rows, context)
    return plan


def _errors_of(form: forms.BaseForm, number: int, skip: Iterable[str] = ()) -> list[RowError]:
    """A form's errors as the upload's row and columns."""
    return [
        RowError(number, _COLUMN_OF_FIELD.get(name, name), str(message))
        for name, messages in form.errors.items()
        if name not in skip
        for message in messages
    ]


def _resolve_list(
    number: int, column: str, tokens: list[str], lookup, errors: list[RowError]
) -> list[Any]:
    found = []
    for token in tokens:
        value = lookup(token)
        if isinstance(value, str):
            errors.append(RowError(number, column, value))
        else:
            found.append(value)
    return found


def _check_org_row(number: int, row: dict[str, str], context: _Context) -> PlannedRow:
    planned = PlannedRow(number, row, row.get("name", "").strip())
    errors = planned.errors
    errors += _nul(row, number, ("sector", "level", "themes", "tlp"))
    place = context.places.get(row.get("place", "")) if row.get("place", "").strip() else None
    if isinstance(place, str):
        errors.append(RowError(number, "place", place))
        place = None
    areas = _resolve_list(number, "areas", _split(row.get("areas", "")), context.places.get, errors)

    def theme(token: str) -> Theme | str:
        found = context.themes.get(token.casefold())
        return found or _("“%(name)s” is not a known activity or theme.") % {"name": token}

    themes = _resolve_list(number, "themes", _split(row.get("themes", "")), theme, errors)
    data = {
        "name": row.get("name", ""),
        "short_name": row.get("short_name", ""),
        "sector": _choice(row.get("sector", ""), Sector.choices),
        "level": _choice(row.get("level", ""), OrgLevel.choices),
        "place": place.pk if place else "",
        "areas_text": ", ".join(place_token(area) for area in areas),
        "themes": [t.pk for t in themes],
        "website": row.get("website", ""),
        "tlp": _tlp(row.get("tlp", "")) if row.get("tlp", "").strip() else str(TLP.GREEN.value),
    }
    form = context.form(OrganisationForm, data)
    # A place the import could not name is already explained in the words of the file.
    skip = {"place"} if any(e.column == "place" for e in errors) else set()
    valid = form.is_valid()
    errors += _errors_of(form, number, skip)
    planned.shown = {
        "sector": _label(form, "sector", data["sector"]),
        "level": _label(form, "level", data["level"]),
        "themes": ", ".join(t.name for t in themes),
        "place": place.name if place else row.get("place", ""),
    }
    if valid and not errors:
        planned.place = form.cleaned_data["place"]
        planned.write = ImportWrite(
            form.save(commit=False),
            areas=tuple(form.cleaned_data["areas_text"]),
            themes=tuple(form.cleaned_data["themes"]),
        )
    return planned


def _label(form: forms.BaseForm, name: str, value: Any) -> str:
    field = form.fields.get(name)
    for key, label in getattr(field, "choices", ()):
        if str(key) == str(value):
            return str(label)
    return value


def _check_person_row(number: int, row: dict[str, str], context: _Context) -> PlannedRow:
    planned = PlannedRow(number, row, row.get("full_name", "").strip())
    errors = planned.errors
    errors += _nul(row, number, ("organisation", "tlp"))
    place = context.places.get(row.get("place", "")) if row.get("place", "").strip() else None
    if isinstance(place, str):
        errors.append(RowError(number, "place", place))
        place = None
    data = {
        "full_name": row.get("full_name", ""),
        "place": place.pk if place else "",
        "email": row.get("email", ""),
        "phone": row.get("phone", ""),
        "tlp": _tlp(row.get("tlp", "")) if row.get("tlp", "").strip() else str(TLP.GREEN.value),
    }
    form = context.form(PersonForm, data)
    for column in ("email", "phone"):
        if row.get(column, "").strip() and column not in form.fields:
            errors.append(RowError(number, column, _("You may not record contact details.")))
    skip = {"place"} if any(e.column == "place" for e in errors) else set()
    valid = form.is_valid()
    errors += _errors_of(form, number, skip)
    post = _check_post(number, row, context, errors)
    org_name = row.get("organisation", "").strip()
    planned.shown = {
        "place": place.name if place else row.get("place", ""),
        "post": f"{row.get('title', '').strip()}, {org_name}" if org_name else "",
    }
    if valid and not errors:
        planned.place = form.cleaned_data["place"]
        planned.write = ImportWrite(form.save(commit=False), post=post)
    return planned


def _check_post(number: int, row: dict[str, str], context: _Context, errors) -> Post | None:
    """The row's post, validated by the post form (the person is the row's, saved first)."""
    org_name = row.get("organisation", "").strip()
    if not org_name:
        if row.get("title", "").strip():
            errors.append(RowError(number, "organisation", _("A post needs an organisation.")))
        return None
    matches = context.orgs.get(org_name.casefold(), [])
    if not matches:
        errors.append(
            RowError(
                number,
                "organisation",
                _("No organisation you may see is called “%(name)s”.") % {"name": org_name},
            )
        )
        return None
    if len(matches) > 1:
        errors.append(
            RowError(
                number,
                "organisation",
                _("Several organisations are called “%(name)s”.") % {"name": org_name},
            )
        )
        return None
    org = matches[0]
    if not can(context.user, "add", Post, org.place):
        errors.append(
            RowError(
                number,
                "organisation",
                _("You may not add posts to “%(name)s”.") % {"name": org_name},
            )
        )
        return None
    data = {
        "organisation": org.pk,
        "title": row.get("title", ""),
        "starts_on": _date(row.get("starts_on", "")),
        "ends_on": _date(row.get("ends_on", "")),
    }
    form = context.form(PostForm, data)
    form.is_valid()
    post_errors = _errors_of(form, number, skip={"person"})
    errors += post_errors
    if post_errors:
        return None
    return Post(
        organisation=form.cleaned_data["organisation"],
        title=form.cleaned_data["title"],
        starts_on=form.cleaned_data["starts_on"],
        ends_on=form.cleaned_data["ends_on"],
    )


# --- duplicates and merges ---------------------------------------------------------------------


def _flag_duplicates(rows: list[PlannedRow], context: _Context) -> None:
    """Records at the same place with the same or a similar name (among those the user may
    see), and earlier rows of the file at the same place: the row is flagged."""
    records: dict[int, tuple[list[str], list[tuple[str, int]]]] = {}
    earlier: dict[int, tuple[list[str], list[tuple[str, int]]]] = {}
    for planned in rows:
        assert planned.place is not None
        place_id = planned.place.pk
        if place_id not in records:
            there = context.existing.get(place_id, [])
            records[place_id] = ([normalise_name(name) for name, _pk in there], there)
        keys, there = records[place_id]
        for index in _close(planned.name, keys):
            name, pk = there[index]
            candidate = Candidate(name, pk=pk, changeable=pk in context.changeable)
            if candidate.changeable:
                _plan_merge(planned, candidate, context)
            planned.candidates.append(candidate)
        keys, before = earlier.setdefault(place_id, ([], []))
        for index in _close(planned.name, keys):
            name, row = before[index]
            planned.candidates.append(Candidate(name, row=row))
        keys.append(normalise_name(planned.name))
        before.append((planned.name, planned.row))


def _close(name: str, normalised: list[str]) -> list[int]:
    """The indexes of the ``normalised`` names equal or similar to ``name``'s, best first."""
    matches = process.extract(
        normalise_name(name),
        normalised,
        scorer=fuzz.token_set_ratio,
        score_cutoff=DUPLICATE_SCORE,
        limit=SUGGESTIONS,
    )
    return [index for _text, _score, index in matches]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _plan_merge(planned: PlannedRow, candidate: Candidate, context: _Context) -> None:
    """What merging the row into the candidate would change, validated by the page's edit
    form: empty fields filled, areas, activities and posts added; nothing filled overwritten."""
    model = context.model
    record = model.objects.visible_to(context.user, "change").get(pk=candidate.pk)
    new = planned.write
    assert new is not None
    form_class = OrganisationForm if model is Organisation else PersonForm
    meta_fields = list(form_class.Meta.fields)
    data = {k: _form_value(v) for k, v in model_to_dict(record, fields=meta_fields).items()}
    # The edit form as the page builds it for this user and record (it leaves out contact
    # details they may not see); ``data`` is completed below, before it is validated.
    form = form_class(data, instance=record, user=context.user, action="change")
    changes: list[Change] = []
    fill = ("short_name", "website") if model is Organisation else ("email", "phone")
    keep = ("sector", "level", "tlp") if model is Organisation else ("tlp",)
    for name in fill:
        if name not in form.fields:
            continue
        mine, theirs = getattr(record, name), getattr(new.record, name)
        if theirs and not mine:
            data[name] = theirs
            changes.append(Change("fill", name, _field_label(model, name), _text(theirs)))
        elif theirs and theirs != mine:
            changes.append(Change("keep", name, _field_label(model, name), mine, _text(theirs)))
    for name in keep:
        mine, theirs = getattr(record, name), getattr(new.record, name)
        if name == "tlp" and not planned.values.get("tlp", "").strip():
            continue  # no label in the file: nothing to compare
        if theirs != mine:
            display = f"get_{name}_display"
            changes.append(
                Change(
                    "keep",
                    name,
                    _field_label(model, name),
                    _text(getattr(record, display)()),
                    _text(getattr(new.record, display)()),
                )
            )
    if model is Organisation:
        current_areas = [a.place for a in record.areas.select_related("place")]
        added_areas = [p for p in (new.areas or ()) if p.pk not in {c.pk for c in current_areas}]
        kept_areas = [p for p in current_areas if p.pk != record.place_id]
        data["areas_text"] = ", ".join(place_token(p) for p in [*kept_areas, *added_areas])
        if added_areas:
            changes.append(
                Change("add", "areas", str(_("areas")), ", ".join(p.name for p in added_areas))
            )
        current_themes = list(record.themes.all())
        added_themes = [t for t in (new.themes or ()) if t not in current_themes]
        data["themes"] = [t.pk for t in [*current_themes, *added_themes]]
        if added_themes:
            changes.append(
                Change(
                    "add",
                    "themes",
                    _field_label(model, "themes"),
                    ", ".join(t.name for t in added_themes),
                )
            )
    if not form.is_valid():
        candidate.merge_errors = [
            f"{_COLUMN_OF_FIELD.get(name, name)}: {message}"
            for name, messages in form.errors.items()
            for message in messages
        ]
        return
    post = new.post
    if (
        post is not None
        and record.posts.filter(organisation=post.organisation, title=post.title).exists()
    ):
        post = None
    if post is not None:
        changes.append(
            Change("add", "post", str(_("post")), f"{post.title}, {post.organisation.name}")
        )
    candidate.changes = changes
    if any(change.kind != "keep" for change in changes):
        saved = form.save(commit=False)
        if model is Organisation:
            candidate.merge = ImportWrite(
                saved,
                areas=tuple(form.cleaned_data["areas_text"]),
                themes=tuple(form.cleaned_data["themes"]),
            )
        else:
            candidate.merge = ImportWrite(saved, post=post)


def _form_value(value: Any) -> Any:
    if isinstance(value, list):
        return [getattr(v, "pk", v) for v in value]
    return getattr(value, "pk", value) if value is not None else ""


def _field_label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


# --- applying ----------------------------------------------------------------------------------


def apply_import(
    rows: list[dict[str, str]],
    kind: str,
    decisions: Mapping[int, str],
    *,
    acting_user,
    previewed: str,
) -> ImportResult:
    """Write the good rows as decided (``decisions``: row number → option; a row not named
    takes its default), all or nothing.

    Raises :class:`ImportChanged` when the rows would no longer do what the user previewed
    (fingerprint ``previewed``) and :class:`ActorImportError` when a decision is not one the
    preview offered; nothing is written then."""
    plan = plan_import(rows, kind, acting_user)
    if plan.file_errors or plan.fingerprint != previewed:
        raise ImportChanged(plan)
    chosen = _decide(plan, decisions)
    result = ImportResult(bad=len(plan.bad_rows))
    writes: list[ImportWrite] = []
    for planned, decision in chosen:
        if decision == SKIP:
            result.skipped += 1
        elif decision == CREATE:
            assert planned.write is not None
            writes.append(planned.write)
            result.created += 1
        else:
            candidate = next(c for c in planned.candidates if c.option == decision)
            if candidate.merge is not None:  # else merging changes nothing
                writes.append(candidate.merge)
            result.merged += 1
    do_import_actors(writes, acting_user=acting_user)
    return result


def _decide(plan: ImportPlan, decisions: Mapping[int, str]) -> list[tuple[PlannedRow, str]]:
    errors = []
    chosen = []
    merged_into: dict[str, int] = {}
    for planned in plan.good_rows:
        decision = decisions.get(planned.row) or planned.default
        assert decision is not None
        if decision not in planned.options:
            errors.append(
                _("Row %(row)s: “%(decision)s” is not one of its choices.")
                % {"row": planned.row, "decision": decision}
            )
            continue
        if decision.startswith(MERGE):
            if decision in merged_into:
                errors.append(
                    _("Rows %(first)s and %(row)s both merge into the same record: choose one.")
                    % {"first": merged_into[decision], "row": planned.row}
                )
            merged_into.setdefault(decision, planned.row)
        chosen.append((planned, decision))
    if errors:
        raise ActorImportError(errors)
    return chosen


def bad_rows_table(plan: ImportPlan, columns: list[str]) -> tuple[list[str], list[list[str]]]:
    """The bad rows as they were uploaded (same columns, same order) plus an ``errors``
    column saying what to fix."""
    header = [c for c in columns if c != ERROR_COLUMN] + [ERROR_COLUMN]
    body = [
        [row.values.get(c, "") for c in header[:-1]] + [row.errors_text()] for row in plan.bad_rows
    ]
    return header, body
