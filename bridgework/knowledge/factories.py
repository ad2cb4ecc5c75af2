"""factory_boy factories for knowledge items (tests only)."""

from __future__ import annotations

import factory

from bridgework.places.factories import PlaceFactory

from .choices import ItemKind
from .models import KnowledgeItem

__all__ = ["KnowledgeItemFactory"]


class KnowledgeItemFactory(factory.django.DjangoModelFactory[KnowledgeItem]):
    class Meta:
        model = KnowledgeItem
        skip_postgeneration_save = True

    kind = ItemKind.PRACTICE
    title = factory.Sequence(lambda n: f"Test practice {n}")
    summary = "Youth mentoring that brings schools and police together."
    body = "## What was done\n\nWeekly mentoring circles in **two schools**."
    place = factory.SubFactory(PlaceFactory)

    @factory.post_generation
    def sectors(item: KnowledgeItem, create, extracted, **kwargs):  # type: ignore[misc]
        """``KnowledgeItemFactory(sectors=["police", "education"])``."""
        if create and extracted:
            item.set_sectors(extracted)
