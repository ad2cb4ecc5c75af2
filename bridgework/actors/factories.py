"""factory_boy factories for organisations, people, posts and themes.

factory_boy is a test dependency: only tests and ``bridgework/web/testing/`` (and other apps'
factories) may import this module, never the application code.
"""

from __future__ import annotations

import factory

from bridgework.places.factories import PlaceFactory

from .choices import OrgLevel, Sector
from .models import Organisation, Person, Post, Theme

__all__ = ["OrganisationFactory", "PersonFactory", "PostFactory", "ThemeFactory"]


class ThemeFactory(factory.django.DjangoModelFactory[Theme]):
    class Meta:
        model = Theme

    name = factory.Sequence(lambda n: f"Test Theme {n}")
    slug = factory.Sequence(lambda n: f"test-theme-{n}")


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    """A local-government organisation at the local level, based at ``place``."""

    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Test Organisation {n}")
    place = factory.SubFactory(PlaceFactory)
    sector = Sector.LOCAL_GOVERNMENT
    level = OrgLevel.LOCAL


class PersonFactory(factory.django.DjangoModelFactory[Person]):
    """A person at ``place``. ``post_in=organisation`` also gives them a post ("Officer") in
    that organisation; ``post_in__title="Chair"`` names the post otherwise."""

    class Meta:
        model = Person
        skip_postgeneration_save = True  # the post refers to the person; nothing to re-save

    full_name = factory.Sequence(lambda n: f"Test Person {n}")
    place = factory.SubFactory(PlaceFactory)

    @factory.post_generation
    def post_in(obj, create, extracted, **fields):
        if create and extracted is not None:
            fields.setdefault("title", "Officer")
            PostFactory(person=obj, organisation=extracted, **fields)


class PostFactory(factory.django.DjangoModelFactory[Post]):
    """A post of ``person`` in ``organisation``; it lives at the organisation's place, and a
    person made for it lives there too."""

    class Meta:
        model = Post

    organisation = factory.SubFactory(OrganisationFactory)
    person = factory.SubFactory(PersonFactory, place=factory.SelfAttribute("..organisation.place"))
    title = "Officer"
