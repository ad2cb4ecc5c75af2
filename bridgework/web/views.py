"""Pages that belong to no domain module: home, account and tokens, health, errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from bridgework.access.actions import do_create_api_token, do_revoke_api_token
from bridgework.access.models import ApiToken
from bridgework.access.policy import access_for
from bridgework.places.models import Place

__all__ = [
    "account",
    "healthz",
    "home",
    "record_pick",
    "server_error",
    "token_create",
    "token_revoke",
]


@login_required
def home(request):
    access = access_for(request.user)
    paths = {path for held in access.held for path in held.paths} if access else set()
    my_places = (
        Place.objects.visible_to(request.user)
        .filter(path__in=paths)
        .annotate(child_count=Count("children"))
        .order_by("path")
    )
    return render(request, "web/home.html", {"my_places": my_places})


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Token name"),
        max_length=100,
        help_text=gettext_lazy("For example: the laptop script for the monthly report"),
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


def server_error(request):
    """Never a stack trace: a static page that needs no context or database."""
    return render(request, "500.html", status=500)


def hello(request):
    """A bare view used by the benchmark as the server's ceiling."""
    return HttpResponse(b"hello", content_type="text/plain")


@login_required
@require_GET
def record_pick(request):
    """Matches for a record picker: records the user may see, by name, for one form field.

    Only models that declare ``picker_search_field`` can be searched this way."""
    field = request.GET.get("field", "")
    try:
        model = apps.get_model(request.GET.get("model", ""))
    except (LookupError, ValueError) as exc:
        raise Http404 from exc
    search_field = getattr(model, "picker_search_field", None)
    if not search_field or not field.isidentifier():
        raise Http404
    text = request.GET.get(f"{field}__search", "").strip()
    manager: Any = model._default_manager  # a ScopedQuerySet manager
    matches = (
        manager.visible_to(request.user, "view")
        .filter(**{f"{search_field}__icontains": text})
        .order_by(search_field, "pk")[:20]
        if len(text) >= 2
        else []
    )
    return render(
        request,
        "web/widgets/_pick_results.html",
        {"field": field, "matches": matches, "text": text},
    )
