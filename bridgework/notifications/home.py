"""The notifications module's first step on the home page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from bridgework.core.modules import StartStep

__all__ = ["STEPS"]

STEPS = [
    StartStep(
        40,
        _("Choose how you hear about your work"),
        _("For each kind of news: an email at once, a daily digest, or the inbox only."),
        url_name="notifications:preferences",
    ),
]
