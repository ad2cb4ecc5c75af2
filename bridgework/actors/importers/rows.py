"""An upload's rows: what people type turned into what the pages' forms take, each row
validated by those forms (:func:`plan_import`), then written as the user decided
(:func:`apply_import`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django import forms
from django.utils.translation import gettext as _

from bridgework.access.policy import can
from bridgework.core.tlp import TLP
from bridgework.places.importers import RowError
from bridgework.web.forms import ScopedModelForm

from ..actions import ImportWrite, do_import_actors
from ..choices import OrgLevel, Sector
from ..forms import OrganisationForm, PersonForm, PostForm, place_token
from ..models import Organisation, Person, Post, Theme
from .duplicates import COLUMN_OF_FIELD, flag_duplicates
from .places import PlaceNames
from .plan import (
    CREATE,
    MERGE,
    SKIP,
    ActorImportError,
    ImportChanged,
    ImportPlan,
    ImportResult,
    PlannedRow,
)

__all__ = [
    "MAX_ROWS",
    "ORG_COLUMNS",
    "PEOPLE_COLUMNS",
    "RowContext",
    "apply_import",
    "plan_import",
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

_LIST_SEPARATORS = re.compile(r"[;,]")
# A date cell of a spreadsheet reads as midnight of that day.
_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]00:00(:00)?$")


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


def _nul(row: dict[str, str], number: int, columns: Iterable[str]) -> list[RowError]:
    """A NUL in a column that names a record or a choice, refused with the forms' message
    (the columns that reach a form field are refused by the field itself)."""
    return [
        RowError(number, column, _("Null characters are not allowed."))
        for column in columns
        if "\x00" in row.get(column, "")
    ]


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


class RowContext:
    """What every row is checked against, loaded in a handful of queries."""

    def __init__(self, rows: list[dict[str, str]], kind: str, user) -> None:
        self.kind = kind
        self.user = user
        self.model = Organisation if kind == "organisations" else Person
        self.places = PlaceNames(user, self.model)
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
            # A name holding NUL is refused on its row; PostgreSQL would refuse the query.
            named = {row.get("organisation", "") for row in rows}
            named = {name for name in named if name and "\x00" not in name}
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
    context = RowContext(rows, kind, user)
    check = _check_org_row if kind == "organisations" else _check_person_row
    plan.rows = [check(number, row, context) for number, row in enumerate(rows, start=2)]
    context.load_existing({row.place.pk for row in plan.good_rows if row.place is not None})
    flag_duplicates(plan.good_rows, context)
    return plan


def _errors_of(form: forms.BaseForm, number: int, skip: Iterable[str] = ()) -> list[RowError]:
    """A form's errors as the upload's row and columns."""
    return [
        RowError(number, COLUMN_OF_FIELD.get(name, name), str(message))
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


def _check_org_row(number: int, row: dict[str, str], context: RowContext) -> PlannedRow:
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


def _check_person_row(number: int, row: dict[str, str], context: RowContext) -> PlannedRow:
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


def _check_post(number: int, row: dict[str, str], context: RowContext, errors) -> Post | None:
    """The row's post, validated by the post form (the person is the row's, saved first)."""
    org_name = row.get("organisation", "").strip()
    if "\x00" in org_name:
        return None  # already refused
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
    result = ImportResult(to_fix=[row.values for row in plan.bad_rows])
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
