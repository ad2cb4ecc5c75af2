"""Pages of the response module: reports (the coordinators' pages, the partners' intake,
the public form, the second coder's review), tension assessments and their picture, alert
rules, crises (tasks, convening, after-action review) and the two-factor pages. Every page
answers ``no-store``, and those showing records ask for a second factor (see urls.py)."""

from __future__ import annotations

from base64 import b32encode
from typing import Any

import qrcode
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja.throttling import SimpleRateThrottle
from qrcode.image.svg import SvgPathImage

from bridgework.access.middleware import client_address
from bridgework.access.policy import access_for, can, log_sensitive_reads, model_label, permits
from bridgework.core.tlp import TLP
from bridgework.web.viewsets import Column, CreatePage, ModelViewSet, RecordPage

from . import otp, selectors
from .actions import (
    do_add_crisis_task,
    do_close_crisis,
    do_convene,
    do_post_crisis_update,
    do_receive_report,
    do_record_tension,
    do_review_severity,
    do_update_report,
    do_update_tension,
)
from .conf import public_report_rate
from .filters import (
    AlertRuleFilterSet,
    CrisisFilterSet,
    CrisisUpdateFilterSet,
    ReportFilterSet,
    TensionAssessmentFilterSet,
)
from .forms import (
    AlertRuleForm,
    ConveneForm,
    CrisisForm,
    CrisisReviewForm,
    CrisisTaskForm,
    CrisisUpdateForm,
    IntakeForm,
    PublicReportForm,
    ReportForm,
    ReviewForm,
    TensionAssessmentForm,
    TokenForm,
    corrective_formset,
)
from .models import AlertRule, Crisis, CrisisUpdate, Report, TensionAssessment

__all__ = [
    "AlertRuleViewSet",
    "CrisisUpdateViewSet",
    "CrisisViewSet",
    "ReportViewSet",
    "TensionAssessmentViewSet",
    "intake",
    "otp_enrol",
    "otp_qr",
    "otp_verify",
    "public_report",
    "tension_picture",
]


def reads_amber(user) -> bool:
    """Whether any of the user's roles that add reports may read an AMBER one back."""
    access = access_for(user)
    if access is None:
        return False
    return any(
        held.ceiling >= TLP.AMBER for held, _path in access.grants("add", model_label(Report))
    )


class ReportCreatePage(CreatePage):
    """Someone who could not read an AMBER report back sends it through the intake form."""

    def dispatch(self, request, *args, **kwargs):
        authenticated = request.user.is_authenticated
        if authenticated and can(request.user, "add", Report) and not reads_amber(request.user):
            return redirect("response:intake")
        return super().dispatch(request, *args, **kwargs)


class ReviewPage(RecordPage):
    """The second coder's severity."""

    action = "review"

    def get(self, request, **kwargs):
        report = self.get_object(channel="page")  # the coder reads the report: logged
        return self.show(report, ReviewForm())

    def show(self, report, form, status=200):
        return render(
            self.request,
            "response/review.html",
            self.context(object=report, form=form),
            status=status,
        )

    def post(self, request, **kwargs):
        report = self.get_object()
        form = ReviewForm(request.POST)
        if not form.is_valid():
            return self.show(report, form, status=400)
        try:
            do_review_severity(
                report,
                severity=form.cleaned_data["severity"],
                note=form.cleaned_data["note"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
            return self.show(report, form, status=400)
        messages.success(request, _("Your severity is recorded."))
        return HttpResponseRedirect(report.get_absolute_url())


class ReportViewSet(ModelViewSet):
    model = Report
    form_class = ReportForm
    filterset_class = ReportFilterSet
    title = gettext_lazy("Incident reports")
    url_prefix = "reports/"
    ordering = ("-occurred_on", "-pk")
    list_select_related = ("place",)
    create_action = do_receive_report
    update_action = do_update_report
    page_classes = {**ModelViewSet.page_classes, "add": ReportCreatePage}
    extra_pages = {"review": ("<int:pk>/review/", ReviewPage)}
    detail_template = "response/report_detail.html"
    columns = [
        Column("reference", gettext_lazy("Reference"), link=True),
        Column("title", gettext_lazy("Summary")),
        Column("get_kind_display", gettext_lazy("Kind")),
        Column("place.name", gettext_lazy("Place")),
        Column("occurred_on", gettext_lazy("Date")),
        Column("severity", gettext_lazy("Severity")),
        Column("get_status_display", gettext_lazy("Status")),
    ]

    @classmethod
    def base_queryset(cls, request):
        return Report.objects.prefetch_related("bias_categories")

    @classmethod
    def create(cls, form, *, acting_user):
        return do_receive_report(
            form.save(commit=False), acting_user=acting_user, save_related=form.save_m2m
        )

    @classmethod
    def update(cls, form, *, acting_user):
        return do_update_report(
            form.save(commit=False), acting_user=acting_user, save_related=form.save_m2m
        )

    @classmethod
    def detail_context(cls, request, obj):
        return {
            "can_review": permits(request.user, "review", obj),
            **selectors.report_details(obj, request.user),
        }


class TensionAssessmentViewSet(ModelViewSet):
    model = TensionAssessment
    form_class = TensionAssessmentForm
    filterset_class = TensionAssessmentFilterSet
    title = gettext_lazy("Tension assessments")
    url_prefix = "tensions/"
    create_action = staticmethod(do_record_tension)
    update_action = staticmethod(do_update_tension)
    ordering = ("-week_start", "place_path", "pk")
    list_select_related = ("place", "level")
    columns = [
        Column("title", gettext_lazy("Headline"), link=True),
        Column("place.name", gettext_lazy("Place")),
        Column("week_label", gettext_lazy("Week")),
        Column("level", gettext_lazy("Level")),
    ]
    detail_fields = [
        ("place", gettext_lazy("Place")),
        ("week_label", gettext_lazy("Week")),
        ("level", gettext_lazy("Level")),
        ("evidence", gettext_lazy("Evidence")),
        ("trigger_local", gettext_lazy("Local trigger")),
        ("trigger_national", gettext_lazy("National trigger")),
        ("trigger_international", gettext_lazy("International trigger")),
        ("triggers", gettext_lazy("Triggers")),
    ]


class AlertRuleViewSet(ModelViewSet):
    model = AlertRule
    form_class = AlertRuleForm
    filterset_class = AlertRuleFilterSet
    title = gettext_lazy("Alert rules")
    url_prefix = "alerts/"
    ordering = ("place_path", "name", "pk")
    list_select_related = ("place", "body", "person")
    columns = [
        Column("name", gettext_lazy("Name"), link=True),
        Column("place.name", gettext_lazy("At or below")),
        Column("get_kind_display", gettext_lazy("Kind")),
        Column("min_severity", gettext_lazy("From severity")),
        Column("body.name", gettext_lazy("Body")),
        Column("person", gettext_lazy("User")),
        Column("active", gettext_lazy("Active")),
    ]
    detail_fields = [
        ("place", gettext_lazy("At or below")),
        ("get_kind_display", gettext_lazy("Kind")),
        ("bias_category", gettext_lazy("Bias motivation")),
        ("min_severity", gettext_lazy("From severity")),
        ("tension_from", gettext_lazy("Tension from")),
        ("body", gettext_lazy("Body to alert")),
        ("person", gettext_lazy("User to alert")),
        ("active", gettext_lazy("Active")),
    ]


# --- intake -------------------------------------------------------------------------------------


@login_required
def intake(request):
    """Report an incident: for partners and anyone else who may add reports somewhere."""
    if not can(request.user, "add", Report):
        raise PermissionDenied
    form = IntakeForm(data=request.POST or None, user=request.user, action="add")
    if request.method == "POST" and form.is_valid():
        try:
            report = do_receive_report(
                form.save(commit=False), acting_user=request.user, save_related=form.save_m2m
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        except PermissionDenied:
            form.add_error("place", _("You may not report incidents for this place."))
        else:
            messages.success(
                request,
                _("Thank you. Report %(ref)s is with the coordinators of %(place)s.")
                % {"ref": report.reference, "place": report.place.name},
            )
            if permits(request.user, "view", report):
                return HttpResponseRedirect(report.get_absolute_url())
            return HttpResponseRedirect(reverse("response:intake"))
    status = 400 if request.method == "POST" else 200
    return render(request, "response/intake.html", {"form": form}, status=status)


class PublicReportThrottle(SimpleRateThrottle):
    """At most ``RESPONSE_PUBLIC_REPORT_RATE`` public reports from one address."""

    scope = "response-public-report"

    def __init__(self) -> None:
        super().__init__(rate=public_report_rate())

    def get_cache_key(self, request) -> str | None:
        address = client_address(request)
        return self.cache_format % {"scope": self.scope, "ident": address} if address else None


def public_report(request):
    """The public's form: no account needed, anonymous allowed, a few per address."""
    form = PublicReportForm(data=request.POST or None)
    if request.method == "POST":
        throttle = PublicReportThrottle()
        if not throttle.allow_request(request):
            wait = int(throttle.wait() or 60)
            response = render(
                request, "response/public_report.html", {"form": form, "limited": True}, status=429
            )
            response["Retry-After"] = str(max(wait, 1))
            return response
        if form.is_valid():
            report = do_receive_report(
                form.save(commit=False), acting_user=None, save_related=form.save_m2m
            )
            return render(request, "response/public_thanks.html", {"reference": report.reference})
    status = 400 if request.method == "POST" else 200
    return render(request, "response/public_report.html", {"form": form}, status=status)


# --- the tension picture ------------------------------------------------------------------------


@login_required
def tension_picture(request):
    """Weekly tension returns at a place and below, by child place, with the trend."""
    picture = selectors.tension_picture(request.user, request.GET.get("place"))
    if picture is None:
        raise PermissionDenied
    return render(request, "response/tension_picture.html", {"picture": picture})


# --- crises -------------------------------------------------------------------------------------


class CrisisFormPage(RecordPage):
    """A page of a crisis that adds something to it (a task, a convening, its review)."""

    action = "change"
    template = ""
    title_text: Any = ""

    def show(self, crisis, status=200, **forms):
        context = self.context(object=crisis, page_title=self.title_text, **forms)
        return render(self.request, self.template, context, status=status)


class CrisisTaskPage(CrisisFormPage):
    template = "response/crisis_task.html"
    title_text = gettext_lazy("Give a task")

    def get(self, request, **kwargs):
        crisis = self.get_object()
        return self.show(crisis, form=CrisisTaskForm(user=request.user, action="add"))

    def post(self, request, **kwargs):
        crisis = self.get_object()
        form = CrisisTaskForm(data=request.POST, user=request.user, action="add")
        if form.is_valid():
            try:
                do_add_crisis_task(crisis, form.save(commit=False), acting_user=request.user)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("The task is given."))
                return HttpResponseRedirect(crisis.get_absolute_url())
        return self.show(crisis, status=400, form=form)


class ConvenePage(CrisisFormPage):
    template = "response/crisis_task.html"
    title_text = gettext_lazy("Convene the coordinating body")

    def get(self, request, **kwargs):
        crisis = self.get_object()
        initial = {"title": _("Crisis meeting: %(title)s") % {"title": crisis.title}}
        form = ConveneForm(user=request.user, action="add", initial=initial)
        return self.show(crisis, form=form)

    def post(self, request, **kwargs):
        crisis = self.get_object()
        form = ConveneForm(data=request.POST, user=request.user, action="add")
        if form.is_valid():
            meeting = form.save(commit=False)
            try:
                do_convene(crisis, meeting, acting_user=request.user)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("The meeting is called."))
                return HttpResponseRedirect(crisis.get_absolute_url())
        return self.show(crisis, status=400, form=form)


class CloseCrisisPage(CrisisFormPage):
    """The after-action review that closes a crisis."""

    template = "response/crisis_close.html"
    title_text = gettext_lazy("After-action review")

    def get(self, request, **kwargs):
        crisis = self.get_object()
        return self.show(
            crisis, form=CrisisReviewForm(), formset=corrective_formset(user=request.user)
        )

    def post(self, request, **kwargs):
        crisis = self.get_object()
        form = CrisisReviewForm(request.POST)
        formset = corrective_formset(user=request.user, data=request.POST)
        if form.is_valid() and formset.is_valid():
            corrections = [f.save(commit=False) for f in formset.forms if f.has_changed()]
            try:
                do_close_crisis(
                    crisis,
                    review=form.cleaned_data,
                    corrections=corrections,
                    acting_user=request.user,
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(
                    request, _("The crisis is closed; its corrective actions are tracked.")
                )
                return HttpResponseRedirect(crisis.get_absolute_url())
        return self.show(crisis, status=400, form=form, formset=formset)


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class CrisisViewSet(ModelViewSet):
    model = Crisis
    form_class = CrisisForm
    filterset_class = CrisisFilterSet
    title = gettext_lazy("Crises")
    url_prefix = "crises/"
    ordering = ("-started_on", "pk")
    list_select_related = ("place", "body")
    detail_template = "response/crisis_detail.html"
    extra_pages = {
        "task": ("<int:pk>/task/", CrisisTaskPage),
        "convene": ("<int:pk>/convene/", ConvenePage),
        "close": ("<int:pk>/close/", CloseCrisisPage),
    }
    columns = [
        Column("title", gettext_lazy("Title"), link=True),
        Column("place.name", gettext_lazy("Place")),
        Column("body.name", gettext_lazy("Coordinating body")),
        Column("started_on", gettext_lazy("Started")),
        Column("get_status_display", gettext_lazy("Status")),
    ]

    @classmethod
    def detail_context(cls, request, obj):
        details = selectors.crisis_details(obj, request.user)
        # Listed here is read here: AMBER/RED ones go to the sensitive-read log like a page of each.
        log_sensitive_reads(
            request.user, [*details["reports"], *details["assessments"]], channel="page"
        )
        return details


class CrisisUpdateViewSet(ModelViewSet):
    model = CrisisUpdate
    form_class = CrisisUpdateForm
    filterset_class = CrisisUpdateFilterSet
    title = gettext_lazy("Crisis log")
    url_prefix = "crisis-updates/"
    ordering = ("-created_at", "-pk")
    list_select_related = ("crisis", "place")
    initial_from_query = ("crisis",)
    create_action = do_post_crisis_update
    columns = [
        Column("text", gettext_lazy("Text"), link=True),
        Column("get_kind_display", gettext_lazy("Kind")),
        Column("crisis.title", gettext_lazy("Crisis")),
        Column("created_at", gettext_lazy("Posted")),
    ]
    detail_fields = [
        ("crisis", gettext_lazy("Crisis")),
        ("get_kind_display", gettext_lazy("Kind")),
        ("text", gettext_lazy("Text")),
        ("posted_by", gettext_lazy("Posted by")),
        ("created_at", gettext_lazy("Posted")),
    ]

    @classmethod
    def success_url(cls, obj):
        return obj.crisis.get_absolute_url()


# --- two-factor ---------------------------------------------------------------------------------


@login_required
def otp_enrol(request):
    """Add an authenticator app: scan the code (or type the secret), then give a first code."""
    device = otp.pending_device(request.user)
    form = TokenForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    if request.method == "POST" and form.is_valid():
        codes = otp.confirm_enrolment(request, device, form.cleaned_data["token"])
        if codes is not None:
            return render(
                request,
                "response/otp_codes.html",
                {"codes": codes, "next": otp.safe_next(request)},
            )
        form.add_error("token", _("That code is not right. Check the time on your phone."))
    secret = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "response/otp_enrol.html", context, status=status)


@login_required
def otp_qr(request):
    """The pending device's setup address as a QR code (SVG, no script)."""
    device = otp.pending_device(request.user)
    image = qrcode.make(device.config_url, image_factory=SvgPathImage, box_size=8)
    return HttpResponse(image.to_string(), content_type="image/svg+xml")


@login_required
def otp_verify(request):
    """Prove the second factor for this session."""
    form = TokenForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    if request.method == "POST" and form.is_valid():
        if otp.verify_in_session(request, form.cleaned_data["token"]):
            return HttpResponseRedirect(otp.safe_next(request))
        form.add_error("token", _("That code is not right."))
    status = 400 if request.method == "POST" else 200
    return render(request, "response/otp_verify.html", {"form": form}, status=status)
