"""factory_boy factories for proposals, their supports, comments and thresholds (tests only).

A proposal is posted at ``place`` by a new resident author unless given one:
``ProposalFactory(place=ward)``; ``ResidentFactory(place=ward)`` is a user holding the
resident role there, with a public profile name."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.bodies.factories import BodyFactory
from bridgework.places.factories import PlaceFactory

from .models import Comment, Proposal, ResidentProfile, Support, SupportThreshold, TownHall

__all__ = [
    "CommentFactory",
    "ProposalFactory",
    "ResidentProfileFactory",
    "SupportFactory",
    "SupportThresholdFactory",
    "TownHallFactory",
    "make_resident",
]


class ResidentProfileFactory(factory.django.DjangoModelFactory[ResidentProfile]):
    class Meta:
        model = ResidentProfile

    user = factory.SubFactory(UserFactory, label="resident")
    public_name = factory.Sequence(lambda n: f"Neighbour {n}")


def make_resident(place, **profile):
    """A user with the resident role at ``place`` and a public profile name."""
    user = UserFactory.create(label="resident")
    RoleAssignmentFactory.create(user=user, role="resident", place=place)
    ResidentProfileFactory.create(user=user, home=place, **profile)
    return user


class ProposalFactory(factory.django.DjangoModelFactory[Proposal]):
    class Meta:
        model = Proposal

    place = factory.SubFactory(PlaceFactory)
    title = factory.Sequence(lambda n: f"Test proposal {n}")
    body = "Street lights on the path to the market"
    author = factory.SubFactory(UserFactory, label="author")


class SupportThresholdFactory(factory.django.DjangoModelFactory[SupportThreshold]):
    class Meta:
        model = SupportThreshold

    place = factory.SubFactory(PlaceFactory)
    supports = 25


class SupportFactory(factory.django.DjangoModelFactory[Support]):
    class Meta:
        model = Support

    proposal = factory.SubFactory(ProposalFactory)
    user = factory.SubFactory(UserFactory, label="supporter")


class CommentFactory(factory.django.DjangoModelFactory[Comment]):
    class Meta:
        model = Comment

    proposal = factory.SubFactory(ProposalFactory)
    body = "I walk there every evening; it is dark."
    author = factory.SubFactory(UserFactory, label="commenter")


class TownHallFactory(factory.django.DjangoModelFactory[TownHall]):
    """A town hall of a body at ``body__place``, a week from now."""

    class Meta:
        model = TownHall

    body = factory.SubFactory(BodyFactory)
    title = factory.Sequence(lambda n: f"Town hall {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    location = "Community hall"
