"""Bulk import of organisations and people from CSV/XLSX: validate every row, preview what
would be created or updated (with likely duplicates), then apply atomically.

The preview and the import run the same :func:`plan_import`, so what was previewed is
re-checked against the database as it is when the user confirms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from bridgework.access.policy import places_for
from bridgework.core.tlp import TLP
from bridgework.places.importers import RowError
from bridgework.places.models import Place

from .actions import do_save_organisation, do_save_person, do_save_post
from .choices import OrgLevel, Sector
from .forms import find_places
from .models import Organisation, Person, Post, Theme

__all__ = [
    "ActorImportError",
    "ORG_COLUMNS",
    "PEOPLE_COLUMNS",
    "PlannedRow",
    "apply_import",
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


def normalise_name(name: str) -> str:
    words = _NON_WORD.sub(" ", name.casefold()).split()
    kept = [w for w in words if w not in _FILLER]
    return " ".join(kept or words)


def similar_names(name: str, candidates: list[str]) -> list[str]:
    """Candidates whose normalised name is close to ``name``'s (not the same string)."""
    key = normalise_name(name)
    return [
        other
        for other in candidates
        if other.casefold() != name.casefold()
        and fuzz.token_set_ratio(key, normalise_name(other)) >= DUPLICATE_SCORE
    ]


@dataclass
class PlannedRow:
    row: int
    action: str  # "create" or "update"
    name: str
    place: Place
    target: int | None = None  # the pk of the record to update
    values: dict = field(default_factory=dict)
    duplicates: list[str] = field(default_factory=list)


@dataclass
class ActorImportError(Exception):
    errors: list[RowError] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)


def _choice(value: str, choices) -> str | None:
    wanted = value.strip().casefold()
    for key, label in choices:
        if wanted in {key.casefold(), str(label).casefold()}:
            return key
    return None


def _tlp(value: str) -> int | None:
    if not value:
        return TLP.GREEN
    wanted = value.strip().upper().removeprefix("TLP:")
    for member in TLP:
        if wanted in {member.name.replace("_", "+"), member.name, str(member.value)}:
            return member.value
    return None


def _date(value: str) -> date | None | str:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return "invalid"


def _split(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,]", value) if part.strip()]


class _Context:
    """What every row is checked against, loaded in a handful of queries."""

    def __init__(self, rows: list[dict[str, str]], kind: str, user) -> None:
        model = Organisation if kind == "organisations" else Person
        tokens = {row.get("place", "") for row in rows}
        if kind == "organisations":
            tokens |= {t for row in rows for t in _split(row.get("areas", ""))}
        found, _unknown = find_places(list(tokens), places_for(user, "add", model))
        self.places = {}
        for place in found:
            for key in (str(place.pk), place.code, place.pcode):
                if key:
                    self.places[key.upper()] = place
        self.themes = {}
        for theme in Theme.objects.all():
            self.themes[theme.slug.casefold()] = theme
            self.themes[theme.name.casefold()] = theme
        place_ids = {p.pk for p in found}
        self.existing: dict[int, list[tuple[str, int]]] = {}
        self.changeable: set[int] = set()
        existing = model.objects.visible_to(user, "view").filter(place_id__in=place_ids)
        name_field = "name" if kind == "organisations" else "full_name"
        for pk, name, place_id in existing.values_list("pk", name_field, "place_id"):
            self.existing.setdefault(place_id, []).append((name, pk))
        self.changeable = set(
            model.objects.visible_to(user, "change")
            .filter(place_id__in=place_ids)
            .values_list("pk", flat=True)
        )
        self.orgs: dict[str, list[Organisation]] = {}
        if kind == "people":
            names = {row.get("organisation", "").casefold() for row in rows} - {""}
            for org in Organisation.objects.visible_to(user, "view").filter(
                name__in={row.get("organisation", "") for row in rows}
            ):
                self.orgs.setdefault(org.name.casefold(), []).append(org)
            self.missing_orgs = names - self.orgs.keys()


def plan_import(
    rows: list[dict[str, str]], kind: str, user
) -> tuple[list[PlannedRow], list[RowError]]:
    """Check every row; one message per bad row and column. Nothing is written."""
    errors: list[RowError] = []
    if not rows:
        return [], [RowError(1, "-", _("The file has no data rows."))]
    if len(rows) > MAX_ROWS:
        return [], [RowError(1, "-", _("At most %(n)s rows per file.") % {"n": MAX_ROWS})]
    missing = [c for c in REQUIRED[kind] if c not in rows[0]]
    if missing:
        return [], [RowError(1, c, _("This column is required.")) for c in missing]
    context = _Context(rows, kind, user)
    check = _check_org_row if kind == "organisations" else _check_person_row
    plan = []
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        nul = [column for column, value in row.items() if "\x00" in value]
        if nul:  # what a form refuses, an import refuses: nothing of this row is kept
            errors += [RowError(number, c, _("Null characters are not allowed.")) for c in nul]
            continue
        planned = check(number, row, context, errors)
        if planned is not None:
            plan.append(planned)
    _flag_duplicates(plan, context)
    return plan, errors


def _place(number, row, column, context, errors):
    token = row.get(column, "").strip()
    if not token:
        errors.append(RowError(number, column, _("A place is required.")))
        return None
    place = context.places.get(token.upper())
    if place is None:
        errors.append(
            RowError(number, column, _("'%s' is not a place where you may add records.") % token)
        )
    return place


def _target(name: str, place, context, number, column, errors):
    """The existing record of that exact name at that place, if any (then: update it)."""
    for other, pk in context.existing.get(place.pk, []):
        if other.casefold() == name.casefold():
            if pk not in context.changeable:
                errors.append(
                    RowError(number, column, _("'%s' exists and you may not change it.") % name)
                )
            return pk
    return None


def _check_org_row(number, row, context, errors) -> PlannedRow | None:
    before = len(errors)
    name = row.get("name", "").strip()
    if not name:
        errors.append(RowError(number, "name", _("A name is required.")))
    elif len(name) > 200:
        errors.append(RowError(number, "name", _("Names are limited to 200 characters.")))
    sector = _choice(row.get("sector", ""), Sector.choices)
    if sector is None:
        errors.append(
            RowError(number, "sector", _("'%s' is not a sector.") % row.get("sector", ""))
        )
    level = _choice(row.get("level", ""), OrgLevel.choices)
    if level is None:
        errors.append(RowError(number, "level", _("'%s' is not a level.") % row.get("level", "")))
    place = _place(number, row, "place", context, errors)
    areas = []
    for token in _split(row.get("areas", "")):
        area = context.places.get(token.upper())
        if area is None:
            errors.append(
                RowError(
                    number, "areas", _("'%s' is not a place where you may add records.") % token
                )
            )
        else:
            areas.append(area)
    themes = []
    for token in _split(row.get("themes", "")):
        theme = context.themes.get(token.casefold())
        if theme is None:
            errors.append(RowError(number, "themes", _("'%s' is not a known theme.") % token))
        else:
            themes.append(theme)
    tlp = _tlp(row.get("tlp", ""))
    if tlp is None:
        errors.append(RowError(number, "tlp", _("'%s' is not a TLP label.") % row.get("tlp")))
    website = row.get("website", "").strip()
    if website and not re.match(r"^https?://[^\s]+$", website):
        errors.append(RowError(number, "website", _("Give a full address starting with https://.")))
    if len(errors) > before:
        return None
    target = _target(name, place, context, number, "name", errors)
    return PlannedRow(
        number,
        "update" if target else "create",
        name,
        place,
        target,
        {
            "name": name,
            "short_name": row.get("short_name", "").strip()[:60],
            "sector": sector,
            "level": level,
            "website": website,
            "tlp": tlp,
            "areas": areas,
            "themes": themes,
        },
    )


def _check_person_row(number, row, context, errors) -> PlannedRow | None:
    before = len(errors)
    name = row.get("full_name", "").strip()
    if not name:
        errors.append(RowError(number, "full_name", _("A name is required.")))
    place = _place(number, row, "place", context, errors)
    email = row.get("email", "").strip()
    if email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
        errors.append(RowError(number, "email", _("'%s' is not an email address.") % email))
    org_name = row.get("organisation", "").strip()
    org = None
    if org_name:
        matches = context.orgs.get(org_name.casefold(), [])
        if not matches:
            errors.append(
                RowError(
                    number,
                    "organisation",
                    _("No organisation you may see is called '%s'.") % org_name,
                )
            )
        elif len(matches) > 1:
            errors.append(
                RowError(
                    number, "organisation", _("Several organisations are called '%s'.") % org_name
                )
            )
        else:
            org = matches[0]
        if not row.get("title", "").strip():
            errors.append(RowError(number, "title", _("A post needs a title.")))
    starts, ends = _date(row.get("starts_on", "")), _date(row.get("ends_on", ""))
    for column, value in (("starts_on", starts), ("ends_on", ends)):
        if value == "invalid":
            errors.append(RowError(number, column, _("Dates are written YYYY-MM-DD.")))
    if isinstance(starts, date) and isinstance(ends, date) and ends < starts:
        errors.append(RowError(number, "ends_on", _("A post cannot end before it starts.")))
    tlp = _tlp(row.get("tlp", ""))
    if tlp is None:
        errors.append(RowError(number, "tlp", _("'%s' is not a TLP label.") % row.get("tlp")))
    if len(errors) > before:
        return None
    target = _target(name, place, context, number, "full_name", errors)
    return PlannedRow(
        number,
        "update" if target else "create",
        name,
        place,
        target,
        {
            "full_name": name,
            "email": email,
            "phone": row.get("phone", "").strip()[:40],
            "tlp": tlp,
            "organisation": org,
            "title": row.get("title", "").strip()[:200],
            "starts_on": starts,
            "ends_on": ends,
        },
    )


def _flag_duplicates(plan: list[PlannedRow], context: _Context) -> None:
    """Fuzzy matches within the same place: existing records and other rows of the file."""
    by_place: dict[int, list[str]] = {}
    for planned in plan:
        by_place.setdefault(planned.place.pk, []).append(planned.name)
    for planned in plan:
        existing = [name for name, _pk in context.existing.get(planned.place.pk, [])]
        others = [n for n in by_place[planned.place.pk] if n != planned.name]
        planned.duplicates = sorted(set(similar_names(planned.name, existing + others)))


@transaction.atomic
def apply_import(rows: list[dict[str, str]], kind: str, *, acting_user) -> list[PlannedRow]:
    """Re-check and write every row, or nothing (raises :class:`ActorImportError`)."""
    plan, errors = plan_import(rows, kind, acting_user)
    if errors:
        raise ActorImportError(errors)
    write = _write_org if kind == "organisations" else _write_person
    for planned in plan:
        write(planned, acting_user)
    return plan


def _write_org(planned: PlannedRow, user) -> None:
    values = dict(planned.values)
    areas, themes = values.pop("areas"), values.pop("themes")
    org = Organisation.objects.get(pk=planned.target) if planned.target else Organisation()
    for key, value in values.items():
        setattr(org, key, value)
    org.place = planned.place
    do_save_organisation(
        org, acting_user=user, areas=areas, save_related=lambda: org.themes.add(*themes)
    )


def _write_person(planned: PlannedRow, user) -> None:
    values = dict(planned.values)
    org = values.pop("organisation")
    post_fields = {k: values.pop(k) for k in ("title", "starts_on", "ends_on")}
    person = Person.objects.get(pk=planned.target) if planned.target else Person()
    for key, value in values.items():
        if value or key not in {"email", "phone"}:  # an empty cell keeps what is known
            setattr(person, key, value)
    person.place = planned.place
    do_save_person(person, acting_user=user)
    if (
        org is not None
        and not person.posts.filter(organisation=org, title=post_fields["title"]).exists()
    ):
        do_save_post(Post(person=person, organisation=org, **post_fields), acting_user=user)
