"""factory_boy factories for the place tree.

factory_boy is a test dependency: only tests and ``bridgework/web/testing/`` (and other apps'
factories) may import this module, never the application code.
"""

from __future__ import annotations

import factory

from .actions import do_create_place
from .models import Place

__all__ = ["PlaceFactory", "root_place"]


def root_place() -> Place:
    """The world: the existing root of the tree, or a new one when the tree is empty."""
    world = Place.objects.filter(parent__isnull=True, depth=0).first()
    return world or do_create_place(Place(name="World", parent=None))


class PlaceFactory(factory.django.DjangoModelFactory[Place]):
    """A place under ``parent`` (by default under the world), with its materialised path,
    depth and country allocated by :func:`~bridgework.places.actions.do_create_place`."""

    class Meta:
        model = Place

    name = factory.Sequence(lambda n: f"Test Place {n}")
    parent = factory.LazyFunction(root_place)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return do_create_place(model_class(*args, **kwargs))
