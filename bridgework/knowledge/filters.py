"""The knowledge items' one filter set: the list page, its export, the API and the search
page all read through it (the search page adds the ranking and the counts)."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from bridgework.actors.choices import Sector
from bridgework.actors.models import Theme
from bridgework.core.paths import subtree_q
from bridgework.web.filtering import ScopedFilterSet, SubtreeFilter

from .choices import EvidenceLevel, ItemKind, ItemStatus, Language
from .fts import matching
from .models import KnowledgeItem, KnowledgeItemSector

__all__ = ["FACETS", "FullTextFilter", "KnowledgeItemFilterSet"]


class FullTextFilter(django_filters.CharFilter):
    """Words found by the full-text index (title, summary and body, stemmed)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Search"))
        kwargs.setdefault("max_length", 200)
        super().__init__(field_name="title", **kwargs)

    def filter(self, qs, value):
        text = (value or "").strip()
        return matching(qs, text) if text else qs


class SectorFilter(django_filters.ChoiceFilter):
    """Items one of whose sectors is the chosen one (a subquery: never a duplicated row)."""

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        rows = KnowledgeItemSector.objects.filter(item=OuterRef("pk"), sector=value)
        return qs.filter(Exists(rows))


class ItemPlaceFilter(SubtreeFilter):
    """Items from a place of the subtree, or about one (``about_places``)."""

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        about = KnowledgeItem.about_places.through.objects.filter(
            knowledgeitem_id=OuterRef("pk")
        ).filter(subtree_q("place__path", value.path))
        return qs.filter(subtree_q(self.field_name, value.path) | Q(Exists(about)))


class KnowledgeItemFilterSet(ScopedFilterSet):
    q = FullTextFilter()
    kind = django_filters.ChoiceFilter(
        choices=ItemKind.choices, label=_("Kind"), empty_label=_("All kinds")
    )
    theme = django_filters.ModelChoiceFilter(
        queryset=Theme.objects.order_by("name"),
        to_field_name="slug",
        field_name="themes",
        label=_("Theme"),
        empty_label=_("All themes"),
        help_text=_("A theme's short name"),
    )
    sector = SectorFilter(choices=Sector.choices, label=_("Sector"), empty_label=_("All sectors"))
    place = ItemPlaceFilter(help_text=_("Items from or about this place or any place below it"))
    language = django_filters.ChoiceFilter(
        choices=Language.choices, label=_("Language"), empty_label=_("All languages")
    )
    evidence = django_filters.ChoiceFilter(
        choices=EvidenceLevel.choices, label=_("Evidence"), empty_label=_("Any evidence")
    )
    status = django_filters.ChoiceFilter(
        choices=ItemStatus.choices, label=_("Status"), empty_label=_("Any status")
    )

    class Meta:
        model = KnowledgeItem
        fields: list[str] = []


# The filters the search page counts results for (name, field whose values are counted).
FACETS = (
    ("kind", "kind"),
    ("theme", "themes__slug"),
    ("sector", "sector_rows__sector"),
    ("language", "language"),
    ("evidence", "evidence"),
)
