"""Participation API: proposals and support thresholds (scoped exactly as the pages, written
through the pages' forms and actions, with the workflow's steps), the resident's own writes
(support, comment, report), and the public read of published proposals without an account."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from bridgework.access.policy import access_record
from bridgework.web.api import (
    ERROR_RESPONSES,
    KeysetPagination,
    add_form_endpoints,
    add_read_endpoints,
)
from bridgework.web.api_rows import RecordOut

from . import selectors
from .actions import do_comment, do_moderate, do_publish_answer, do_report, do_support
from .choices import ModerationDecision, ReportReason
from .models import Comment, Proposal
from .views import ProposalViewSet, SupportThresholdViewSet, TownHallViewSet

__all__ = ["router"]

router = Router(tags=["participation"])


class ProposalOut(RecordOut):
    id: int
    kind: str
    title: str
    body: str
    place_id: int
    theme_id: int | None
    status: str
    handled_at_id: int
    support_count: int
    moderation: str
    answer: str
    answered_at: datetime | None
    answer_published_at: datetime | None
    author_name: str
    created_at: datetime
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.get_absolute_url()


class SupportThresholdOut(RecordOut):
    id: int
    place_id: int
    supports: int
    note: str
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.get_absolute_url()


_read_proposal = add_read_endpoints(
    router,
    viewset=ProposalViewSet,
    path="/proposals",
    out=ProposalOut,
    list_name="list_proposals",
    detail_name="get_proposal",
)
add_form_endpoints(
    router,
    viewset=ProposalViewSet,
    path="/proposals",
    out=ProposalOut,
    name="proposal",
    read=_read_proposal,
)
_read_threshold = add_read_endpoints(
    router,
    viewset=SupportThresholdViewSet,
    path="/support-thresholds",
    out=SupportThresholdOut,
    list_name="list_support_thresholds",
    detail_name="get_support_threshold",
)
add_form_endpoints(
    router,
    viewset=SupportThresholdViewSet,
    path="/support-thresholds",
    out=SupportThresholdOut,
    name="support_threshold",
    read=_read_threshold,
)


class TownHallOut(RecordOut):
    id: int
    body_id: int
    place_id: int
    title: str
    starts_at: datetime
    ends_at: datetime | None
    location: str
    capacity: int | None
    agenda: str
    minutes: str
    attendance_count: int | None
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.get_absolute_url()


_read_town_hall = add_read_endpoints(
    router,
    viewset=TownHallViewSet,
    path="/town-halls",
    out=TownHallOut,
    list_name="list_town_halls",
    detail_name="get_town_hall",
)
add_form_endpoints(
    router,
    viewset=TownHallViewSet,
    path="/town-halls",
    out=TownHallOut,
    name="town_hall",
    read=_read_town_hall,
)


# --- a resident's writes ---------------------------------------------------------------------


class CommentIn(Schema):
    body: str = Field(..., min_length=1, max_length=2000)
    parent_id: int | None = None


class CommentOut(RecordOut):
    id: int
    proposal_id: int
    parent_id: int | None
    body: str
    author_name: str
    created_at: datetime


class ReportIn(Schema):
    reason: ReportReason
    note: str = Field("", max_length=500)
    comment_id: int | None = None


class Done(Schema):
    detail: str


@router.post(
    "/proposals/{record_id}/support",
    response={200: ProposalOut, **ERROR_RESPONSES},
    url_name="support_proposal",
    summary="Support a proposal (a resident, once)",
)
def support_proposal(request, record_id: int):
    proposal = access_record(request.user, Proposal, record_id)
    do_support(proposal, acting_user=request.user)
    return proposal


@router.post(
    "/proposals/{record_id}/comments",
    response={201: CommentOut, **ERROR_RESPONSES},
    url_name="comment_proposal",
    summary="Comment on a proposal, or reply to a comment",
)
def comment_proposal(request, record_id: int, payload: CommentIn):
    proposal = access_record(request.user, Proposal, record_id)
    parent = None
    if payload.parent_id is not None:
        parent = Comment.objects.filter(proposal=proposal, pk=payload.parent_id).first()
        if parent is None:
            raise Http404
    comment = do_comment(proposal, body=payload.body, parent=parent, acting_user=request.user)
    return Status(201, comment)


@router.post(
    "/proposals/{record_id}/reports",
    response={201: Done, **ERROR_RESPONSES},
    url_name="report_proposal",
    summary="Report a proposal or one of its comments to the moderators",
)
def report_proposal(request, record_id: int, payload: ReportIn):
    proposal = access_record(request.user, Proposal, record_id)
    comment = None
    if payload.comment_id is not None:
        comment = Comment.objects.filter(proposal=proposal, pk=payload.comment_id).first()
        if comment is None:
            raise Http404
    do_report(
        proposal,
        reason=payload.reason,
        note=payload.note,
        comment=comment,
        acting_user=request.user,
    )
    return Status(201, {"detail": "reported"})


# --- answers and moderation ------------------------------------------------------------------


class ModerationIn(Schema):
    decision: ModerationDecision
    reason: str = Field(..., min_length=1, max_length=500)
    comment_id: int | None = None


@router.post(
    "/proposals/{record_id}/publish",
    response={200: ProposalOut, **ERROR_RESPONSES},
    url_name="publish_proposal_answer",
    summary="Publish the answer given with a proposal's last step",
)
def publish_proposal_answer(request, record_id: int):
    proposal = access_record(request.user, Proposal, record_id, "publish_answer")
    return do_publish_answer(proposal, acting_user=request.user)


@router.post(
    "/proposals/{record_id}/moderation",
    response={200: ProposalOut, **ERROR_RESPONSES},
    url_name="moderate_proposal",
    summary="Hide, restore or clear a proposal or one of its comments, with a reason",
)
def moderate_proposal(request, record_id: int, payload: ModerationIn):
    proposal = access_record(request.user, Proposal, record_id, "moderate")
    comment = None
    if payload.comment_id is not None:
        comment = Comment.objects.filter(proposal=proposal, pk=payload.comment_id).first()
        if comment is None:
            raise Http404
    do_moderate(
        proposal,
        decision=payload.decision,
        reason=payload.reason,
        comment=comment,
        acting_user=request.user,
    )
    proposal.refresh_from_db()
    return proposal


# --- the public read -------------------------------------------------------------------------


class PublicProposalOut(RecordOut):
    """What anyone may read of a proposal: never its reports, its supporters or an
    unpublished answer; of its author only the public name."""

    id: int
    kind: str
    title: str
    body: str
    place_id: int
    place_name: str
    status: str
    support_count: int
    author_name: str
    created_at: datetime
    answer: str = Field(..., alias="published_answer")
    answer_published_at: datetime | None
    url: str

    @staticmethod
    def resolve_place_name(obj) -> str:
        return obj.place.name

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.get_public_url()


@router.get(
    "/public/proposals",
    response={200: list[PublicProposalOut], **ERROR_RESPONSES},
    url_name="public_proposals",
    auth=None,
    summary="Published proposals, without an account (optionally of one place and below)",
)
@paginate(KeysetPagination, ordering=("-created_at", "pk"))
def public_proposals(request, place: int | None = None):
    from bridgework.core.paths import subtree_q

    rows = selectors.public_proposals()
    if place is not None:
        found = selectors.public_places().filter(pk=place).first()
        if found is None:
            raise ValidationError({"place": "There is no such place."})
        rows = rows.filter(subtree_q("place_path", found.path))
    return rows
