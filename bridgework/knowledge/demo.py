"""Demo knowledge items: a slice of the relevance collection (fictional practice, marked
"(demo)") on the real demo places, mostly published and public, a few still in curation or
labelled; and needs elsewhere answered with items, so a place's recommendations have
something to say. Idempotent: running it again changes nothing."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from bridgework.actors.models import Organisation
from bridgework.core.tlp import TLP
from bridgework.places.models import Place
from bridgework.plans.choices import AnswerKind, NeedCategory, NeedStatus
from bridgework.plans.models import LocalNeed

from .choices import ItemStatus
from .collection import load_items
from .models import KnowledgeItem
from .relevance import load_collection

__all__ = ["load", "summary"]

PER_INTERVENTION = 3

# (item key, status, label): the demo items that are not simply published and public
NOT_PUBLIC = {
    "situation-table/community-policing/1": (ItemStatus.PUBLISHED, TLP.AMBER),
    "exit-programme/reintegration/0": (ItemStatus.PUBLISHED, TLP.GREEN),
    "helpline/victim-support/0": (ItemStatus.SUBMITTED, TLP.GREEN),
    "sport/social-cohesion/1": (ItemStatus.DRAFT, TLP.CLEAR),
}

# Needs answered elsewhere with a knowledge item: (title, place, category, item key)
ANSWERED = [
    ("Training for teachers on hateful remarks (demo)", "Kamëz", NeedCategory.TRAINING,
     "teacher-training/schools-education/0"),
    ("Training school staff after incidents (demo)", "Blantyre City", NeedCategory.TRAINING,
     "teacher-training/schools-education/0"),
    ("Training for youth workers on online hate (demo)", "Mississauga", NeedCategory.TRAINING,
     "counter-narrative/online-hate-disinformation/0"),
    ("A way to bring faith leaders together (demo)", "Brampton", NeedCategory.NETWORKING,
     "interfaith-council/interfaith-dialogue/0"),
]  # fmt: skip


# Places some demo items speak about, besides the place they come from: (item key, places)
ABOUT = [
    ("teacher-training/schools-education/0", ["Kamëz", "Blantyre City"]),
    ("interfaith-council/interfaith-dialogue/0", ["Brampton", "Tirana"]),
]


def _place(name: str) -> Place:
    return Place.objects.filter(name=name, is_demo=True).order_by("depth").first() or (
        Place.objects.get(name=name)
    )


def _demo_rows() -> list[dict]:
    rows: list[dict] = []
    taken: dict[str, int] = {}
    for row in load_items():
        count = taken.get(row["intervention"], 0)
        if (
            count < PER_INTERVENTION
            or row["key"] in NOT_PUBLIC
            or any(row["key"] == key for *_rest, key in ANSWERED)
        ):
            rows.append(row)
            taken[row["intervention"]] = count + 1
    return rows


@transaction.atomic
def load() -> None:
    if KnowledgeItem.objects.filter(is_demo=True).exists():
        return
    keys = load_collection(_place, items=_demo_rows(), is_demo=True)
    today = timezone.localdate()
    KnowledgeItem.objects.filter(pk__in=keys.values()).update(published_on=today)
    for key, (status, label) in NOT_PUBLIC.items():
        if key in keys:
            KnowledgeItem.objects.filter(pk=keys[key]).update(
                status=status,
                tlp=label,
                published_on=today if status == ItemStatus.PUBLISHED else None,
            )
    _authors()
    _answered_needs(keys)
    _about_places(keys)


def _authors() -> None:
    """Each item by a demo organisation of its place whose label allows it, if there is one."""
    for item in KnowledgeItem.objects.filter(is_demo=True, author_organisation=None):
        organisation = (
            Organisation.objects.filter(place=item.place, is_demo=True, tlp__lte=item.tlp)
            .order_by("name")
            .first()
        )
        if organisation is not None:
            KnowledgeItem.objects.filter(pk=item.pk).update(author_organisation=organisation)


def _about_places(keys: dict[str, int]) -> None:
    for key, names in ABOUT:
        if key in keys:
            item = KnowledgeItem.objects.get(pk=keys[key])
            item.about_places.add(*(_place(name) for name in names if name != item.place.name))


def _answered_needs(keys: dict[str, int]) -> None:
    item_type = ContentType.objects.get_for_model(KnowledgeItem)
    for title, place, category, key in ANSWERED:
        if key not in keys or LocalNeed.objects.filter(title=title).exists():
            continue
        item = KnowledgeItem.objects.get(pk=keys[key])
        LocalNeed.objects.create(
            title=title,
            place=_place(place),
            category=category,
            tlp=TLP.GREEN,
            status=NeedStatus.ANSWERED,
            answer_kind=AnswerKind.KNOWLEDGE,
            answer_title=item.title,
            answer_type=item_type,
            answer_id=item.pk,
            closed_on=timezone.localdate(),
            is_demo=True,
        )


def summary() -> list[str]:
    items = KnowledgeItem.objects.filter(is_demo=True)
    public = items.filter(status=ItemStatus.PUBLISHED, tlp=TLP.CLEAR).count()
    return [f"Knowledge: {items.count()} items ({public} public)"]
