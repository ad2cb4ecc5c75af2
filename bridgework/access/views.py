"""Pages for role assignments and for the people who hold them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bridgework.access.policy import access_record
from bridgework.web.viewsets import Column, ModelViewSet

from .actions import (
    check_can_manage_user,
    do_assign_role,
    do_change_role_assignment,
    do_deactivate_user,
    do_end_role_assignment,
)
from .filters import RoleAssignmentFilterSet
from .forms import RoleAssignmentForm
from .models import RoleAssignment, User

__all__ = ["RoleAssignmentViewSet", "deactivate_user", "locked_out", "user_detail"]


class RoleAssignmentViewSet(ModelViewSet):
    model = RoleAssignment
    form_class = RoleAssignmentForm

    title = gettext_lazy("People and roles")
    url_prefix = "access/assignments/"
    ordering = ("place_path", "pk")
    list_select_related = ("user", "role", "place", "hub")
    filterset_class = RoleAssignmentFilterSet
    columns = [
        Column("user", gettext_lazy("Person")),
        Column("user.email", gettext_lazy("Email")),
        Column("role.display_name", gettext_lazy("Role")),
        Column(lambda a: a.hub.name if a.hub_id else a.place.name, gettext_lazy("Where")),
        Column("starts_on", gettext_lazy("From")),
        Column("ends_on", gettext_lazy("Until")),
    ]
    detail_fields = [
        ("user", gettext_lazy("Person")),
        ("user.email", gettext_lazy("Email")),
        ("role", gettext_lazy("Role")),
        ("place", gettext_lazy("Place")),
        ("hub", gettext_lazy("Regional hub")),
        ("starts_on", gettext_lazy("From")),
        ("ends_on", gettext_lazy("Until")),
        ("granted_by", gettext_lazy("Granted by")),
    ]
    detail_template = "access/roleassignment_detail.html"

    @classmethod
    def create(cls, form, *, acting_user):
        with transaction.atomic():
            user = form.existing_user()
            invite = user is None
            if invite:
                user = User.objects.create_user(
                    form.cleaned_data["email"], full_name=form.cleaned_data.get("full_name", "")
                )
            assignment = do_assign_role(
                user=user,
                role=form.cleaned_data["role"],
                place=form.cleaned_data["place"],
                hub=form.cleaned_data.get("hub"),
                starts_on=form.cleaned_data.get("starts_on"),
                ends_on=form.cleaned_data.get("ends_on"),
                acting_user=acting_user,
            )
            if invite:
                transaction.on_commit(lambda: _send_invitation(user))
        return assignment

    update_action = do_change_role_assignment

    @classmethod
    def delete(cls, obj, *, acting_user):
        do_end_role_assignment(obj, acting_user=acting_user)


def _send_invitation(user: User) -> None:
    """A link to choose a first password, sent after the assignment is committed."""
    from django.conf import settings
    from django.contrib.auth.tokens import default_token_generator
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    context = {
        "site_url": settings.SITE_URL,
        "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    from django.utils import translation

    with translation.override(user.preferred_language):  # the invitee's language, not ours
        send_mail(
            render_to_string("registration/invitation_subject.txt", context).strip(),
            render_to_string("registration/invitation_email.txt", context),
            None,
            [user.email],
        )


@login_required
def user_detail(request, pk: int):
    person = access_record(request.user, User, pk)
    assignments = (
        RoleAssignment.objects.visible_to(request.user, "view")
        .filter(user=person)
        .select_related("role", "place", "hub")
    )
    try:
        check_can_manage_user(request.user, person)
        can_manage = person.is_active
    except PermissionDenied:
        can_manage = False
    return render(
        request,
        "access/user_detail.html",
        {
            "person": person,
            "assignments": assignments,
            "can_manage": can_manage,
        },
    )


@login_required
@require_POST
def deactivate_user(request, pk: int):
    person = access_record(request.user, User, pk, "change")
    do_deactivate_user(person, acting_user=request.user)
    messages.success(request, _("%(name)s can no longer sign in.") % {"name": person})
    return redirect("access:user_detail", pk=person.pk)


def locked_out(request, original_response=None, credentials=None):
    """Axes' lockout page: how long the pause lasts, in whole minutes (never permanent)."""
    from django.conf import settings

    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)
