"""A resident's own data: everything the platform holds about them, as one JSON document, and
closing their account. Closing erases what is personal (email, public name, date of birth,
home, their links to supports, reports and registrations, and every audit entry that held
them) and keeps what they published, attributed to "a former resident"."""

from __future__ import annotations

from typing import Any

from auditlog.context import disable_auditlog, set_actor
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgework.access.models import ApiToken, RoleAssignment, User
from bridgework.actors.audit import scrub_log
from bridgework.notifications.models import EmailDelivery, Notification

from .models import Comment, Proposal, Registration, Report, ResidentProfile, Support

__all__ = ["do_close_resident_account", "resident_data"]


def _when(value) -> str | None:
    return value.isoformat() if value else None


def resident_data(user: User) -> dict[str, Any]:
    """All a resident's data, for them to download: their profile and what they did here."""
    profile = ResidentProfile.objects.select_related("home").get(user=user)
    proposals = Proposal.objects.filter(author=user).select_related("place", "theme")
    return {
        "profile": {
            "email": user.email,
            "public_name": profile.public_name,
            "born_on": _when(profile.born_on),
            "home": profile.home.name if profile.home else None,
            "language": user.preferred_language,
            "joined": _when(user.date_joined),
            "email_verified": _when(profile.verified_at),
        },
        "proposals": [
            {
                "id": p.pk,
                "kind": p.kind,
                "title": p.title,
                "body": p.body,
                "place": p.place.name,
                "theme": p.theme.name if p.theme else None,
                "status": p.status,
                "moderation": p.moderation,
                "answer": p.published_answer,
                "supports": p.support_count,
                "has_photo": bool(p.photo),
                "posted": _when(p.created_at),
            }
            for p in proposals
        ],
        "comments": [
            {
                "id": c.pk,
                "proposal": c.proposal_id,
                "in_reply_to": c.parent_id,
                "body": c.body,
                "moderation": c.moderation,
                "posted": _when(c.created_at),
            }
            for c in Comment.objects.filter(author=user)
        ],
        "supports": [
            {"proposal": s.proposal_id, "given": _when(s.created_at)}
            for s in Support.objects.filter(user=user)
        ],
        "reports": [
            {
                "proposal": r.proposal_id,
                "comment": r.comment_id,
                "reason": r.reason,
                "note": r.note,
                "made": _when(r.created_at),
            }
            for r in Report.objects.filter(reporter=user)
        ],
        "registrations": [
            {
                "town_hall": r.town_hall_id,
                "title": r.town_hall.title,
                "starts": _when(r.town_hall.starts_at),
                "registered": _when(r.created_at),
            }
            for r in Registration.objects.filter(user=user).select_related("town_hall")
        ],
    }


@transaction.atomic
def do_close_resident_account(user: User) -> None:
    """The resident closes their own account (the caller has had their password confirm it,
    ``access.actions.password_confirms``). Afterwards the account cannot sign in, and nothing
    on any page, answer or history names them."""
    profile = ResidentProfile.objects.select_for_update().filter(user=user).first()
    if profile is None or profile.erased_at is not None:
        raise PermissionDenied(_("Only a resident can close their account here."))
    email = user.email
    secrets = [user.email, user.full_name, profile.public_name]
    if profile.born_on:
        secrets.append(profile.born_on.isoformat())
    with disable_auditlog():
        user.email = f"former-resident-{user.pk}@erased.invalid"
        user.full_name = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
        profile.public_name = f"former-resident-{user.pk}"
        profile.born_on = None
        profile.home = None
        profile.erased_at = timezone.now()
        profile.save()
        # The links go, the counts stay (support_count and report_count are kept as they are).
        Support.objects.filter(user=user).update(user=None)
        Report.objects.filter(reporter=user).update(reporter=None, note="")
        Registration.objects.filter(user=user).update(user=None)
        RoleAssignment.objects.filter(user=user).delete()
        ApiToken.objects.filter(user=user).delete()
        Notification.objects.filter(recipient=user).delete()
        EmailDelivery.objects.filter(to__iexact=email).delete()
    scrub_log(objects={User: [user.pk], ResidentProfile: [profile.pk]}, secrets=secrets)
    # The event itself, written after scrubbing: an account closed (by id), when.
    with set_actor(None):
        LogEntry.objects.create(
            content_type=ContentType.objects.get_for_model(ResidentProfile),
            object_pk=str(profile.pk),
            object_id=profile.pk,
            object_repr=str(_("A former resident")),
            action=LogEntry.Action.UPDATE,
            changes={"erased_at": ["None", profile.erased_at.isoformat()]},
            changes_text=_("Account closed by the resident; personal data erased."),
        )
