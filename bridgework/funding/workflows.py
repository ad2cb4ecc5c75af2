"""How applications, reviews, grants, their reports and tranches move: one table each, taken
by ``do_transition`` and shown on the *How work moves* help pages.

Applicants (the partners and local coordinators of the applying organisation's place)
submit, resubmit and withdraw; fund staff and approvers (national coordinators) review,
ask for more information, approve and decline; reviewers declare a conflict or score."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bridgework.activity.workflows import Transition, Workflow

from .choices import ApplicationStatus, GrantStatus, ReportStatus, ReviewStatus, TrancheStatus

__all__ = ["APPLICATION", "GRANT", "REPORT", "REVIEW", "TRANCHE", "WORKFLOWS"]

APPLICANTS = ("partner", "local_coordinator")
STAFF = ("national_coordinator", "network_admin")
REVIEWERS = ("reviewer",)


# --- applications --------------------------------------------------------------------------------


def snapshot(application) -> dict:
    """What the application says now, kept each time it is sent (the revision history)."""
    return {
        "at": timezone.now().isoformat(timespec="seconds"),
        "title": application.title,
        "summary": application.summary,
        "amount": str(application.amount),
        "years": application.years,
        "budget": dict(application.budget),
        "answers": dict(application.answers),
    }


def _check_complete(application) -> None:
    missing = application.missing_answers()
    if missing:
        raise ValidationError(
            {"answers": _("Answer these questions first: %(q)s.") % {"q": "; ".join(missing)}}
        )


def _submit(application, acting_user, note: str) -> Iterable[str]:
    """Submission closes at the call's deadline (on the fund's clock) and takes a complete
    application; the database refuses a second live one from the same organisation."""
    call = application.call
    now = timezone.now()
    if not call.is_open(now):
        moment = call.local(call.closes_at if now >= call.closes_at else call.opens_at)
        message = (
            _("The call closed on %(when)s (%(zone)s): it takes no more applications.")
            if now >= call.closes_at
            else _("The call opens on %(when)s (%(zone)s).")
        )
        raise ValidationError(
            message % {"when": moment.strftime("%Y-%m-%d %H:%M"), "zone": call.fund.time_zone}
        )
    _check_complete(application)
    application.submitted_at = now
    application.revisions = [*application.revisions, snapshot(application)]
    return ("submitted_at", "revisions")


def _resubmit(application, acting_user, note: str) -> Iterable[str]:
    _check_complete(application)
    application.revisions = [*application.revisions, snapshot(application)]
    return ("revisions",)


def _record_decision(application, acting_user, note: str) -> Iterable[str]:
    application.decision_note = note
    return ("decision_note",)


APPLICATION = Workflow(
    model="funding.application",
    label=gettext_lazy("Fund applications"),
    description=gettext_lazy(
        "An application is drafted by the applicant and submitted before the call's deadline. "
        "Fund staff put it under review, ask for more information (the applicant edits and "
        "resubmits; each version sent is kept), approve it or decline it with a reason."
    ),
    states=tuple(ApplicationStatus.choices),
    initial=ApplicationStatus.DRAFT,
    notify_kind="funding.application_moved",
    audience=lambda application: _application_audience(application),
    transitions=(
        Transition(
            "submit",
            gettext_lazy("Submit"),
            (ApplicationStatus.DRAFT,),
            ApplicationStatus.SUBMITTED,
            APPLICANTS,
            effect=_submit,
        ),
        Transition(
            "start_review",
            gettext_lazy("Start the review"),
            (ApplicationStatus.SUBMITTED,),
            ApplicationStatus.UNDER_REVIEW,
            STAFF,
        ),
        Transition(
            "request_info",
            gettext_lazy("Ask for more information"),
            (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW),
            ApplicationStatus.MORE_INFO,
            STAFF,
            needs_note=True,
            effect=_record_decision,
        ),
        Transition(
            "resubmit",
            gettext_lazy("Send the changes"),
            (ApplicationStatus.MORE_INFO,),
            ApplicationStatus.SUBMITTED,
            APPLICANTS,
            effect=_resubmit,
        ),
        Transition(
            "approve",
            gettext_lazy("Approve"),
            (ApplicationStatus.UNDER_REVIEW,),
            ApplicationStatus.APPROVED,
            STAFF,
            effect=_record_decision,
        ),
        Transition(
            "decline",
            gettext_lazy("Decline with a reason"),
            (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW),
            ApplicationStatus.DECLINED,
            STAFF,
            needs_note=True,
            effect=_record_decision,
        ),
        Transition(
            "withdraw",
            gettext_lazy("Withdraw"),
            (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.MORE_INFO),
            ApplicationStatus.WITHDRAWN,
            APPLICANTS,
            needs_note=True,
        ),
    ),
)


def _application_audience(application):
    from .notifications import application_audience

    return application_audience(application)


# --- reviews -------------------------------------------------------------------------------------


def is_the_reviewer(review, user) -> bool:
    return review.reviewer_id == getattr(user, "pk", None)


def _declare_conflict(review, acting_user, note: str) -> Iterable[str]:
    review.conflict_note = note
    review.scores = {}
    review.score = None
    return ("conflict_note", "scores", "score")


def _scored(review, acting_user, note: str) -> Iterable[str]:
    review.comment = note or review.comment
    # Saving validates the scores (every criterion, 0 to 5) and works out the weighted score.
    return ("comment", "score")


def _reopen_review(review, acting_user, note: str) -> Iterable[str]:
    review.scores, review.score, review.conflict_note = {}, None, ""
    return ("scores", "score", "conflict_note")


REVIEW = Workflow(
    model="funding.review",
    label=gettext_lazy("Reviews of applications"),
    description=gettext_lazy(
        "Fund staff assign a reviewer. The reviewer first declares any conflict of interest "
        "(and then neither scores nor sees the others' scores), or scores each criterion of the "
        "call from 0 to 5 with comments. Staff may reopen a review."
    ),
    states=tuple(ReviewStatus.choices),
    initial=ReviewStatus.ASSIGNED,
    transitions=(
        Transition(
            "declare_conflict",
            gettext_lazy("Declare a conflict of interest"),
            (ReviewStatus.ASSIGNED,),
            ReviewStatus.CONFLICTED,
            REVIEWERS,
            condition=is_the_reviewer,
            condition_label=gettext_lazy("Only the reviewer assigned may do this."),
            needs_note=True,
            effect=_declare_conflict,
        ),
        Transition(
            "score",
            gettext_lazy("Score"),
            (ReviewStatus.ASSIGNED,),
            ReviewStatus.SUBMITTED,
            REVIEWERS,
            condition=is_the_reviewer,
            condition_label=gettext_lazy("Only the reviewer assigned may do this."),
            accepts=("scores",),
            requires=("scores",),
            page="funding:review_score",
            effect=_scored,
        ),
        Transition(
            "reopen",
            gettext_lazy("Reopen"),
            (ReviewStatus.CONFLICTED, ReviewStatus.SUBMITTED),
            ReviewStatus.ASSIGNED,
            STAFF,
            needs_note=True,
            effect=_reopen_review,
        ),
    ),
)


# --- grants, reports and tranches ----------------------------------------------------------------


def _grant_audience(record):
    from .notifications import grant_audience

    return grant_audience(record)


GRANT = Workflow(
    model="funding.grant",
    label=gettext_lazy("Grants"),
    description=gettext_lazy(
        "A grant is under way from its award, goes into closing when its work ends (final "
        "reports due), and is closed by fund staff."
    ),
    states=tuple(GrantStatus.choices),
    initial=GrantStatus.ACTIVE,
    notify_kind="funding.grant_moved",
    audience=_grant_audience,
    transitions=(
        Transition(
            "start_closing",
            gettext_lazy("Start closing"),
            (GrantStatus.ACTIVE,),
            GrantStatus.CLOSING,
            STAFF,
            needs_note=True,
        ),
        Transition(
            "close", gettext_lazy("Close"), (GrantStatus.CLOSING,), GrantStatus.CLOSED, STAFF
        ),
        Transition(
            "resume",
            gettext_lazy("Back under way"),
            (GrantStatus.CLOSING,),
            GrantStatus.ACTIVE,
            STAFF,
            needs_note=True,
        ),
    ),
)


def _report_moved(report, acting_user, note: str) -> Iterable[str]:
    """A returned report no longer covers its period (it is due again until submitted again):
    the grant's next report period is worked out with the report's new state."""
    from .actions import refresh_next_report

    refresh_next_report([report.grant_id], pending=report)
    return ()


REPORT = Workflow(
    model="funding.report",
    label=gettext_lazy("Grant reports"),
    description=gettext_lazy(
        "The grantee submits a progress or financial report for a period; fund staff accept it "
        "(which lets the tranche it unlocks be released) or return it with what to change."
    ),
    states=tuple(ReportStatus.choices),
    initial=ReportStatus.SUBMITTED,
    notify_kind="funding.grant_moved",
    audience=_grant_audience,
    transitions=(
        Transition(
            "accept",
            gettext_lazy("Accept"),
            (ReportStatus.SUBMITTED,),
            ReportStatus.ACCEPTED,
            STAFF,
            effect=_report_moved,
        ),
        Transition(
            "return",
            gettext_lazy("Return for changes"),
            (ReportStatus.SUBMITTED,),
            ReportStatus.RETURNED,
            STAFF,
            needs_note=True,
            effect=_report_moved,
        ),
        Transition(
            "resubmit",
            gettext_lazy("Submit again"),
            (ReportStatus.RETURNED,),
            ReportStatus.SUBMITTED,
            APPLICANTS,
            effect=_report_moved,
        ),
    ),
)


def report_accepted(tranche, user) -> bool:
    return tranche.report_accepted()


def _released(tranche, acting_user, note: str) -> Iterable[str]:
    tranche.released_on = timezone.localdate()
    return ("released_on",)


TRANCHE = Workflow(
    model="funding.tranche",
    label=gettext_lazy("Tranches of a grant"),
    description=gettext_lazy(
        "The first tranche is released on award; each later one only once a report that "
        "unlocks it has been accepted."
    ),
    states=tuple(TrancheStatus.choices),
    initial=TrancheStatus.PLANNED,
    notify_kind="funding.grant_moved",
    audience=_grant_audience,
    transitions=(
        Transition(
            "release",
            gettext_lazy("Release"),
            (TrancheStatus.PLANNED,),
            TrancheStatus.RELEASED,
            STAFF,
            condition=report_accepted,
            condition_label=gettext_lazy(
                "A tranche is released only after the report it depends on is accepted."
            ),
            effect=_released,
        ),
    ),
)

WORKFLOWS = [APPLICATION, REVIEW, GRANT, REPORT, TRANCHE]
