"""Pages of the funding module: the generic scoped pages per model, each record page's own
sections (a call's ranking, an application's reviews and versions, a grant's tranches and
reports), scoring, and the role views: my applications, my review queue, reviewer workload,
the staff pipeline, money by place, objective and need, and the 360Giving export."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from bridgework.access.policy import can, permits_add, places_for
from bridgework.activity.workflows import do_transition
from bridgework.core.tabular import tabular_response
from bridgework.web.viewsets import Column, ModelViewSet, RecordPage, money_column

from . import selectors
from .actions import (
    EDITABLE,
    do_assign_reviewer,
    do_award_grant,
    do_delete_report,
    do_edit_application,
    do_submit_report,
    do_update_grant,
    do_update_report,
)
from .budgets import budget_lines
from .choices import ApplicationStatus
from .filters import (
    ApplicationFilterSet,
    CallFilterSet,
    FundFilterSet,
    GrantFilterSet,
    GrantIndicatorFilterSet,
    ReportFilterSet,
    ResultFilterSet,
    ReviewFilterSet,
    TrancheFilterSet,
)
from .forms import (
    ApplicationForm,
    CallForm,
    FundForm,
    GrantForm,
    GrantIndicatorForm,
    ReportForm,
    ResultForm,
    ReviewForm,
    ScoreForm,
    TrancheForm,
)
from .models import (
    Application,
    Call,
    Fund,
    Grant,
    GrantIndicator,
    Report,
    Result,
    Review,
    Tranche,
)
from .results import grant_results

__all__ = [
    "ApplicationViewSet",
    "ScorePage",
    "grants_360",
    "mine",
    "open_calls",
    "money",
    "pipeline",
    "queue",
    "workload",
    "CallViewSet",
    "FundViewSet",
    "GrantIndicatorViewSet",
    "GrantViewSet",
    "ReportViewSet",
    "ResultViewSet",
    "ReviewViewSet",
    "TrancheViewSet",
]


def _merge(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- funds and calls -----------------------------------------------------------------------------


class FundViewSet(ModelViewSet):
    model = Fund
    form_class = FundForm
    filterset_class = FundFilterSet
    title = gettext_lazy("Funds")
    url_prefix = "funds/"
    ordering = ("name", "pk")
    list_select_related = ("owner", "place")
    columns = [
        Column("name", gettext_lazy("Fund")),
        Column("owner.name", gettext_lazy("Owner body")),
        Column("place.name", gettext_lazy("Place")),
        Column("currency", gettext_lazy("Currency")),
    ]
    detail_template = "funding/fund_detail.html"
    initial_from_query = ("owner",)

    @classmethod
    def detail_context(cls, request, fund):
        user = request.user
        # Only the eligible places the reader sees are named; the others are counted.
        eligible = list(fund.eligible_places.visible_to(user, "view").order_by("path"))  # type: ignore[attr-defined]
        return {
            "calls": Call.objects.visible_to(user).filter(fund=fund).order_by("-closes_at", "pk"),
            "budget": budget_lines(fund.budget),
            "eligible": eligible,
            "eligible_unseen": fund.eligible_places.count() - len(eligible),
            "objectives": fund.objectives.visible_to(user),  # type: ignore[attr-defined]
            "themes": fund.themes.all(),
            "can_add_call": permits_add(user, Call, parent=fund),
            "now": timezone.now(),
        }


class CallViewSet(ModelViewSet):
    model = Call
    form_class = CallForm
    filterset_class = CallFilterSet
    title = gettext_lazy("Calls")
    url_prefix = "calls/"
    ordering = ("-closes_at", "pk")
    list_select_related = ("fund",)
    columns = [
        Column("title", gettext_lazy("Call")),
        Column("fund", gettext_lazy("Fund")),
        Column("opens_at", gettext_lazy("Opens")),
        Column("closes_at", gettext_lazy("Closes")),
        money_column("max_amount", "fund.currency", gettext_lazy("Largest grant")),
        Column("max_years", gettext_lazy("Longest term (years)")),
    ]
    detail_template = "funding/call_detail.html"
    initial_from_query = ("fund",)

    @classmethod
    def detail_context(cls, request, call):
        user = request.user
        return {
            "is_open": call.is_open(),
            "ranking": selectors.ranking(call, user),
            "can_apply": call.is_open() and can(user, "add", Application),
        }


# --- applications and reviews --------------------------------------------------------------------


class ApplicationViewSet(ModelViewSet):
    model = Application
    form_class = ApplicationForm
    filterset_class = ApplicationFilterSet
    title = gettext_lazy("Applications")
    url_prefix = "applications/"
    ordering = ("-created_at", "pk")
    list_select_related = ("call", "call__fund", "organisation", "place")
    # A fund's staff list runs to tens of thousands (issue 9): not the budgets, answers and
    # earlier versions of each application, nor the long text of its call and organisation.
    list_only = (
        "title",
        "amount",
        "years",
        "status",
        "created_at",
        "tlp",
        "place_path",
        "organisation__name",
        "organisation__place_path",
        "organisation__tlp",
        "place__name",
        "place__path",
        "call__title",
        "call__place_path",
        "call__fund__currency",
        # Who may see a call and its fund, decided from these (``Sight``), not by a query.
        "call__fund__place_path",
        "call__fund__tlp",
    )
    columns = [
        Column("title", gettext_lazy("Project")),
        Column("organisation.name", gettext_lazy("Organisation")),
        Column("place.name", gettext_lazy("Place")),
        Column("call.title", gettext_lazy("Call")),
        money_column("amount", "call.fund.currency", gettext_lazy("Amount asked")),
        Column("years", gettext_lazy("Years")),
        Column("get_status_display", gettext_lazy("Status")),
    ]
    detail_template = "funding/application_detail.html"
    initial_from_query = ("call", "organisation")

    @classmethod
    def update(cls, form, *, acting_user):
        return do_edit_application(
            form.save(commit=False), acting_user=acting_user, save_related=form.save_m2m
        )

    @classmethod
    def detail_context(cls, request, application):
        user = request.user
        reviews = list(
            Review.objects.visible_to(user)
            .filter(application=application)
            .select_related("reviewer", "application")
        )
        own = next((r for r in reviews if r.reviewer_id == user.pk), None)
        shown = [(r, selectors.scores_visible(r, user, own)) for r in reviews]
        call = application.call
        grant = Grant.objects.visible_to(user).filter(application=application).first()
        return {
            "budget": budget_lines(application.budget),
            "answers": [
                (q["label"], application.answers.get(q["key"], "")) for q in call.questions
            ],
            "reviews": shown,
            "criteria": call.criteria,
            "revisions": list(reversed(application.revisions)),
            "objectives": application.objectives.visible_to(user),  # type: ignore[attr-defined]
            "needs": application.needs.visible_to(user),  # type: ignore[attr-defined]
            "co_applicants": application.co_applicants.visible_to(user),  # type: ignore[attr-defined]
            "grant": grant,
            "editable": application.status in EDITABLE,
            "can_assign": permits_add(user, Review, parent=application),
            "can_award": application.status == ApplicationStatus.APPROVED
            and grant is None
            and permits_add(user, Grant, parent=application),
        }


class ReviewViewSet(ModelViewSet):
    model = Review
    form_class = ReviewForm
    filterset_class = ReviewFilterSet
    title = gettext_lazy("Reviews")
    url_prefix = "reviews/"
    ordering = ("application_id", "pk")
    list_select_related = ("application", "reviewer")
    columns = [
        Column("application", gettext_lazy("Application")),
        Column("reviewer.full_name", gettext_lazy("Reviewer")),
        Column("get_status_display", gettext_lazy("Status")),
    ]
    detail_template = "funding/review_detail.html"
    initial_from_query = ("application",)

    @classmethod
    def create(cls, form, *, acting_user):
        return do_assign_reviewer(form.save(commit=False), acting_user=acting_user)

    @classmethod
    def detail_context(cls, request, review):
        criteria = review.application.call.criteria
        visible = selectors.scores_visible(review, request.user)
        return {
            "scores_visible": visible,
            "scores": [(c, review.scores.get(c["key"])) for c in criteria] if visible else [],
        }


class ScorePage(RecordPage):
    """The reviewer scores each criterion of the call with comments: the workflow's "score"
    step, which only the assigned reviewer may take."""

    action = "change"

    def get(self, request, **kwargs):
        review = self.get_object()
        return self.render_page(review, ScoreForm(criteria=review.application.call.criteria))

    def post(self, request, **kwargs):
        review = self.get_object()
        form = ScoreForm(request.POST, criteria=review.application.call.criteria)
        if form.is_valid():
            try:
                do_transition(
                    review,
                    "score",
                    acting_user=request.user,
                    note=form.cleaned_data["comment"],
                    changes={"scores": form.scores()},
                )
            except ValidationError as exc:
                _merge(form, exc)
            else:
                messages.success(request, _("Your scores are saved."))
                return HttpResponseRedirect(review.get_absolute_url())
        return self.render_page(review, form, status=400)

    def render_page(self, review, form, status: int = 200):
        return render(
            self.request,
            "funding/score.html",
            self.context(object=review, form=form),
            status=status,
        )


ReviewViewSet.extra_pages = {"score": ("<int:pk>/score/", ScorePage)}


# --- grants, tranches and reports ----------------------------------------------------------------


class GrantViewSet(ModelViewSet):
    model = Grant
    form_class = GrantForm
    filterset_class = GrantFilterSet
    title = gettext_lazy("Grants")
    url_prefix = "grants/"
    ordering = ("-starts_on", "pk")
    list_select_related = (
        "application",
        "application__organisation",
        "application__call__fund",
        "place",
    )
    columns = [
        Column("application.title", gettext_lazy("Project")),
        Column("application.organisation.name", gettext_lazy("Organisation")),
        Column("place.name", gettext_lazy("Place")),
        money_column("amount", "application.call.fund.currency", gettext_lazy("Amount awarded")),
        Column("starts_on", gettext_lazy("Starts")),
        Column("years", gettext_lazy("Years")),
        Column("get_status_display", gettext_lazy("Status")),
    ]
    detail_template = "funding/grant_detail.html"
    initial_from_query = ("application",)

    @classmethod
    def base_queryset(cls, request):
        return Grant.objects.prefetch_related("plan_actions")

    @classmethod
    def create(cls, form, *, acting_user):
        return do_award_grant(
            form.save(commit=False),
            schedule=form.cleaned_data["schedule"],
            acting_user=acting_user,
            save_related=form.save_m2m,
        )

    @classmethod
    def update(cls, form, *, acting_user):
        return do_update_grant(
            form.save(commit=False), acting_user=acting_user, save_related=form.save_m2m
        )

    @classmethod
    def detail_context(cls, request, grant):
        user = request.user
        reports = list(
            Report.objects.visible_to(user).filter(grant=grant).order_by("period_start", "pk")
        )
        result_periods, results = grant_results(grant, user)
        return {
            "tranches": Tranche.objects.visible_to(user).filter(grant=grant).order_by("number"),
            "reports": reports,
            "periods": grant.report_periods(),
            "can_report": permits_add(user, Report, parent=grant),
            "plan_actions": grant.plan_actions.visible_to(user).select_related("plan"),  # type: ignore[attr-defined]
            "result_periods": result_periods,
            "results": results,
            "can_track": permits_add(user, GrantIndicator, parent=grant),
            "can_give_results": permits_add(user, Result, parent=grant),
        }


class TrancheViewSet(ModelViewSet):
    model = Tranche
    form_class = TrancheForm
    filterset_class = TrancheFilterSet
    title = gettext_lazy("Tranches")
    url_prefix = "tranches/"
    ordering = ("due_on", "pk")
    list_select_related = ("grant", "grant__application", "grant__application__call__fund")
    columns = [
        Column("grant", gettext_lazy("Grant")),
        Column("number", gettext_lazy("Number")),
        Column("due_on", gettext_lazy("Due")),
        money_column("amount", "grant.application.call.fund.currency", gettext_lazy("Amount")),
        Column("get_status_display", gettext_lazy("Status")),
        Column("released_on", gettext_lazy("Released on")),
    ]
    detail_fields = [
        ("grant", gettext_lazy("Grant")),
        ("number", gettext_lazy("Number")),
        ("due_on", gettext_lazy("Due")),
        money_column("amount", "grant.application.call.fund.currency", gettext_lazy("Amount")),
        ("get_status_display", gettext_lazy("Status")),
        ("released_on", gettext_lazy("Released on")),
    ]
    initial_from_query = ("grant",)


class ReportViewSet(ModelViewSet):
    model = Report
    form_class = ReportForm
    filterset_class = ReportFilterSet
    title = gettext_lazy("Grant reports")
    url_prefix = "reports/"
    ordering = ("grant_id", "period_start", "pk")
    list_select_related = ("grant", "grant__application", "unlocks")
    columns = [
        Column("grant", gettext_lazy("Grant")),
        Column("get_kind_display", gettext_lazy("Kind")),
        Column("period_start", gettext_lazy("From")),
        Column("period_end", gettext_lazy("Until")),
        Column("spent", gettext_lazy("Spent")),
        Column("get_status_display", gettext_lazy("Status")),
    ]
    detail_fields = [
        ("grant", gettext_lazy("Grant")),
        ("get_kind_display", gettext_lazy("Kind")),
        ("period_start", gettext_lazy("From")),
        ("period_end", gettext_lazy("Until")),
        ("text", gettext_lazy("What was done")),
        ("spent", gettext_lazy("Spent in the period")),
        ("unlocks", gettext_lazy("Unlocks tranche")),
        ("get_status_display", gettext_lazy("Status")),
    ]
    initial_from_query = ("grant",)

    @classmethod
    def create(cls, form, *, acting_user):
        return do_submit_report(
            form.save(commit=False), acting_user=acting_user, save_related=form.save_m2m
        )

    @classmethod
    def update(cls, form, *, acting_user):
        return do_update_report(
            form.save(commit=False), acting_user=acting_user, save_related=form.save_m2m
        )

    @classmethod
    def delete(cls, obj, *, acting_user) -> None:
        do_delete_report(obj, acting_user=acting_user)


class GrantIndicatorViewSet(ModelViewSet):
    model = GrantIndicator
    form_class = GrantIndicatorForm
    filterset_class = GrantIndicatorFilterSet
    title = gettext_lazy("Indicators tracked")
    url_prefix = "grant-indicators/"
    ordering = ("grant_id", "pk")
    list_select_related = ("grant", "grant__application", "indicator")
    columns = [
        Column("grant", gettext_lazy("Grant")),
        Column("indicator", gettext_lazy("Indicator")),
        Column("target", gettext_lazy("Target")),
        Column("indicator.unit", gettext_lazy("Unit")),
    ]
    detail_fields = [
        ("grant", gettext_lazy("Grant")),
        ("indicator", gettext_lazy("Indicator")),
        ("target", gettext_lazy("Target")),
        ("indicator.unit", gettext_lazy("Unit")),
    ]
    initial_from_query = ("grant",)


class ResultViewSet(ModelViewSet):
    model = Result
    form_class = ResultForm
    filterset_class = ResultFilterSet
    title = gettext_lazy("Results")
    url_prefix = "results/"
    ordering = ("report_id", "pk")
    list_select_related = ("report", "grant", "grant__application", "indicator")
    columns = [
        Column("grant", gettext_lazy("Grant")),
        Column("report", gettext_lazy("Report")),
        Column("indicator", gettext_lazy("Indicator")),
        Column("value", gettext_lazy("Value")),
        Column("indicator.unit", gettext_lazy("Unit")),
    ]
    detail_fields = [
        ("grant", gettext_lazy("Grant")),
        ("report", gettext_lazy("Report")),
        ("indicator", gettext_lazy("Indicator")),
        ("value", gettext_lazy("Value")),
        ("indicator.unit", gettext_lazy("Unit")),
        ("note", gettext_lazy("Note")),
    ]
    initial_from_query = ("report",)


# --- role views ----------------------------------------------------------------------------------


@login_required
def mine(request):
    """The applicant's page: the applications they may change, and the reports they owe."""
    if not can(request.user, "change", Application):
        raise PermissionDenied
    applications = (
        Application.objects.visible_to(request.user, "change")
        .select_related("call", "organisation")
        .order_by("-created_at", "pk")[:200]
    )
    open_calls = (
        Call.objects.visible_to(request.user)
        .filter(opens_at__lte=timezone.now(), closes_at__gt=timezone.now())
        .select_related("fund")
        .order_by("closes_at")[:50]
    )
    return render(
        request,
        "funding/mine.html",
        {
            "applications": applications,
            "due": selectors.due_reports(request.user),
            "open_calls": open_calls,
        },
    )


@login_required
def queue(request):
    """The reviewer's queue: the reviews assigned to them and not yet done."""
    if not can(request.user, "view", Review):
        raise PermissionDenied
    return render(request, "funding/queue.html", {"reviews": selectors.my_queue(request.user)})


@login_required
def workload(request):
    """How many reviews each reviewer has waiting, scored and declined."""
    if not can(request.user, "add", Review):
        raise PermissionDenied
    return render(request, "funding/workload.html", {"rows": selectors.workload(request.user)})


OVERDUE_SHOWN = 200  # on the pipeline page; the rest are counted


@login_required
def pipeline(request):
    """Fund staff's page: applications by call and state, overdue reports, the tranches to
    pay next."""
    if not can(request.user, "change", Grant):
        raise PermissionDenied
    states = ApplicationStatus.choices
    rows = selectors.pipeline(request.user)
    overdue = selectors.overdue_summary(request.user, OVERDUE_SHOWN)
    for row in rows:
        row["cells"] = [
            row["states"].get(value, {"count": 0, "asked": None}) for value, _l in states
        ]
    return render(
        request,
        "funding/pipeline.html",
        {
            "states": states,
            "rows": rows,
            "overdue": overdue.first,
            "more_overdue": overdue.count - len(overdue.first),
            "tranches": selectors.upcoming_tranches(request.user),
        },
    )


@login_required
def money(request):
    """Where the money goes: by place (one level below the chosen place), by national
    objective, by category of local need; and places with needs and no funding."""
    if not can(request.user, "view", Grant):
        raise PermissionDenied
    places = places_for(request.user, "view", Grant).order_by("path")
    raw = request.GET.get("place", "")
    place = (places.filter(pk=int(raw)).first() if raw.isdigit() else None) or places.first()
    if place is None:
        raise PermissionDenied
    return render(
        request,
        "funding/money.html",
        {
            "place": place,
            "choices": places.filter(depth__lte=place.depth + 1)[:300],
            "by_place": selectors.money_by_place(request.user, place),
            "by_objective": selectors.money_by_objective(request.user),
            "by_need": selectors.money_by_need(request.user),
            "unfunded": selectors.places_with_needs_and_no_funding(request.user),
        },
    )


@login_required
def grants_360(request, fmt: str):
    """The grants the user may export, in the 360Giving Data Standard's JSON or CSV."""
    if not can(request.user, "export", Grant):
        raise PermissionDenied
    data = selectors.grants_360(request.user)
    if fmt == "json":
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=1), content_type="application/json"
        )
        response["Content-Disposition"] = 'attachment; filename="grants-360giving.json"'
        return response
    return tabular_response(
        list(selectors.GRANT_CSV_COLUMNS),
        (selectors.grant_csv_row(grant) for grant in data["grants"]),
        fmt="csv",
        filename="grants-360giving.csv",
        sheet_title="grants",
    )


@require_GET
def open_calls(request):
    """Anyone, without an account: the calls open now of funds labelled TLP:CLEAR."""
    from .public import public_call_rows

    return render(request, "funding/open_calls.html", {"rows": public_call_rows()})
