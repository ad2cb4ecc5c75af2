"""The access module's first step on the home page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from bridgework.core.modules import StartStep

__all__ = ["STEPS"]

STEPS = [
    StartStep(
        50,
        _("Give your colleagues access"),
        _("A role at your place, or below it, for each person you work with."),
        url_name="access:roleassignment_add",
        needs=("add", "access.roleassignment"),
    ),
]
