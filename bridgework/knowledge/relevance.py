"""The relevance collection in a database: loading it, and ranking it as the search does."""

from __future__ import annotations

from django.db import transaction

from bridgework.actors.models import Theme
from bridgework.core.tlp import TLP
from bridgework.places.models import Place

from .choices import ItemStatus
from .collection import load_items
from .fts import ranked, sync_index
from .models import KnowledgeItem, KnowledgeItemSector

__all__ = ["load_collection", "rank_fulltext"]


@transaction.atomic
def load_collection(place_for, *, items: list[dict] | None = None, is_demo: bool = False):
    """Create the collection's items (published, CLEAR) at ``place_for(name)``; returns
    ``{item key: pk}``. Bulk-created, then indexed in one pass."""
    rows = items if items is not None else load_items()
    places: dict[str, Place] = {}
    objects = []
    for row in rows:
        if row["place"] not in places:
            places[row["place"]] = place_for(row["place"])
        objects.append(
            KnowledgeItem(
                kind=row["kind"],
                title=row["title"],
                summary=row["summary"],
                body=row["body"],
                evidence=row["evidence"],
                language=row["language"],
                place=places[row["place"]],
                place_path=places[row["place"]].path,
                tlp=TLP.CLEAR,
                status=ItemStatus.PUBLISHED,
                is_demo=is_demo,
            )
        )
    created = KnowledgeItem.objects.bulk_create(objects)
    themes = {theme.slug: theme for theme in Theme.objects.all()}
    links = [
        KnowledgeItem.themes.through(knowledgeitem_id=item.pk, theme_id=themes[row["theme"]].pk)
        for item, row in zip(created, rows, strict=True)
        if row["theme"] in themes
    ]
    KnowledgeItem.themes.through.objects.bulk_create(links)
    KnowledgeItemSector.objects.bulk_create(
        KnowledgeItemSector(item_id=item.pk, sector=sector)
        for item, row in zip(created, rows, strict=True)
        for sector in row.get("sectors", [])
    )
    sync_index(item.pk for item in created)
    return {row["key"]: item.pk for item, row in zip(created, rows, strict=True)}


def rank_fulltext(queryset, keys_by_pk: dict[int, str], text: str, limit: int = 20) -> list[str]:
    """The keys of the first ``limit`` items the full-text search ranks for ``text``."""
    pks = ranked(queryset, text).order_by("-search_rank", "pk").values_list("pk", flat=True)
    return [keys_by_pk[pk] for pk in pks[:limit] if pk in keys_by_pk]
