"""Forms of the knowledge hub (record choices scoped by ScopedModelForm)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgework.web.forms import ScopedModelForm

from .models import KnowledgeItem
from .uploads import ALLOWED_LABEL

__all__ = ["AttachmentForm", "KnowledgeItemForm"]


class KnowledgeItemForm(ScopedModelForm):
    class Meta:
        model = KnowledgeItem
        fields = [
            "kind",
            "title",
            "summary",
            "body",
            "place",
            "themes",
            "sector",
            "evidence",
            "language",
            "author_organisation",
            "tlp",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 14}),
            "themes": forms.CheckboxSelectMultiple,
        }
        labels = {"place": _("From (place)")}


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("Accepted: %(kinds)s. Checked by content, not by name.")
        % {"kinds": ALLOWED_LABEL},
    )
