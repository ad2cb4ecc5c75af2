"""factory_boy factories for users and role assignments.

factory_boy is a test dependency: only tests and ``bridgework/web/testing/`` (and other apps'
factories) may import this module, never the application code.
"""

from __future__ import annotations

import factory

from bridgework.places.factories import PlaceFactory

from .models import Role, RoleAssignment, User

__all__ = ["TEST_PASSWORD", "RoleAssignmentFactory", "UserFactory"]

# Every test user signs in with it (the browser tests too).
TEST_PASSWORD = "test-password-123"  # noqa: S105 - test data, never a real account


class UserFactory(factory.django.DjangoModelFactory[User]):
    """A user made by ``User.objects.create_user``: ``label1@example.test``, "Label 1", with
    the password :data:`TEST_PASSWORD`. ``label`` (default "user") names what the user is for,
    so a failing test says which one it was (``UserFactory(label="partner")``)."""

    class Meta:
        model = User

    class Params:
        label = "user"

    email = factory.LazyAttributeSequence(lambda o, n: f"{o.label}{n}@example.test")
    full_name = factory.LazyAttributeSequence(lambda o, n: f"{o.label.title()} {n}")
    password = TEST_PASSWORD

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        password = kwargs.pop("password")
        user = model_class(*args, **kwargs)
        user.set_password(password)  # a built user carries a hash too, never the password
        return user

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        manager = cls._get_manager(model_class)
        return manager.create_user(*args, **kwargs)


def _role(value: Role | str) -> Role:
    return value if isinstance(value, Role) else Role.objects.get(slug=value)


class RoleAssignmentFactory(factory.django.DjangoModelFactory[RoleAssignment]):
    """``user`` holds ``role`` (a slug such as "partner", or a :class:`Role`) at ``place``."""

    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = factory.Transformer("partner", transform=_role)
    place = factory.SubFactory(PlaceFactory)
