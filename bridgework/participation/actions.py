"""Writes of the participation module: posting, supporting, answering, reporting,
moderating and commenting. Each is atomic, audited as the acting user and recorded on the
proposal's timeline; nothing a resident posts is ever deleted (moderation hides it)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

from auditlog.context import set_actor
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgework.access.policy import access_for, permits
from bridgework.core.actions import do_create_record, do_update_record, ensure_in_scope
from bridgework.core.events import record_event
from bridgework.notifications.actions import notify
from bridgework.places.models import Place

from .choices import Moderation, ModerationDecision, OutcomeKind, ProposalStatus
from .conf import setting_int, setting_str
from .models import Comment, Proposal, ProposalReferral, Registration, Report, Support, TownHall
from .notifications import (
    CONTENT_HIDDEN,
    PROPOSAL_EDITED,
    PROPOSAL_MOVED,
    PROPOSAL_POSTED,
    THRESHOLD_REACHED,
    coordinators_at,
)

__all__ = [
    "check_photo",
    "do_comment",
    "do_edit_proposal",
    "do_make_outcome",
    "do_moderate",
    "do_post_proposal",
    "do_publish_answer",
    "do_register",
    "do_report",
    "do_support",
    "is_resident",
    "record_referral",
]

ACCEPTED_OUTCOME = (ProposalStatus.ACCEPTED, ProposalStatus.IMPLEMENTED)


def is_resident(user) -> bool:
    """Whether ``user`` holds the resident role somewhere (supports are residents' voices)."""
    access = access_for(user)
    return access is not None and any(held.role_slug == "resident" for held in access.held)


# --- posting limits and photos ---------------------------------------------------------------


class _PostingRate:
    """The API's rate machinery (a cache-counted sliding window), per person, for posts. Each
    bucket (``scope``) counts apart: staff posting for residents (a paper form brought to the
    office) neither use up nor are held by the residents' limit."""

    def __init__(self, scope: str, setting: str) -> None:
        from ninja.throttling import SimpleRateThrottle

        class PostingThrottle(SimpleRateThrottle):
            def get_cache_key(self, request) -> str | None:
                return self.cache_format % {"scope": self.scope, "ident": request.user.pk}

        PostingThrottle.scope = scope
        self.throttle = PostingThrottle(rate=setting_str(setting))

    def allows(self, user) -> bool:
        return self.throttle.allow_request(SimpleNamespace(user=user))  # type: ignore[arg-type]


def is_staff_poster(user) -> bool:
    """Whether ``user`` holds a role other than resident: they post as staff, not as a voice."""
    access = access_for(user)
    return access is not None and any(held.role_slug != "resident" for held in access.held)


def check_posting_rate(user) -> None:
    """Residents share PARTICIPATION_POST_RATE; staff have their own, wider,
    PARTICIPATION_STAFF_POST_RATE (still a limit: a stolen staff account cannot flood)."""
    if is_staff_poster(user):
        rate = _PostingRate("participation-staff-post", "PARTICIPATION_STAFF_POST_RATE")
    else:
        rate = _PostingRate("participation-post", "PARTICIPATION_POST_RATE")
    if not rate.allows(user):
        raise ValidationError(
            _("You have posted a lot in a short time. Please wait a while before posting again.")
        )


# The first bytes of the photo formats accepted: what the file is, whatever its name says.
PHOTO_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "jpg"),
    (b"\x89PNG\r\n\x1a\n", 0, "png"),
    (b"WEBP", 8, "webp"),
)


def check_photo(upload: UploadedFile) -> str:
    """The photo's real type (jpg, png, webp) from its first bytes, or a clear refusal."""
    limit = setting_int("PARTICIPATION_PHOTO_MAX_BYTES")
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            {"photo": _("The photo is too large: at most %(mb)s MB.") % {"mb": limit // 1048576}}
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, offset, extension in PHOTO_SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            if extension == "webp" and not head.startswith(b"RIFF"):
                continue
            return extension
    raise ValidationError({"photo": _("Send a photo as a JPEG, PNG or WebP image.")})


# --- proposals -------------------------------------------------------------------------------


@transaction.atomic
def do_post_proposal(
    proposal: Proposal,
    *,
    acting_user,
    photo: UploadedFile | None = None,
    save_related=None,
) -> Proposal:
    """Save a resident's new proposal at a place where they may post, put it before that
    place and tell its coordinators. Posting is rate-limited per person."""
    check_posting_rate(acting_user)
    proposal.author = acting_user
    if photo is not None:
        extension = check_photo(photo)
        proposal.photo.save(f"proposal.{extension}", photo, save=False)
    do_create_record(proposal, acting_user=acting_user, save_related=save_related)
    notify(
        PROPOSAL_POSTED,
        record=proposal,
        recipients=coordinators_at(proposal.handled_at_id),
        actor=acting_user,
    )
    return proposal


def record_referral(proposal: Proposal, *, to_place: Place, note: str, acting_user):
    """The trail of a proposal referred up: written by the workflow's *refer up* step."""
    referral = ProposalReferral(
        proposal=proposal, from_place=proposal.handled_at, to_place=to_place, note=note
    )
    referral.referred_by = acting_user
    with set_actor(acting_user):
        referral.save()
    proposal.handled_at = to_place
    proposal.handled_path = to_place.path
    return referral


@transaction.atomic
def do_support(proposal: Proposal, *, acting_user) -> Support:
    """A resident who may read ``proposal`` backs it (once; not their own)."""
    if not permits(acting_user, "view", proposal) or proposal.is_hidden:
        raise PermissionDenied(_("You cannot see this proposal."))
    if not is_resident(acting_user):
        raise PermissionDenied(_("Only residents support proposals."))
    if proposal.author_id == acting_user.pk:
        raise ValidationError(_("You cannot support your own proposal."))
    if not proposal.is_open:
        raise ValidationError(_("This proposal has been answered: it takes no more supports."))
    support = Support(proposal=proposal, user=acting_user)
    try:
        with transaction.atomic(), set_actor(acting_user):
            support.save()
    except IntegrityError as exc:
        raise ValidationError(_("You already support this proposal.")) from exc
    Proposal.objects.filter(pk=proposal.pk).update(support_count=F("support_count") + 1)
    proposal.refresh_from_db(fields=["support_count"])
    record_event(proposal, "supported", actor=None)  # who supports is not for the timeline
    from .selectors import support_threshold_for

    if proposal.support_count == support_threshold_for(proposal):
        notify(
            THRESHOLD_REACHED,
            record=proposal,
            recipients=coordinators_at(proposal.handled_at_id),
            context={"supports": proposal.support_count},
        )
    return support


@transaction.atomic
def do_publish_answer(proposal: Proposal, *, acting_user) -> Proposal:
    """Make the answer given with the last step public, and tell the author and supporters."""
    if not permits(acting_user, "publish_answer", proposal):
        raise PermissionDenied(_("You may not publish answers here."))
    if not proposal.answer:
        raise ValidationError(_("There is no answer to publish yet."))
    if proposal.answer_published_at is not None:
        raise ValidationError(_("This answer is already public."))
    proposal.answer_published_at = timezone.now()
    with set_actor(acting_user):
        proposal.save(update_fields=["answer_published_at", "updated_at"])
    record_event(proposal, "answer_published", actor=acting_user)
    from .notifications import proposal_audience

    notify(
        PROPOSAL_MOVED,
        record=proposal,
        recipients=proposal_audience(proposal),
        actor=acting_user,
        context={"published": True},
    )
    return proposal


@transaction.atomic
def do_make_outcome(
    proposal: Proposal,
    *,
    kind: str,
    acting_user,
    priority=None,
    category: str = "other",
) -> Any:
    """Turn an accepted proposal into an action of a local plan (under ``priority``) or a
    local need of its place, through the plans module's own writes."""
    from bridgework.plans.actions import do_raise_need
    from bridgework.plans.models import LocalNeed, PlanAction

    if not permits(acting_user, "change", proposal):
        raise PermissionDenied(_("You may not change this proposal."))
    if proposal.status not in ACCEPTED_OUTCOME:
        raise ValidationError(_("Only an accepted proposal becomes a plan action or a need."))
    if proposal.outcome_id:
        raise ValidationError(_("This proposal has already become a record of the plans."))
    description = _("From a resident's proposal: %(url)s") % {"url": proposal.get_public_url()}
    record: Any
    if kind == OutcomeKind.PLAN_ACTION:
        if priority is None or not permits(acting_user, "view", priority):
            raise ValidationError({"priority": _("Choose a priority of a plan you may change.")})
        record = PlanAction(priority=priority, title=proposal.title[:200], description=description)
        do_create_record(record, acting_user=acting_user)
    elif kind == OutcomeKind.LOCAL_NEED:
        record = LocalNeed(
            place=proposal.handled_at,
            title=proposal.title[:200],
            category=category,
            description=f"{proposal.body}\n\n{description}",
            tlp=0,
        )
        do_raise_need(record, acting_user=acting_user)
    else:
        raise ValidationError({"kind": _("Choose a plan action or a local need.")})
    proposal.outcome = record
    with set_actor(acting_user):
        proposal.save(update_fields=["outcome_type", "outcome_id", "updated_at"])
    record_event(proposal, "became", actor=acting_user, note=str(record))
    return record


# --- comments --------------------------------------------------------------------------------


@transaction.atomic
def do_comment(
    proposal: Proposal, *, body: str, acting_user, parent: Comment | None = None
) -> Comment:
    """A comment on a proposal the author may read, or a reply to a comment (one level)."""
    if not permits(acting_user, "view", proposal) or proposal.is_hidden:
        raise PermissionDenied(_("You cannot see this proposal."))
    check_posting_rate(acting_user)
    comment = Comment(proposal=proposal, parent=parent, body=body.strip(), author=acting_user)
    comment.full_clean()
    with set_actor(acting_user):
        comment.save()
    record_event(proposal, "commented", actor=acting_user)
    return comment


# --- reports and moderation ------------------------------------------------------------------


@transaction.atomic
def do_report(
    proposal: Proposal,
    *,
    reason: str,
    acting_user,
    comment: Comment | None = None,
    note: str = "",
) -> Report:
    """Someone who can read the item tells the moderators it does not belong. At the
    configured number of reports it is hidden until a moderator looks, and its author told."""
    if not permits(acting_user, "view", proposal):
        raise PermissionDenied(_("You cannot see this proposal."))
    item: Proposal | Comment = comment if comment is not None else proposal
    report = Report(
        proposal=proposal, comment=comment, reporter=acting_user, reason=reason, note=note
    )
    report.full_clean()
    with set_actor(acting_user):
        report.save()
    type(item).objects.filter(pk=item.pk).update(report_count=F("report_count") + 1)
    item.refresh_from_db(fields=["report_count", "moderation"])
    if item.moderation in (Moderation.VISIBLE, Moderation.REPORTED):
        hide = item.report_count >= setting_int("PARTICIPATION_HIDE_AFTER_REPORTS")
        item.moderation = Moderation.HIDDEN if hide else Moderation.REPORTED
        if hide:
            item.moderation_reason = _("Hidden automatically after %(count)s reports.") % {
                "count": item.report_count
            }
        with set_actor(acting_user):
            item.save(update_fields=["moderation", "moderation_reason", "updated_at"])
        if hide:
            record_event(proposal, "auto_hidden", actor=None, note=item.moderation_reason)
            if item.author is not None:
                notify(
                    CONTENT_HIDDEN,
                    record=proposal,
                    recipients=[item.author],
                    context={"comment": comment.pk if comment else None},
                )
    record_event(proposal, "reported", actor=None, note=reason)  # reporters stay unnamed
    return report


@transaction.atomic
def do_moderate(
    proposal: Proposal,
    *,
    decision: str,
    reason: str,
    acting_user,
    comment: Comment | None = None,
) -> Proposal | Comment:
    """A moderator hides, restores or clears a reported proposal or comment, saying why. The
    content is kept either way; the audit log and the timeline hold every decision."""
    if not permits(acting_user, "moderate", proposal):
        raise PermissionDenied(_("You may not moderate here."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why: moderators record a reason.")})
    item: Proposal | Comment = comment if comment is not None else proposal
    if comment is not None and comment.proposal_id != proposal.pk:
        raise ValidationError(_("That comment is on another proposal."))
    targets = {
        ModerationDecision.HIDE: Moderation.HIDDEN,
        ModerationDecision.RESTORE: Moderation.CLEARED,
        ModerationDecision.IGNORE: Moderation.CLEARED,
    }
    if decision not in targets:
        raise ValidationError({"decision": _("Choose hide, restore or ignore.")})
    item.moderation = targets[ModerationDecision(decision)]
    item.moderation_reason = reason[:500]
    with set_actor(acting_user):
        item.save(update_fields=["moderation", "moderation_reason", "updated_at"])
    ensure_in_scope(proposal, acting_user, "moderate")
    record_event(
        proposal,
        "moderated",
        actor=acting_user,
        note=f"{decision}: {reason}",
    )
    return item


# --- archive -------------------------------------------------------------------------------


CLOSED = (
    ProposalStatus.REJECTED,
    ProposalStatus.IMPLEMENTED,
    ProposalStatus.WITHDRAWN,
    ProposalStatus.ACCEPTED,
)


@transaction.atomic
def do_archive_closed_proposals(now: datetime.datetime | None = None) -> int:
    """Closed proposals last moved more than ``PARTICIPATION_ARCHIVE_MONTHS`` ago leave the
    public lists (their pages stay). Open ones never do: they wait for an answer."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=30 * setting_int("PARTICIPATION_ARCHIVE_MONTHS"))
    due = Proposal.objects.filter(
        status__in=CLOSED, archived_at__isnull=True, updated_at__lt=cutoff
    )
    return due.update(archived_at=now)


# --- staff editing a resident's words ------------------------------------------------------


EDITED_TEXT_FIELDS = ("title", "body")


@transaction.atomic
def do_edit_proposal(proposal: Proposal, *, acting_user, save_related=None) -> Proposal:
    """Save a change to a proposal (page and API alike). When someone other than the author
    changes its title or text, the author is told: their words are public under their name."""
    before = Proposal.objects.filter(pk=proposal.pk).values(*EDITED_TEXT_FIELDS).first() or {}
    do_update_record(proposal, acting_user=acting_user, save_related=save_related)
    changed = [name for name in EDITED_TEXT_FIELDS if before.get(name) != getattr(proposal, name)]
    author = proposal.author
    if changed and author is not None and author.pk != getattr(acting_user, "pk", None):
        notify(
            PROPOSAL_EDITED,
            record=proposal,
            recipients=[author],
            actor=acting_user,
            context={"fields": changed},
        )
    return proposal


# --- town halls ------------------------------------------------------------------------------


@transaction.atomic
def do_register(town_hall: TownHall, *, acting_user) -> Registration:
    """A signed-in person says they will come (once; while there is room; before it starts)."""
    locked = TownHall.objects.select_for_update().get(pk=town_hall.pk)
    if locked.is_past:
        raise ValidationError(_("This town hall has taken place."))
    if locked.capacity is not None and locked.registrations.count() >= locked.capacity:
        raise ValidationError(_("This town hall is full."))
    registration = Registration(town_hall=locked, user=acting_user)
    try:
        with transaction.atomic(), set_actor(acting_user):
            registration.save()
    except IntegrityError as exc:
        raise ValidationError(_("You are already registered.")) from exc
    return registration
