"""Forms of the knowledge hub (record choices scoped by ScopedModelForm)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgework.actors.models import Theme
from bridgework.places.models import Place
from bridgework.web.filtering import PlaceChoiceField
from bridgework.web.forms import ScopedModelForm

from .models import KnowledgeItem
from .uploads import ALLOWED_LABEL

__all__ = ["AttachmentForm", "KnowledgeItemForm", "PeersForm", "RecommendationsForm"]


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


class RecommendationsForm(forms.Form):
    place = PlaceChoiceField(
        queryset=Place.objects.none(),
        label=_("Place"),
        help_text=_("A place's ISO code, P-code or name"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["place"]
        field.queryset = Place.objects.visible_to(user, "view")


class PeersForm(forms.Form):
    theme = forms.ModelChoiceField(
        queryset=Theme.objects.order_by("name"), to_field_name="slug", label=_("Theme")
    )
