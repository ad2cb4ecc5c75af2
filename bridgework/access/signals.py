"""Receivers that keep sessions honest and cached access fresh. They change no domain data.

A user's resolved access (roles, places, rules) is cached between requests under a key made
of their ``access_version`` and the global :class:`~bridgework.access.models.AccessEpoch`.
Every write that can change what someone may do bumps one of the two — whichever way it is
made (an action, the shell, a data migration, a test), hence signals rather than actions.
"""

import time

from django.contrib.auth.signals import user_logged_in
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from bridgework.core.backup import database_restored
from bridgework.places.actions import subtree_moved
from bridgework.places.models import Hub

from .models import AccessEpoch, PolicyRule, Role, RoleAssignment, User

__all__ = ["bump_epoch", "bump_user", "move_epoch_past_restore", "remember_sign_in_time"]

SIGNED_IN_AT = "bridgework_signed_in_at"
LAST_SEEN_AT = "bridgework_last_seen_at"


@receiver(user_logged_in)
def remember_sign_in_time(sender, request, user, **kwargs):
    """Start the absolute session clock (see SessionTimeoutMiddleware)."""
    if request is not None and hasattr(request, "session"):
        now = int(timezone.now().timestamp())
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN_AT] = now


@receiver(post_save, sender=RoleAssignment)
@receiver(post_delete, sender=RoleAssignment)
def bump_user(sender, instance, **kwargs):
    """This person's assignments changed: their cached access is stale."""
    User.objects.filter(pk=instance.user_id).update(access_version=F("access_version") + 1)


@receiver(post_save, sender=Role)
@receiver(post_delete, sender=Role)
@receiver(post_save, sender=PolicyRule)
@receiver(post_delete, sender=PolicyRule)
@receiver(post_save, sender=Hub)
@receiver(post_delete, sender=Hub)
@receiver(m2m_changed, sender=Hub.places.through)
@receiver(subtree_moved)
def bump_epoch(sender, **kwargs):
    """Something everyone's access is built from changed: every cached access is stale."""
    if kwargs.get("action", "post_").startswith("post_"):  # m2m_changed: after, not before
        AccessEpoch.bump()


@receiver(database_restored)
def move_epoch_past_restore(sender, **kwargs):
    """A restore brings back an older epoch, one the shared cache and running processes may
    hold access under, built from other data. Move it to the clock (in milliseconds): past
    every value it had before, restored or not, since it only ever grows by one a change."""
    restored = AccessEpoch.current()
    AccessEpoch.objects.update_or_create(
        pk=1, defaults={"value": max(restored + 1, time.time_ns() // 1_000_000)}
    )
