"""Pages of the notifications module: the inbox, marking read, email preferences.

Each reads only the signed-in user's own notifications (``selectors.inbox``); another user's
notification answers 404 like one that does not exist."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bridgework.access.models import User
from bridgework.web.pagination import page_of_request

from . import selectors
from .actions import do_mark_all_read, do_mark_read, do_set_email_preferences
from .forms import PreferencesForm

__all__ = ["inbox", "mark_all_read", "mark_read", "preferences"]


def _inbox_context(request: HttpRequest, here: str = "") -> dict:
    page = page_of_request(
        request,
        selectors.inbox(request.user).select_related("content_type"),
        ordering=selectors.INBOX_ORDERING,
        size=settings.BRIDGEWORK_PAGE_SIZE,
    )
    selectors.mark_visibility(request.user, page.items)
    return {
        "page": page,
        "unread": selectors.unread_count(request),
        "here": here or request.get_full_path(),
    }


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The signed-in user's notifications, newest first, unread ones marked."""
    return render(request, "notifications/inbox.html", _inbox_context(request))


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # signed in: every view here is login_required


def _back(request: HttpRequest) -> str:
    """Where a form sends the reader back to: the inbox page they were on."""
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("notifications:inbox")


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(
        selectors.inbox(request.user).select_related("content_type"), pk=pk
    )
    do_mark_read(notification, acting_user=_user(request))
    if getattr(request, "htmx", False):
        selectors.mark_visibility(request.user, [notification])
        return render(
            request,
            "notifications/_item.html",
            {"notification": notification, "here": _back(request)},
        )
    return redirect(_back(request))


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = do_mark_all_read(acting_user=_user(request))
    if getattr(request, "htmx", False):
        return render(
            request, "notifications/_inbox.html", _inbox_context(request, here=_back(request))
        )
    messages.success(
        request,
        ngettext(
            "%(count)s notification marked read.", "%(count)s notifications marked read.", count
        )
        % {"count": count},
    )
    return redirect(_back(request))


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """How the user hears of each kind by email: at once, in a daily digest, or not at all.
    The inbox always holds every notification."""
    modes = selectors.email_modes(request.user)
    status = 200
    if request.method == "POST":
        form = PreferencesForm(request.POST, modes=modes)
        if form.is_valid():
            do_set_email_preferences(form.choices(), acting_user=_user(request))
            messages.success(request, _("Your email choices are saved."))
            return redirect("notifications:preferences")
        status = 400
    else:
        form = PreferencesForm(modes=modes)
    return render(request, "notifications/preferences.html", {"form": form}, status=status)
