"""Pages that belong to no domain module: home, account and tokens, the record picker, health,
errors."""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace

from django import forms
from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import (
    FieldDoesNotExist,
    RequestDataTooBig,
    TooManyFieldsSent,
    ValidationError,
)
from django.db import connection, models
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from bridgework.access.actions import (
    do_create_api_token,
    do_hide_start_steps,
    do_revoke_api_token,
)
from bridgework.access.models import ApiToken, TokenPurpose
from bridgework.access.policy import acts_beyond_viewing, parents_for, places_for
from bridgework.access.second_factor import session_is_verified
from bridgework.core.modules import home_sections
from bridgework.core.scoping import ScopedQuerySet
from bridgework.places.models import Place
from bridgework.places.selectors import place_contexts, place_references

from .home import first_steps
from .unavailable import (
    RETRY_AFTER_SECONDS,
    problem_message,
    storage_problem,
    unavailable_page,
)

__all__ = [
    "account",
    "bad_request",
    "healthz",
    "hide_start_steps",
    "home",
    "record_pick",
    "server_error",
    "token_create",
    "token_revoke",
]


@require_GET
def home(request):
    """What to do now: each module's sections that hold something for this reader (their
    overdue actions, their bodies' next meetings…), and a newcomer's first steps. A visitor
    who is not signed in is told what Bridgework is and how to get in."""
    if not request.user.is_authenticated:
        return render(request, "web/welcome.html")
    sections = []
    for section in home_sections():
        context = section.context(request)
        if context is not None:
            sections.append((section.template, context))
    steps = first_steps(request) if request.user.start_steps_hidden_at is None else []
    return render(request, "web/home.html", {"sections": sections, "steps": steps})


@login_required
@require_POST
def hide_start_steps(request):
    do_hide_start_steps(request.user)
    messages.success(request, _("The first steps are put away."))
    return redirect("home")


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Token name"),
        max_length=100,
        help_text=gettext_lazy("For example: the laptop script for the monthly report"),
    )
    purpose = forms.ChoiceField(
        label=gettext_lazy("For"),
        choices=TokenPurpose.choices,
        initial=TokenPurpose.API,
        required=False,  # scripts that post only a name get an API token, as before
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "A calendar token opens only your calendar feeds: give it to a calendar app."
        ),
    )
    expires_at = forms.DateTimeField(
        label=gettext_lazy("Expires (optional)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


def _account_page(request, *, token_form=None, new_secret=None, status=200):
    tokens = ApiToken.objects.filter(user=request.user)
    return render(
        request,
        "web/account.html",
        {
            "tokens": tokens,
            "may_hold_tokens": acts_beyond_viewing(request.user),
            "token_form": token_form or TokenForm(),
            "new_secret": new_secret,
        },
        status=status,
    )


@login_required
@require_GET
def account(request):
    return _account_page(request)


@login_required
@require_POST
def token_create(request):
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            _token, secret = do_create_api_token(
                user=request.user,
                name=form.cleaned_data["name"],
                expires_at=form.cleaned_data["expires_at"],
                purpose=form.cleaned_data["purpose"] or TokenPurpose.API,
                second_factor=session_is_verified(request),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field, errors)
        else:
            return _account_page(request, new_secret=secret)
    return _account_page(request, token_form=form, status=400)


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    do_revoke_api_token(token, acting_user=request.user)
    messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
    return redirect("account")


@never_cache
@require_GET
def healthz(request):
    """200 with the database's state, 503 when the database cannot be reached."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"
        return JsonResponse(
            {"status": "error", "database": "unreachable", "detail": exc.__class__.__name__},
            status=503,
        )
    return JsonResponse({"status": "ok", "database": "ok", "vendor": connection.vendor})


def bad_request(request, exception=None):
    """400, except a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (or with more fields than
    ``DATA_UPLOAD_MAX_NUMBER_FIELDS``): 413, as the API answers it."""
    if isinstance(exception, RequestDataTooBig | TooManyFieldsSent):
        return render(request, "413.html", status=413)
    return render(request, "400.html", status=400)


def server_error(request):
    """Never a stack trace: a static page. When the database cannot serve (unreachable, a
    read-only file, a full disk), 503 saying so, built without touching the database."""
    problem = storage_problem(sys.exc_info()[1])
    if problem is None:
        # Without the request: no context processor runs, so nothing reads the database (or
        # the signed-in user) while something is already failing.
        return HttpResponse(loader.render_to_string("500.html"), status=500)
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": problem_message(problem), "errors": []}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return unavailable_page(problem)


def hello(request):
    """A bare view used by the benchmark as the server's ceiling."""
    return HttpResponse(b"hello", content_type="text/plain")


PICK_LIMIT = 20
PICK_ACTIONS = frozenset({"add", "change", "view"})


@dataclass(frozen=True)
class PickMatch:
    """One choice of a record picker, with what tells it apart from a namesake: a place's
    code and the names of the places above it, or the place a record belongs to."""

    record: models.Model
    code: str = ""
    context: str = ""
    value: object = None  # what its radio button sends: the record's number unless said

    def __post_init__(self) -> None:
        if self.value is None:
            object.__setattr__(self, "value", self.record.pk)


@login_required
@require_GET
def record_pick(request):
    """Matches for a record picker (``web.widgets.RecordPicker``): radio buttons for form field
    ``field`` offering up to 20 records of ``model`` whose name matches ``<field>__search``.

    Records are those the user may see. Places are those the form's own field offers: where
    the user may ``action`` a record of the ``for`` model (``places_for``), or, without
    ``for``, the places they may view. Only models declaring ``picker_search_field`` (and
    optionally ``picker_search`` and ``picker_ordering``) can be searched."""
    model = _model_or_404(request.GET.get("model", ""))
    field = request.GET.get("field", "")
    action = request.GET.get("action", "view")
    search_field = getattr(model, "picker_search_field", None)
    if not search_field or not field.isidentifier() or action not in PICK_ACTIONS:
        raise Http404
    choices = _pick_choices(request.user, model, request.GET.get("for", ""), action, field)
    text = request.GET.get(f"{field}__search", "").strip()
    matches = _pick_matches(request.user, model, choices, text) if len(text) >= 2 else []
    if model is Place and request.GET.get("ref") == "1":
        # A filter's picker: places by reference, as the filtered page's address names them.
        places = [match.record for match in matches if isinstance(match.record, Place)]
        refs = place_references(places)
        matches = [replace(match, value=refs[match.record.pk]) for match in matches]
    return render(
        request,
        "web/widgets/_pick_results.html",
        {
            "field": field,
            "matches": matches,
            "text": text,
            "is_place": model is Place,
            "multiple": request.GET.get("multiple") == "1",
        },
    )


def _model_or_404(label: str) -> type[models.Model]:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError) as exc:
        raise Http404 from exc


def _pick_choices(
    user, model: type[models.Model], for_label: str, action: str, field: str
) -> QuerySet:
    """Everything the picker may offer, before the search: the form field's own queryset
    (for a field a new ``for`` record takes its place from, ``parents_for``)."""
    if model is Place:
        if for_label:
            return places_for(user, action, _model_or_404(for_label))
        return Place.objects.visible_to(user, "view")
    choices = model._default_manager.all()
    if not isinstance(choices, ScopedQuerySet):
        raise Http404  # nothing says who may see these records
    if for_label:
        for_model = _model_or_404(for_label)
        if field not in getattr(for_model, "place_follows", ()):
            raise Http404
        if for_model._meta.get_field(field).related_model is not model:
            raise Http404
        return parents_for(user, action, for_model, choices)
    return choices.visible_to(user, "view")


def _pick_matches(user, model: type[models.Model], choices: QuerySet, text: str) -> list[PickMatch]:
    search_field = model.picker_search_field  # type: ignore[attr-defined]
    hook = getattr(model, "picker_search", None)
    found = hook(choices, text) if hook else choices.filter(**{f"{search_field}__icontains": text})
    found = found.order_by(*getattr(model, "picker_ordering", (search_field, "pk")))
    if model is Place:
        return _place_matches(user, list(found[:PICK_LIMIT]))
    if not _has_place(model):
        return [PickMatch(record) for record in found[:PICK_LIMIT]]
    return [
        PickMatch(record, context=record.place.name if record.place is not None else "")
        for record in found.select_related("place")[:PICK_LIMIT]
    ]


def _place_matches(user, places: list[Place]) -> list[PickMatch]:
    """Each place with its code and the places above it, nearest first ("Chilinde (Lilongwe
    City, Malawi)"), in one query; the root of the tree ("World") says nothing."""
    contexts = place_contexts(places, user)
    return [
        PickMatch(place, code=place.code or place.pcode, context=contexts[place.pk])
        for place in places
    ]


def _has_place(model: type[models.Model]) -> bool:
    try:
        return model._meta.get_field("place").is_relation
    except FieldDoesNotExist:
        return False
