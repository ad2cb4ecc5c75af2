"""Likely duplicates: records at the same place with the same or a similar name (among those
the user may see) and earlier rows of the file; and what merging a row into a record would
change, validated by the page's edit form."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.forms.models import model_to_dict
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

from ..actions import ImportWrite
from ..forms import OrganisationForm, PersonForm, place_token
from ..models import Organisation
from .plan import Candidate, Change, PlannedRow

if TYPE_CHECKING:
    from .rows import RowContext

__all__ = ["COLUMN_OF_FIELD", "flag_duplicates", "normalise_name", "similar_names"]

DUPLICATE_SCORE = 80
CANDIDATES = 3  # at most this many likely duplicates per row
# Upload columns and the form fields that validate them, where the names differ.
COLUMN_OF_FIELD = {"areas_text": "areas", "__all__": "-"}

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
    """The candidates with the same or a similar name, best first (at most three)."""
    return [candidates[i] for i in _close(name, [normalise_name(c) for c in candidates])]


def flag_duplicates(rows: list[PlannedRow], context: RowContext) -> None:
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
        limit=CANDIDATES,
    )
    return [index for _text, _score, index in matches]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _plan_merge(planned: PlannedRow, candidate: Candidate, context: RowContext) -> None:
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
            f"{COLUMN_OF_FIELD.get(name, name)}: {message}"
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
