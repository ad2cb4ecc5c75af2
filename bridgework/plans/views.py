"""Pages of the plans module: the generic scoped pages per model, the strategy, plan, need and
indicator pages' own sections, alignment views, the places × objectives matrix, reporting
indicator values and signing periods off."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from django import forms
from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bridgework.access.policy import (
    access_record,
    can,
    permits,
    permits_add,
    places_for,
    scoped_prefetch,
    sight_for,
)
from bridgework.activity.workflows import do_transition
from bridgework.actors.models import Organisation
from bridgework.core.tabular import tabular_response
from bridgework.places.models import Place
from bridgework.places.selectors import level_names, top_places_for
from bridgework.web.filtering import PlaceChoiceField
from bridgework.web.viewsets import Column, DeletePage, ModelViewSet, RecordPage
from bridgework.web.widgets import PlacePicker

from . import selectors
from .actions import (
    do_approve_period,
    do_delete_value,
    do_raise_need,
    do_report_values,
    do_revise_strategy,
    do_save_value,
    do_support_need,
    do_unlock_period,
    do_withdraw_support,
)
from .charts import bar_chart
from .choices import Periodicity
from .filters import (
    ApprovalFilterSet,
    IndicatorFilterSet,
    IndicatorValueFilterSet,
    LocalNeedFilterSet,
    LocalPlanFilterSet,
    NeedReferralFilterSet,
    NeedSupportFilterSet,
    ObjectiveFilterSet,
    PillarFilterSet,
    PlanActionFilterSet,
    PlanPriorityFilterSet,
    StrategyFilterSet,
)
from .forms import (
    AnswerForm,
    ApprovalForm,
    IndicatorForm,
    IndicatorValueForm,
    LocalNeedForm,
    LocalPlanForm,
    NeedSupportForm,
    ObjectiveForm,
    PeriodField,
    PillarForm,
    PlanActionForm,
    PlanPriorityForm,
    ReportForm,
    StrategyForm,
    UnlockForm,
)
from .models import (
    Approval,
    Indicator,
    IndicatorValue,
    LocalNeed,
    LocalPlan,
    NeedReferral,
    NeedSupport,
    Objective,
    Pillar,
    PlanAction,
    PlanPriority,
    Strategy,
    supports_from_outside,
)
from .periods import Period
from .rollups import OWN, rollup, rollup_by_child, rollup_over_time

__all__ = [
    "ApprovalViewSet",
    "IndicatorValueViewSet",
    "IndicatorViewSet",
    "LocalNeedViewSet",
    "LocalPlanViewSet",
    "NeedReferralViewSet",
    "NeedSupportViewSet",
    "ObjectiveViewSet",
    "PillarViewSet",
    "PlanActionViewSet",
    "PlanPriorityViewSet",
    "StrategyViewSet",
    "alignment",
    "alignment_matrix",
    "approvals",
    "report_values",
    "revise_strategy",
]

# --- national strategies -------------------------------------------------------------------------


class StrategyViewSet(ModelViewSet):
    model = Strategy
    form_class = StrategyForm
    filterset_class = StrategyFilterSet
    title = gettext_lazy("National strategies")
    url_prefix = "strategies/"
    ordering = ("title", "-version", "pk")
    list_select_related = ("owner", "place")
    columns = [
        Column("title", gettext_lazy("Title")),
        Column("version", gettext_lazy("Version")),
        Column("get_status_display", gettext_lazy("Status")),
        Column("owner.name", gettext_lazy("Owner body")),
        Column("place.name", gettext_lazy("Place")),
        Column("starts_on", gettext_lazy("From")),
        Column("ends_on", gettext_lazy("Until")),
    ]
    detail_template = "plans/strategy_detail.html"
    initial_from_query = ("owner",)

    @classmethod
    def detail_context(cls, request, strategy):
        user = request.user
        pillars = list(
            Pillar.objects.visible_to(user)
            .filter(strategy=strategy)
            .prefetch_related(
                scoped_prefetch(
                    "objectives",
                    user,
                    queryset=Objective.objects.order_by("code", "pk").prefetch_related(
                        scoped_prefetch(
                            "indicators", user, model=Indicator, to_attr="shown_indicators"
                        )
                    ),
                    to_attr="shown_objectives",
                )
            )
            .order_by("number", "pk")
        )
        revision = Strategy.objects.visible_to(user).filter(previous=strategy).first()
        sight_for(user).preload([strategy.owner, strategy.previous])
        return {
            "pillars": pillars,
            "revision": revision,
            "can_add_pillar": permits_add(user, Pillar, parent=strategy),
            "can_revise": revision is None and permits(user, "add", strategy),
        }


@login_required
@require_POST
def revise_strategy(request, pk: int):
    """Start the next version of a strategy (a draft copy); the current one stays in force."""
    strategy = access_record(request.user, Strategy, pk, "add")
    try:
        revision = do_revise_strategy(strategy, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(strategy)
    messages.success(
        request,
        _("Version %(version)s is a draft: change it, then put it in force.")
        % {"version": revision.version},
    )
    return redirect(revision)


class PillarViewSet(ModelViewSet):
    model = Pillar
    form_class = PillarForm
    filterset_class = PillarFilterSet
    title = gettext_lazy("Pillars")
    url_prefix = "pillars/"
    ordering = ("place_path", "strategy_id", "number", "pk")
    list_select_related = ("strategy",)
    columns = [
        Column("number", gettext_lazy("Number")),
        Column("title", gettext_lazy("Pillar")),
        Column("strategy", gettext_lazy("Strategy")),
    ]
    detail_fields = [
        ("strategy", gettext_lazy("Strategy")),
        ("number", gettext_lazy("Number")),
        ("title", gettext_lazy("Title")),
        ("description", gettext_lazy("Description")),
    ]
    initial_from_query = ("strategy",)

    @classmethod
    def success_url(cls, obj):
        return obj.strategy.get_absolute_url()


class ObjectiveViewSet(ModelViewSet):
    model = Objective
    form_class = ObjectiveForm
    filterset_class = ObjectiveFilterSet
    title = gettext_lazy("National objectives")
    url_prefix = "objectives/"
    ordering = ("place_path", "strategy_id", "code", "pk")
    list_select_related = ("strategy", "pillar")
    columns = [
        Column("code", gettext_lazy("Code")),
        Column("title", gettext_lazy("Objective")),
        Column("pillar.title", gettext_lazy("Pillar")),
        Column("strategy", gettext_lazy("Strategy")),
    ]
    detail_template = "plans/objective_detail.html"
    initial_from_query = ("pillar",)

    @classmethod
    def detail_context(cls, request, objective):
        user = request.user
        actions = (
            PlanAction.objects.visible_to(user)
            .filter(objectives__in=_lineage_of(objective))
            .select_related("plan", "plan__place")
            .distinct()
            .order_by("plan__place__name", "pk")
        )
        return {
            "actions": actions[:200],
            "places": len({action.plan.place_id for action in actions}),
            "indicators": Indicator.objects.visible_to(user).filter(objective=objective),
            "can_add_indicator": permits_add(user, Indicator, parent=objective),
        }

    @classmethod
    def success_url(cls, obj):
        return obj.strategy.get_absolute_url()


def _lineage_of(objective: Objective):
    """Every version of ``objective`` (links to any of them count for it)."""
    root = objective.root_id
    return Objective.objects.filter(pk=root) | Objective.objects.filter(lineage_id=root)


class IndicatorViewSet(ModelViewSet):
    model = Indicator
    form_class = IndicatorForm
    filterset_class = IndicatorFilterSet
    title = gettext_lazy("Indicators")
    url_prefix = "indicators/"
    ordering = ("place_path", "strategy_id", "code", "pk")
    list_select_related = ("strategy", "objective")
    columns = [
        Column("code", gettext_lazy("Code")),
        Column("name", gettext_lazy("Indicator")),
        Column("unit", gettext_lazy("Unit")),
        Column("get_periodicity_display", gettext_lazy("Reported")),
        Column("get_aggregation_display", gettext_lazy("Adds up as")),
        Column("strategy", gettext_lazy("Strategy")),
    ]
    detail_template = "plans/indicator_detail.html"
    initial_from_query = ("objective",)

    @classmethod
    def detail_context(cls, request, indicator):
        return indicator_rollup_context(request, indicator)


class RollupForm(forms.Form):
    place = PlaceChoiceField(queryset=Place.objects.none(), label=gettext_lazy("Place"))
    period = PeriodField(required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["place"]
        field.queryset = places_for(user, "view", IndicatorValue)
        field.widget = PlacePicker(for_model="plans.indicatorvalue", action="view")
        field.widget.choices = field.choices


def _default_place(user, model) -> Place | None:
    """Where a page of ``model`` starts: the highest place the user may read it at."""
    return places_for(user, "view", model).order_by("path").first()


def _latest_period(indicator: Indicator, place: Place, values) -> Period:
    """The most recent period with a value at or below ``place`` (else the current one)."""
    from .rollups import _subtree

    latest = (
        _subtree(values, place)
        .filter(series=indicator.series_id, periodicity=indicator.periodicity)
        .order_by("-period_start")
        .values_list("period_start", flat=True)
        .first()
    )
    if latest is None:
        return indicator.current_period()
    return Period(latest, indicator.periodicity)


HISTORY_LENGTH = {Periodicity.MONTHLY: 12, Periodicity.QUARTERLY: 8, Periodicity.YEARLY: 5}


def indicator_rollup_context(request, indicator: Indicator) -> dict[str, Any]:
    """The indicator at a place for a period: its value, each child's, and its recent past."""
    user = request.user
    form = RollupForm(request.GET or None, user=user)
    place = form.cleaned_data["place"] if form.is_valid() else None
    place = place or _default_place(user, IndicatorValue)
    if place is None:
        return {"rollup_form": form, "rollup": None}
    values = IndicatorValue.objects.visible_to(user)
    period = (form.cleaned_data.get("period") if form.is_valid() else None) or _latest_period(
        indicator, place, values
    )
    if period.months < Period(period.start, indicator.periodicity).months:
        period = Period.containing(period.start, indicator.periodicity)
    total = rollup(indicator, place, period, values)
    by_child = rollup_by_child(indicator, place, period, values)
    children = {
        child.path: child
        for child in Place.objects.visible_to(user).filter(path__in=[k for k in by_child if k])
    }
    rows = [(children[path], part) for path, part in by_child.items() if path in children]
    rows.sort(key=lambda row: row[0].name)
    history = rollup_over_time(
        indicator,
        place,
        Period.containing(period.end, indicator.periodicity)
        .previous()
        .last(HISTORY_LENGTH[Periodicity(indicator.periodicity)]),
        values,
    )
    return {
        "rollup_form": form,
        "rollup": total,
        "rollup_place": place,
        "rollup_period": period,
        "own": by_child.get(OWN),
        "child_rows": rows,
        "child_chart": bar_chart([(p.name, part.value) for p, part in rows]),
        "history": history,
        "history_chart": bar_chart([(p.label, part.value) for p, part in history]),
        "can_report": can(user, "add", IndicatorValue, place),
    }


# --- local plans ---------------------------------------------------------------------------------


class LocalPlanViewSet(ModelViewSet):
    model = LocalPlan
    form_class = LocalPlanForm
    filterset_class = LocalPlanFilterSet
    title = gettext_lazy("Local plans")
    url_prefix = "local-plans/"
    ordering = ("place_path", "-starts_on", "pk")
    list_select_related = ("place", "owner")
    columns = [
        Column("title", gettext_lazy("Title")),
        Column("place.name", gettext_lazy("Place")),
        Column("owner.name", gettext_lazy("Owner body")),
        Column("starts_on", gettext_lazy("From")),
        Column("ends_on", gettext_lazy("Until")),
        Column("get_status_display", gettext_lazy("Status")),
    ]
    detail_template = "plans/localplan_detail.html"
    initial_from_query = ("place", "owner")

    @classmethod
    def detail_context(cls, request, plan):
        user = request.user
        priorities = list(
            PlanPriority.objects.visible_to(user)
            .filter(plan=plan)
            .prefetch_related(
                scoped_prefetch(
                    "actions",
                    user,
                    queryset=PlanAction.objects.order_by("pk").prefetch_related(
                        scoped_prefetch("objectives", user, model=Objective, to_attr="served"),
                        scoped_prefetch(
                            "organisations",
                            user,
                            model=Organisation,
                            to_attr="carried_by",
                        ),
                    ),
                    to_attr="shown_actions",
                )
            )
            .order_by("number", "pk")
        )
        sight_for(user).preload([plan.owner])
        return {
            "priorities": priorities,
            "alignment": selectors.place_alignment(plan.place, user),
            "can_add_priority": permits_add(user, PlanPriority, parent=plan),
            "can_add_action": permits_add(user, PlanAction, parent=plan),
        }


class PlanPriorityViewSet(ModelViewSet):
    model = PlanPriority
    form_class = PlanPriorityForm
    filterset_class = PlanPriorityFilterSet
    title = gettext_lazy("Plan priorities")
    url_prefix = "priorities/"
    ordering = ("place_path", "plan_id", "number", "pk")
    list_select_related = ("plan",)
    columns = [
        Column("number", gettext_lazy("Number")),
        Column("title", gettext_lazy("Priority")),
        Column("plan", gettext_lazy("Plan")),
    ]
    detail_fields = [
        ("plan", gettext_lazy("Plan")),
        ("number", gettext_lazy("Number")),
        ("title", gettext_lazy("Title")),
        ("description", gettext_lazy("Description")),
    ]
    initial_from_query = ("plan",)

    @classmethod
    def success_url(cls, obj):
        return obj.plan.get_absolute_url()


def _objective_codes(action: PlanAction, sight) -> str:
    return ", ".join(sight.name(objective) for objective in action.objectives.all())


class PlanActionViewSet(ModelViewSet):
    model = PlanAction
    form_class = PlanActionForm
    filterset_class = PlanActionFilterSet
    title = gettext_lazy("Plan actions")
    url_prefix = "plan-actions/"
    ordering = ("place_path", "plan_id", "pk")
    list_select_related = ("plan", "priority")
    columns = [
        Column("title", gettext_lazy("Action")),
        Column("plan", gettext_lazy("Plan")),
        Column("priority.title", gettext_lazy("Priority")),
        Column(_objective_codes, gettext_lazy("National objectives"), needs_sight=True),
        Column("due_on", gettext_lazy("Due")),
        Column("get_status_display", gettext_lazy("Status")),
    ]
    detail_template = "plans/planaction_detail.html"
    initial_from_query = ("priority",)

    @classmethod
    def base_queryset(cls, request):
        return PlanAction.objects.prefetch_related("objectives", "organisations")

    @classmethod
    def detail_context(cls, request, action):
        user = request.user
        return {
            "served": Objective.objects.visible_to(user)
            .filter(plan_actions=action)
            .select_related("strategy"),
            "carried_by": Organisation.objects.visible_to(user).filter(plan_actions=action),
        }

    @classmethod
    def success_url(cls, obj):
        return obj.plan.get_absolute_url()


# --- local needs ---------------------------------------------------------------------------------


class LocalNeedViewSet(ModelViewSet):
    model = LocalNeed
    form_class = LocalNeedForm
    filterset_class = LocalNeedFilterSet
    title = gettext_lazy("Local needs")
    url_prefix = "needs/"
    ordering = ("-created_at", "pk")
    list_select_related = ("place", "handled_at")
    columns = [
        Column("title", gettext_lazy("Need")),
        Column("place.name", gettext_lazy("Raised by")),
        Column("get_category_display", gettext_lazy("Category")),
        Column("get_priority_display", gettext_lazy("Priority")),
        Column("get_status_display", gettext_lazy("Status")),
        Column("handled_at.name", gettext_lazy("With")),
        Column("support_count", gettext_lazy("Places sharing it")),
    ]
    detail_template = "plans/localneed_detail.html"
    initial_from_query = ("place",)
    create_action = do_raise_need

    @classmethod
    def detail_context(cls, request, need):
        user = request.user
        sight_for(user).preload([need.place, need.handled_at])
        supports = NeedSupport.objects.visible_to(user).filter(need=need).select_related("place")
        return {
            "referrals": NeedReferral.objects.visible_to(user)
            .filter(need=need)
            .select_related("from_place", "to_place", "referred_by"),
            "supports": supports,
            "own_supports": supports.filter(place__in=places_for(user, "delete", NeedSupport)),
            "can_support": need.is_open
            and any(
                supports_from_outside(need, place)
                for place in places_for(user, "add", NeedSupport).only("path")[:200]
            ),
            "age": need.age_on(timezone.localdate()),
        }


class AnswerPage(RecordPage):
    """The answer a level gives a need: what it is (a programme, a call, a course…), a link
    and what it says to the raising place. A workflow step, checked as every step is."""

    action = "change"

    def get(self, request, **kwargs):
        need = self.get_object()
        initial = {
            key: request.GET[key][:200]
            for key in ("answer_kind", "answer_title", "answer_url", "record")
            if request.GET.get(key)
        }
        return self.render_page(need, AnswerForm(initial=initial), record=self.record(initial))

    def record(self, data) -> Any:
        """The record named by ``app.model:number`` (another module's "answer a need with
        this" link), if the user may see it; None otherwise."""
        label, _sep, pk = str(data.get("record") or "").partition(":")
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            return None
        if not pk.isdigit() or not hasattr(model._default_manager, "visible_to"):
            return None
        return model._default_manager.visible_to(self.request.user).filter(pk=pk).first()

    def post(self, request, **kwargs):
        need = self.get_object()
        form = AnswerForm(request.POST)
        record = None
        if form.is_valid():
            data = form.cleaned_data
            record = self.record(data)
            changes = {
                "answer_kind": data["answer_kind"],
                "answer_title": data["answer_title"],
                "answer_url": data["answer_url"],
            }
            if record is not None:
                changes["answer_type_id"] = ContentType.objects.get_for_model(record).pk
                changes["answer_id"] = record.pk
            elif data["record"]:
                form.add_error(None, _("That record is not one you may point to."))
        if form.is_valid():
            try:
                do_transition(
                    need, "answer", acting_user=request.user, note=data["note"], changes=changes
                )
            except ValidationError as exc:
                _merge(form, exc)
            else:
                messages.success(
                    request,
                    _("The need is answered; %(place)s sees the answer.")
                    % {"place": need.place.name},
                )
                return HttpResponseRedirect(need.get_absolute_url())
        return self.render_page(need, form, record=record, status=400)

    def render_page(self, need, form, *, record=None, status: int = 200):
        return render(
            self.request,
            "plans/answer_need.html",
            self.context(object=need, form=form, answer_record=record),
            status=status,
        )


def _merge(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


LocalNeedViewSet.extra_pages = {"answer": ("<int:pk>/answer/", AnswerPage)}


def _support_need(support: NeedSupport, *, acting_user) -> NeedSupport:
    return do_support_need(
        support.need, place=support.place, note=support.note, acting_user=acting_user
    )


class NeedSupportViewSet(ModelViewSet):
    model = NeedSupport
    form_class = NeedSupportForm
    filterset_class = NeedSupportFilterSet
    title = gettext_lazy("Needs shared by other places")
    url_prefix = "need-supports/"
    pages = ("list", "detail", "add", "delete", "history", "export")
    ordering = ("place_path", "pk")
    list_select_related = ("need", "place")
    columns = [
        Column("need", gettext_lazy("Need")),
        Column("place.name", gettext_lazy("Shared by")),
        Column("note", gettext_lazy("How it affects them")),
    ]
    detail_fields = [
        ("need", gettext_lazy("Need")),
        ("place", gettext_lazy("Shared by")),
        ("note", gettext_lazy("How it affects them")),
    ]
    initial_from_query = ("need",)
    create_action = _support_need

    @classmethod
    def delete(cls, obj, *, acting_user) -> None:
        do_withdraw_support(obj, acting_user=acting_user)

    @classmethod
    def success_url(cls, obj):
        return obj.need.get_absolute_url()


class NeedReferralViewSet(ModelViewSet):
    """The trail of needs up the tree: written by the *pass up* step, read here."""

    model = NeedReferral
    filterset_class = NeedReferralFilterSet
    title = gettext_lazy("Needs passed up")
    url_prefix = "need-referrals/"
    pages = ("list", "detail", "history", "export")
    ordering = ("place_path", "created_at", "pk")
    list_select_related = ("need", "from_place", "to_place")
    columns = [
        Column("need", gettext_lazy("Need")),
        Column("from_place.name", gettext_lazy("From")),
        Column("to_place.name", gettext_lazy("To")),
        Column("note", gettext_lazy("Note")),
    ]
    detail_fields = [
        ("need", gettext_lazy("Need")),
        ("from_place", gettext_lazy("From")),
        ("to_place", gettext_lazy("To")),
        ("note", gettext_lazy("Note")),
        ("referred_by", gettext_lazy("By")),
    ]


# --- indicator values and approvals --------------------------------------------------------------


class IndicatorValueViewSet(ModelViewSet):
    model = IndicatorValue
    form_class = IndicatorValueForm
    filterset_class = IndicatorValueFilterSet
    title = gettext_lazy("Indicator values")
    url_prefix = "values/"
    ordering = ("place_path", "indicator_id", "period_start", "pk")
    list_select_related = ("indicator", "place")
    columns = [
        Column("indicator", gettext_lazy("Indicator")),
        Column("place.name", gettext_lazy("Place")),
        Column("period", gettext_lazy("Period")),
        Column("value", gettext_lazy("Value")),
        Column("note", gettext_lazy("Note")),
    ]
    detail_fields = [
        ("indicator", gettext_lazy("Indicator")),
        ("place", gettext_lazy("Place")),
        ("period", gettext_lazy("Period")),
        ("value", gettext_lazy("Value")),
        ("note", gettext_lazy("Note")),
    ]
    initial_from_query = ("indicator", "place")
    create_action = do_save_value
    update_action = do_save_value

    @classmethod
    def delete(cls, obj, *, acting_user) -> None:
        do_delete_value(obj, acting_user=acting_user)


class UnlockPage(DeletePage):
    """Withdrawing an approval unlocks the values below it: it asks why, and keeps it."""

    def get(self, request, **kwargs):
        approval = self.get_object()
        return self.render_page(approval, UnlockForm())

    def post(self, request, **kwargs):
        approval = self.get_object()
        form = UnlockForm(request.POST)
        if form.is_valid():
            try:
                do_unlock_period(
                    approval, reason=form.cleaned_data["reason"], acting_user=request.user
                )
            except ValidationError as exc:
                _merge(form, exc)
            else:
                messages.success(
                    request,
                    _("%(period)s is unlocked at %(place)s.")
                    % {"period": approval.period.label, "place": approval.place.name},
                )
                return HttpResponseRedirect(_approvals_url(approval))
        return self.render_page(approval, form, status=400)

    def render_page(self, approval, form, status: int = 200):
        return render(
            self.request,
            "plans/unlock.html",
            self.context(object=approval, form=form),
            status=status,
        )


def _approvals_url(approval: Approval) -> str:
    from django.urls import reverse
    from django.utils.http import urlencode

    query = urlencode(
        {
            "strategy": str(approval.strategy_id),
            "place": str(approval.place_id),
            "period": approval.period.code,
        }
    )
    return f"{reverse('plans:approvals')}?{query}"


class ApprovalViewSet(ModelViewSet):
    """Approving is adding an approval (once every reporting place below has); withdrawing
    it (with a reason) unlocks the values."""

    model = Approval
    form_class = ApprovalForm
    filterset_class = ApprovalFilterSet
    title = gettext_lazy("Approvals")
    url_prefix = "approvals/records/"
    pages = ("list", "detail", "add", "delete", "history", "export")
    page_classes = {**ModelViewSet.page_classes, "delete": UnlockPage}
    ordering = ("-period_start", "place_path", "pk")
    list_select_related = ("strategy", "place", "approved_by")
    columns = [
        Column("place.name", gettext_lazy("Place")),
        Column("period", gettext_lazy("Period")),
        Column("strategy", gettext_lazy("Strategy")),
        Column("approved_by", gettext_lazy("Approved by")),
        Column("created_at", gettext_lazy("On")),
    ]
    detail_fields = [
        ("strategy", gettext_lazy("Strategy")),
        ("place", gettext_lazy("Place")),
        ("period", gettext_lazy("Period")),
        ("approved_by", gettext_lazy("Approved by")),
        ("note", gettext_lazy("Note")),
    ]
    initial_from_query = ("strategy", "place")
    create_action = do_approve_period

    @classmethod
    def initial(cls, request):
        initial = super().initial(request)
        if request.GET.get("period"):
            initial["period"] = request.GET["period"][:8]
        return initial

    @classmethod
    def success_url(cls, obj):
        return _approvals_url(obj)


# --- pages of their own --------------------------------------------------------------------------


class PlaceForm(forms.Form):
    """A place the user may read ``model`` at, typed, picked or in the query string."""

    place = PlaceChoiceField(queryset=Place.objects.none(), label=gettext_lazy("Place"))

    def __init__(self, *args, user, model, **kwargs):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["place"]
        field.queryset = places_for(user, "view", model)
        field.widget = PlacePicker(for_model=model._meta.label_lower, action="view")
        field.widget.choices = field.choices


def _chosen_place(request, model) -> tuple[PlaceForm, Place]:
    """The place the page is about (``?place=`` as a code, a name or a number; by default the
    highest the user reads ``model`` at), and the form that shows it in the picker."""
    form = PlaceForm(request.GET or None, user=request.user, model=model)
    if form.is_bound and not form.is_valid() and request.GET.get("place"):
        raise Http404  # a place the user may not read this at, as if it did not exist
    place = form.cleaned_data.get("place") if form.is_bound and form.is_valid() else None
    place = place or _default_place(request.user, model) or top_places_for(request.user).first()
    if place is None:
        raise PermissionDenied
    shown = PlaceForm({"place": place.pk}, user=request.user, model=model)
    return shown, place


def _depth_choices(country: Place) -> list[tuple[int, str]]:
    """The levels below a country, by the names the country gives them."""
    names = level_names(country.country_code or country.code)
    return [(depth, names.get(depth) or str(depth)) for depth in range(2, 6)]


def _country_of(place: Place) -> Place | None:
    if place.depth == 1:
        return place
    if place.depth > 1:
        return Place.objects.filter(path=place.ancestor_paths[1]).first()
    return None


@login_required
def alignment(request):
    """How a place's plan lines up with the national strategy, and for a country how its
    places do: the alignment views of national and local coordinators."""
    if not can(request.user, "view", LocalPlan):
        raise PermissionDenied
    form, place = _chosen_place(request, LocalPlan)
    context: dict[str, Any] = {
        "form": form,
        "place": place,
        # A country has no local plan of its own: its page is the national picture.
        "alignment": selectors.place_alignment(place, request.user) if place.depth > 1 else None,
        "can_add_plan": can(request.user, "add", LocalPlan, place),
        "can_add_need": can(request.user, "add", LocalNeed, place),
        "needs_before": selectors.needs_before(place, request.user)[:50],
        "today": timezone.localdate(),
    }
    if place.depth == 1:
        depth = _depth_param(request)
        context["national"] = selectors.national_alignment(place, request.user, depth=depth)
        context["depth_choices"] = _depth_choices(place)
    return render(request, "plans/alignment.html", context)


def _depth_param(request) -> int | None:
    raw = request.GET.get("depth", "")
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= 12 else None


@login_required
def alignment_matrix(request):
    """Places × national objectives for a country, readable at a glance and exportable."""
    if not can(request.user, "view", LocalPlan):
        raise PermissionDenied
    form, place = _chosen_place(request, LocalPlan)
    country = _country_of(place)
    if country is None:
        raise Http404
    with_empty = request.GET.get("with_empty") == "1"
    depth = _depth_param(request)
    matrix = selectors.alignment_matrix(country, request.user, depth=depth, with_empty=with_empty)
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"}:
        if not can(request.user, "export", LocalPlan):
            raise PermissionDenied
        kind: Literal["csv", "xlsx"] = "xlsx" if fmt == "xlsx" else "csv"
        header = [_("Place"), _("Current plan")] + [
            f"{o.code} {o.title}" for o in matrix.objectives
        ]
        rows = (
            [p.name, _("yes") if has_plan else _("no"), *counts]
            for p, counts, has_plan in matrix.rows
        )
        code = country.code or str(country.pk)
        return tabular_response(
            header,
            rows,
            fmt=kind,
            filename=f"alignment-{code}.{kind}",
            sheet_title=str(_("Alignment")),
        )
    return render(
        request,
        "plans/matrix.html",
        {
            "form": form,
            "country": country,
            "matrix": matrix,
            "with_empty": with_empty,
            "depth": depth,
            "depth_choices": _depth_choices(country),
            "can_export": can(request.user, "export", LocalPlan),
            "query": request.GET.urlencode(),
        },
    )


class ReportQueryForm(forms.Form):
    strategy = forms.ModelChoiceField(
        queryset=Strategy.objects.none(), label=gettext_lazy("Strategy")
    )
    place = PlaceChoiceField(queryset=Place.objects.none(), label=gettext_lazy("Place"))
    period = PeriodField()

    def __init__(self, *args, user, action: str, model, **kwargs):
        super().__init__(*args, **kwargs)
        strategy: Any = self.fields["strategy"]
        strategy.queryset = Strategy.objects.visible_to(user).order_by("title", "-version")
        field: Any = self.fields["place"]
        field.queryset = places_for(user, action, model)
        field.widget = PlacePicker(for_model=model._meta.label_lower, action=action)
        field.widget.choices = field.choices


def _report_defaults(request, model) -> dict[str, Any]:
    """What the reporting and approval pages start with when the query names nothing."""
    data: dict[str, Any] = request.GET.dict()
    if not data.get("strategy"):
        place = _default_place(request.user, model)
        strategy = selectors.current_strategy(place, request.user) if place else None
        data.setdefault("strategy", strategy.pk if strategy else "")
        data.setdefault("place", place.pk if place else "")
    if not data.get("period"):
        data["period"] = (
            Period.containing(timezone.localdate(), Periodicity.QUARTERLY).previous().code
        )
    return data


@login_required
def report_values(request):
    """A place reports a strategy's indicators for one period (those reported at that
    period's length), as DHIS2's data entry form does; locked once the period is approved."""
    if not can(request.user, "add", IndicatorValue):
        raise PermissionDenied
    query = ReportQueryForm(
        _report_defaults(request, IndicatorValue),
        user=request.user,
        action="add",
        model=IndicatorValue,
    )
    context: dict[str, Any] = {"query_form": query}
    if not query.is_valid():
        return render(request, "plans/report.html", context, status=400 if request.GET else 200)
    strategy, place, period = (query.cleaned_data[k] for k in ("strategy", "place", "period"))
    indicators = list(
        Indicator.objects.visible_to(request.user)
        .filter(strategy=strategy, periodicity=period.kind)
        .order_by("code", "pk")
    )
    current: dict[int, Decimal] = dict(
        IndicatorValue.objects.visible_to(request.user)
        .filter(place=place, indicator__in=indicators, period_start=period.start)
        .values_list("indicator_id", "value")
    )
    lock = selectors.lock_covering(strategy, place, period)
    form = ReportForm(
        request.POST if request.method == "POST" else None, indicators=indicators, current=current
    )
    if request.method == "POST" and lock is None and form.is_valid():
        try:
            do_report_values(
                place=place, period=period, values=form.values(), acting_user=request.user
            )
        except ValidationError as exc:
            _merge(form, exc)
        else:
            messages.success(
                request,
                _("Saved the values of %(place)s for %(period)s.")
                % {"place": place.name, "period": period.label},
            )
            return redirect(f"{request.path}?{request.GET.urlencode()}")
    context.update(
        strategy=strategy,
        place=place,
        period=period,
        form=form,
        lock=lock,
        period_kind=Periodicity(period.kind).label.lower(),
        previous=period.previous(),
        next=period.next(),
        kinds=[
            (kind, label, Period.containing(period.start, kind))
            for kind, label in Periodicity.choices
        ],
    )
    status = 400 if request.method == "POST" else 200
    return render(request, "plans/report.html", context, status=status)


@login_required
def approvals(request):
    """Where the sign-off of a period stands at a place: its own approval, the places below
    it that reported and whether they approved, and the approval above that locks it."""
    if not can(request.user, "view", Approval):
        raise PermissionDenied
    query = ReportQueryForm(
        _report_defaults(request, Approval), user=request.user, action="view", model=Approval
    )
    context: dict[str, Any] = {"query_form": query}
    if query.is_valid():
        strategy, place, period = (query.cleaned_data[k] for k in ("strategy", "place", "period"))
        state = selectors.approval_state(strategy, place, period, request.user)
        context.update(
            state=state,
            can_approve=state.ready and can(request.user, "add", Approval, place),
            can_unlock=state.own is not None and permits(request.user, "delete", state.own),
        )
    return render(request, "plans/approvals.html", context)
