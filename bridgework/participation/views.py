"""Pages of the participation module.

* Staff pages (scoped like every module): proposals with their workflow, publishing an
  answer, moderating, turning an accepted proposal into a plan action or a need; support
  thresholds; the follow-up of proposals awaiting an answer and the moderation queue.
* Public pages (no account needed): a place's proposals by state with response times, a
  proposal with its comments and published answer, its photo.
* A signed-in resident's writes: posting, supporting, commenting, reporting, withdrawing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from bridgework.access.actions import password_confirms
from bridgework.access.policy import access_record, can, permits
from bridgework.activity.workflows import do_transition
from bridgework.places.models import Place
from bridgework.web.viewsets import Column, ModelViewSet, RecordPage

from . import selectors
from .actions import (
    do_comment,
    do_edit_proposal,
    do_make_outcome,
    do_moderate,
    do_post_proposal,
    do_publish_answer,
    do_report,
    do_support,
    is_resident,
)
from .filters import ProposalFilterSet, SupportThresholdFilterSet, TownHallFilterSet
from .forms import (
    CloseAccountForm,
    CommentForm,
    ModerationForm,
    OutcomeForm,
    PostProposalForm,
    ProposalForm,
    ReportForm,
    SupportThresholdForm,
    TownHallForm,
)
from .models import Comment, Proposal, ResidentProfile, SupportThreshold, TownHall
from .personal import do_close_resident_account, resident_data

__all__ = [
    "ProposalViewSet",
    "SupportThresholdViewSet",
    "TownHallViewSet",
    "comment",
    "followup",
    "join",
    "moderation",
    "photo",
    "propose",
    "public_index",
    "public_place",
    "close_account",
    "my_data",
    "my_data_download",
    "public_proposal",
    "report",
    "support",
    "verify",
    "withdraw",
]


def _merge(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- staff pages -----------------------------------------------------------------------------


def _post(proposal: Proposal, *, acting_user, save_related=None) -> Proposal:
    return do_post_proposal(proposal, acting_user=acting_user, save_related=save_related)


class ProposalViewSet(ModelViewSet):
    model = Proposal
    form_class = ProposalForm
    filterset_class = ProposalFilterSet
    title = gettext_lazy("Proposals and concerns")
    url_prefix = "proposals/"
    # Nothing residents post is deleted: moderators hide it (with a reason) instead.
    pages = ("list", "detail", "add", "edit", "history", "export")
    ordering = ("-created_at", "pk")
    list_select_related = ("place", "handled_at", "author__resident_profile")
    columns = [
        Column("title", gettext_lazy("Title")),
        Column("get_kind_display", gettext_lazy("Kind")),
        Column("place.name", gettext_lazy("Place")),
        Column("get_status_display", gettext_lazy("Status")),
        Column("handled_at.name", gettext_lazy("Before")),
        Column("support_count", gettext_lazy("Supports")),
        Column("get_moderation_display", gettext_lazy("Moderation")),
    ]
    detail_template = "participation/proposal_detail.html"
    create_action = _post
    update_action = do_edit_proposal

    @classmethod
    def detail_context(cls, request, proposal):
        user = request.user
        is_staff = permits(user, "change", proposal)
        return {
            "is_staff_reader": is_staff,
            "referrals": proposal.referrals.select_related("from_place", "to_place"),
            "threshold": selectors.support_threshold_for(proposal),
            "can_publish": bool(proposal.answer)
            and proposal.answer_published_at is None
            and permits(user, "publish_answer", proposal),
            "can_moderate": permits(user, "moderate", proposal),
            "can_outcome": is_staff
            and not proposal.outcome_id
            and proposal.status in ("accepted", "implemented"),
        }


class _ProposalFormPage(RecordPage):
    """A page of one proposal taking a small form (publish, moderate, outcome)."""

    heading: Any = ""
    button: Any = ""

    def form(self, data=None):
        raise NotImplementedError

    def get(self, request, **kwargs):
        return self.render_page(self.get_object(), self.form())

    def render_page(self, proposal, form, status=200):
        return render(
            self.request,
            "participation/proposal_form.html",
            self.context(object=proposal, form=form, heading=self.heading, button=self.button),
            status=status,
        )

    def post(self, request, **kwargs):
        proposal = self.get_object()
        form = self.form(request.POST)
        if form.is_valid():
            try:
                self.act(proposal, form.cleaned_data)
            except ValidationError as exc:
                _merge(form, exc)
            else:
                return HttpResponseRedirect(proposal.get_absolute_url())
        return self.render_page(proposal, form, status=400)

    def act(self, proposal, data) -> None:
        raise NotImplementedError


class PublishAnswerPage(_ProposalFormPage):
    action = "publish_answer"
    heading = gettext_lazy("Publish the answer")
    button = gettext_lazy("Publish")

    def form(self, data=None):
        from django import forms

        return forms.Form(data)

    def act(self, proposal, data) -> None:
        do_publish_answer(proposal, acting_user=self.request.user)
        messages.success(self.request, _("The answer is public."))


class ModeratePage(_ProposalFormPage):
    action = "moderate"
    heading = gettext_lazy("Moderate")
    button = gettext_lazy("Record the decision")

    def form(self, data=None):
        initial = {"comment": self.request.GET.get("comment")} if data is None else None
        return ModerationForm(data, initial=initial)

    def act(self, proposal, data) -> None:
        target = None
        if data.get("comment"):
            target = Comment.objects.filter(proposal=proposal, pk=data["comment"]).first()
            if target is None:
                raise ValidationError(_("That comment is not on this proposal."))
        do_moderate(
            proposal,
            decision=data["decision"],
            reason=data["reason"],
            comment=target,
            acting_user=self.request.user,
        )
        messages.success(self.request, _("Decision recorded."))


class OutcomePage(_ProposalFormPage):
    action = "change"
    heading = gettext_lazy("Make it a plan action or a need")
    button = gettext_lazy("Create it")

    def form(self, data=None):
        return OutcomeForm(data, user=self.request.user)

    def act(self, proposal, data) -> None:
        record = do_make_outcome(
            proposal,
            kind=data["kind"],
            priority=data.get("priority"),
            acting_user=self.request.user,
        )
        messages.success(self.request, _("Created %(name)s.") % {"name": record})


ProposalViewSet.extra_pages = {
    "publish": ("<int:pk>/publish/", PublishAnswerPage),
    "moderate": ("<int:pk>/moderate/", ModeratePage),
    "outcome": ("<int:pk>/outcome/", OutcomePage),
}


class SupportThresholdViewSet(ModelViewSet):
    model = SupportThreshold
    form_class = SupportThresholdForm
    filterset_class = SupportThresholdFilterSet
    title = gettext_lazy("Support thresholds")
    url_prefix = "thresholds/"
    ordering = ("place_path", "-created_at", "pk")
    list_select_related = ("place",)
    columns = [
        Column("place.name", gettext_lazy("Place")),
        Column("supports", gettext_lazy("Supports needed")),
        Column("note", gettext_lazy("Note")),
    ]
    detail_fields = [
        ("place.name", gettext_lazy("Place")),
        ("supports", gettext_lazy("Supports needed")),
        ("note", gettext_lazy("Note")),
    ]


@login_required
@require_GET
def followup(request):
    """Proposals awaiting an answer from the levels the reader coordinates, oldest first, and
    those referred up to them from below."""
    waiting = selectors.awaiting_answer(request.user)
    return render(
        request,
        "participation/followup.html",
        {
            "waiting": waiting[:200],
            "referred": selectors.referred_from_below(request.user)[:200],
        },
    )


@login_required
@require_GET
def moderation(request):
    if not can(request.user, "moderate", Proposal):
        raise PermissionDenied
    proposals, comments = selectors.moderation_queue(request.user)
    return render(
        request,
        "participation/moderation.html",
        {"proposals": proposals[:200], "comments": comments[:200]},
    )


# --- public pages ----------------------------------------------------------------------------


@require_GET
def public_index(request):
    """The places with published proposals: the way in from the front page."""
    counts = dict(
        selectors.public_proposals().order_by().values_list("place_id").annotate(n=Count("pk"))
    )
    places = Place.objects.filter(pk__in=counts).order_by("path")
    rows = [(place, counts[place.pk]) for place in places]
    return render(request, "participation/public_index.html", {"rows": rows})


@require_GET
def public_place(request, pk: int):
    place = get_object_or_404(selectors.public_places(), pk=pk)
    states, average = selectors.public_summary(place)
    town_halls = list(selectors.public_town_halls(place)[:20])
    return render(
        request,
        "participation/public_place.html",
        {
            "place": place,
            "states": states,
            "average_days": average,
            "total": sum(state.count for state in states),
            "can_post": request.user.is_authenticated and can(request.user, "add", Proposal),
            "can_join": not request.user.is_authenticated and place.depth >= 3,
            "upcoming": [t for t in town_halls if not t.is_past][::-1],
            "past": [t for t in town_halls if t.is_past],
        },
    )


@require_GET
def public_proposal(request, pk: int):
    proposal = selectors.public_proposal(pk)
    if proposal is None:
        raise Http404
    user = request.user
    signed_in = user.is_authenticated
    may_read = signed_in and permits(user, "view", proposal)
    context = {
        "proposal": proposal,
        "comments": selectors.public_comments(proposal),
        "threshold": selectors.support_threshold_for(proposal),
        "referrals": proposal.referrals.select_related("from_place", "to_place"),
        "outcome_shown": proposal.outcome_id is not None,
        "may_read": may_read,
        "can_support": may_read
        and proposal.is_open
        and is_resident(user)
        and proposal.author_id != user.pk
        and not proposal.supports.filter(user=user).exists(),
        "supports_it": signed_in and proposal.supports.filter(user=user).exists(),
        "can_withdraw": signed_in and proposal.author_id == user.pk and proposal.is_open,
        "comment_form": CommentForm() if may_read else None,
        "report_form": ReportForm() if may_read else None,
        "is_staff_reader": signed_in and permits(user, "change", proposal),
    }
    return render(request, "participation/public_proposal.html", context)


@require_GET
def photo(request, pk: int):
    """A proposal's photo, for whoever may read the proposal (anyone, unless hidden; staff
    always). Served from outside the web root, never by its stored name."""
    proposal = selectors.public_proposal(pk)
    if proposal is None and request.user.is_authenticated:
        proposal = Proposal.objects.visible_to(request.user, "view").filter(pk=pk).first()
    if proposal is None or not proposal.photo:
        raise Http404
    extension = proposal.photo.name.rsplit(".", 1)[-1].lower()
    content_type = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}.get(extension)
    if content_type is None:
        raise Http404
    response = FileResponse(proposal.photo.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


# --- a resident's writes ---------------------------------------------------------------------


@login_required
def propose(request):
    """A resident posts a proposal or a concern for their ward or city."""
    if not can(request.user, "add", Proposal):
        raise PermissionDenied
    initial = {}
    if request.GET.get("place", "").isdigit():
        initial["place"] = request.GET["place"]
    if request.method == "POST":
        form = PostProposalForm(request.POST, request.FILES, user=request.user, action="add")
        if form.is_valid():
            proposal = form.save(commit=False)
            try:
                do_post_proposal(
                    proposal, acting_user=request.user, photo=form.cleaned_data.get("photo")
                )
            except ValidationError as exc:
                _merge(form, exc)
            except PermissionDenied:
                form.add_error("place", _("You may not post for that place."))
            else:
                messages.success(request, _("Posted. It is public now and waits for an answer."))
                return HttpResponseRedirect(proposal.get_public_url())
        status = 400
    else:
        form = PostProposalForm(user=request.user, action="add", initial=initial)
        status = 200
    return render(request, "participation/propose.html", {"form": form}, status=status)


def _readable(request, pk: int) -> Proposal:
    return access_record(request.user, Proposal, pk)


def _back(proposal: Proposal, anchor: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(proposal.get_public_url() + anchor)


@login_required
@require_POST
def support(request, pk: int):
    proposal = _readable(request, pk)
    try:
        do_support(proposal, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("You support this proposal."))
    return _back(proposal)


@login_required
@require_POST
def withdraw(request, pk: int):
    proposal = _readable(request, pk)
    try:
        do_transition(proposal, "withdraw", acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your proposal is withdrawn."))
    return _back(proposal)


@login_required
@require_POST
def comment(request, pk: int):
    proposal = _readable(request, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a comment of at most 2000 characters."))
        return _back(proposal, "#comments")
    parent = None
    if form.cleaned_data.get("parent"):
        parent = Comment.objects.filter(proposal=proposal, pk=form.cleaned_data["parent"]).first()
        if parent is None:
            raise Http404
    try:
        do_comment(
            proposal, body=form.cleaned_data["body"], parent=parent, acting_user=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your comment is posted."))
    return _back(proposal, "#comments")


@login_required
@require_POST
def report(request, pk: int):
    proposal = _readable(request, pk)
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a reason."))
        return _back(proposal)
    target = None
    if form.cleaned_data.get("comment"):
        target = Comment.objects.filter(proposal=proposal, pk=form.cleaned_data["comment"]).first()
        if target is None:
            raise Http404
    try:
        do_report(
            proposal,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            comment=target,
            acting_user=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Thank you: the moderators will look at it."))
    if target is None and proposal.is_hidden:
        return HttpResponseRedirect(reverse("participation:public_index"))
    proposal.refresh_from_db(fields=["moderation"])
    if proposal.is_hidden:
        return HttpResponseRedirect(reverse("participation:public_index"))
    return _back(proposal)


# --- resident accounts -----------------------------------------------------------------------


def join(request, pk: int):
    """Sign up as a resident of a city or ward (the place whose page linked here)."""
    from bridgework.access.middleware import client_address

    from .accounts import check_signup_rate, do_sign_up, resident_places
    from .forms import JoinForm

    place = get_object_or_404(resident_places(), pk=pk)
    if request.user.is_authenticated:
        return HttpResponseRedirect(reverse("participation:public_place", args=[place.pk]))
    form = JoinForm(request.POST or None, initial={"home": place.pk})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            check_signup_rate(client_address(request))
            do_sign_up(
                email=data["email"],
                password=data["password"],
                public_name=data["public_name"],
                born_on=data["born_on"],
                home=place,
                language=request.LANGUAGE_CODE,
            )
        except ValidationError as exc:
            _merge(form, exc)
        else:
            return render(
                request,
                "participation/join_done.html",
                {
                    "heading": _("Check your email"),
                    "message": _(
                        "If this address can be used, we have sent it a link. Open it to "
                        "confirm your address; then sign in."
                    ),
                },
            )
    status = 400 if request.method == "POST" else 200
    return render(request, "participation/join.html", {"form": form, "place": place}, status=status)


@require_GET
def verify(request, token: str):
    from .accounts import do_verify_resident

    context: dict[str, Any]
    try:
        do_verify_resident(token)
    except ValidationError as exc:
        context = {"heading": _("This link does not work"), "message": " ".join(exc.messages)}
        return render(request, "participation/join_done.html", context, status=400)
    context = {
        "heading": _("Your address is confirmed"),
        "message": _("Welcome. Sign in to post, support and comment."),
        "signed_up": True,
    }
    return render(request, "participation/join_done.html", context)


# --- town halls ------------------------------------------------------------------------------


class TownHallViewSet(ModelViewSet):
    model = TownHall
    form_class = TownHallForm
    filterset_class = TownHallFilterSet
    title = gettext_lazy("Town halls")
    url_prefix = "town-halls/"
    ordering = ("-starts_at", "pk")
    list_select_related = ("body", "place")
    initial_from_query = ("body",)
    columns = [
        Column("title", gettext_lazy("Town hall")),
        Column("body", gettext_lazy("Held by")),
        Column("starts_at", gettext_lazy("Starts")),
        Column("location", gettext_lazy("Where")),
        Column("attendance_count", gettext_lazy("People who came")),
    ]
    detail_fields = [
        ("body", gettext_lazy("Held by")),
        ("starts_at", gettext_lazy("Starts")),
        ("ends_at", gettext_lazy("Ends")),
        ("location", gettext_lazy("Where")),
        ("capacity", gettext_lazy("Places")),
        ("agenda", gettext_lazy("Agenda")),
        ("minutes", gettext_lazy("Minutes")),
        ("attendance_count", gettext_lazy("People who came")),
    ]
    detail_template = "participation/townhall_detail.html"

    @classmethod
    def detail_context(cls, request, town_hall):
        return {
            "registered": town_hall.registrations.count(),
            "discussed": town_hall.proposals.visible_to(request.user, "view"),
        }


def _town_hall_context(request, town_hall: TownHall) -> dict[str, Any]:
    from bridgework.access.policy import named_for

    user = request.user
    registered = town_hall.registrations.count()
    mine = user.is_authenticated and town_hall.registrations.filter(user=user).exists()
    full = town_hall.capacity is not None and registered >= town_hall.capacity
    return {
        "town_hall": town_hall,
        "body_name": named_for(None, town_hall.body),
        "registered": registered,
        "is_registered": mine,
        "can_register": user.is_authenticated and not mine and not full and not town_hall.is_past,
        "is_full": full,
        "discussed": selectors.public_proposals().filter(town_halls=town_hall),
    }


@require_GET
def public_townhall(request, pk: int):
    town_hall = get_object_or_404(selectors.public_town_halls(), pk=pk)
    return render(
        request, "participation/public_townhall.html", _town_hall_context(request, town_hall)
    )


@login_required
@require_POST
def register(request, pk: int):
    from .actions import do_register

    town_hall = get_object_or_404(selectors.public_town_halls(), pk=pk)
    try:
        do_register(town_hall, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("You are registered. See you there."))
    return HttpResponseRedirect(town_hall.get_public_url())


@require_GET
def townhall_ics(request, pk: int):
    from .calendar import town_hall_calendar

    town_hall = get_object_or_404(selectors.public_town_halls(), pk=pk)
    response = HttpResponse(
        town_hall_calendar([town_hall], town_hall.title), content_type="text/calendar"
    )
    response["Content-Disposition"] = f'attachment; filename="town-hall-{town_hall.pk}.ics"'
    return response


@require_GET
def place_ics(request, pk: int):
    """A place's town halls from a month back on: a feed a calendar can subscribe to."""
    import datetime

    from django.utils import timezone

    from .calendar import town_hall_calendar

    place = get_object_or_404(selectors.public_places(), pk=pk)
    since = timezone.now() - datetime.timedelta(days=31)
    rows = selectors.public_town_halls(place).filter(starts_at__gte=since)[:500]
    name = _("Town halls: %(place)s") % {"place": place.name}
    return HttpResponse(town_hall_calendar(rows, name), content_type="text/calendar")


# --- a resident's own data -------------------------------------------------------------------


def _own_profile(request) -> ResidentProfile:
    """Only a resident has these pages; anyone else finds nothing here."""
    profile = ResidentProfile.objects.filter(user=request.user, erased_at__isnull=True).first()
    if profile is None:
        raise Http404
    return profile


@login_required
@require_GET
def my_data(request):
    """What a resident can do with their own data: download it, or close their account."""
    profile = _own_profile(request)
    context = {"profile": profile, "form": CloseAccountForm()}
    return render(request, "participation/my_data.html", context)


@login_required
@require_GET
def my_data_download(request):
    _own_profile(request)
    response = JsonResponse(resident_data(request.user), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = 'attachment; filename="my-bridgework-data.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def close_account(request):
    profile = _own_profile(request)
    form = CloseAccountForm(request.POST)
    if form.is_valid():
        if not password_confirms(request, request.user, form.cleaned_data["password"]):
            form.add_error("password", _("That is not your password."))
        else:
            do_close_resident_account(request.user)
            logout(request)
            messages.success(
                request,
                _("Your account is closed and your personal data erased. Thank you."),
            )
            return HttpResponseRedirect(reverse("participation:public_index"))
    context = {"profile": profile, "form": form}
    return render(request, "participation/my_data.html", context, status=400)
