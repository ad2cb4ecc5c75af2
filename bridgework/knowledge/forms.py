"""Forms of the knowledge hub (record choices scoped by ScopedModelForm)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgework.actors.choices import Sector
from bridgework.actors.models import Theme
from bridgework.places.models import Place
from bridgework.plans.choices import NeedCategory
from bridgework.web.filtering import PlaceChoiceField
from bridgework.web.forms import ScopedModelForm, fit_place_widget

from .models import KnowledgeItem
from .uploads import ALLOWED_LABEL

__all__ = ["AttachmentForm", "KnowledgeItemForm", "PeersForm", "RecommendationsForm"]


class KnowledgeItemForm(ScopedModelForm):
    """An item and its sectors (rows of their own, saved with the item's other relations).

    The places an item is about are offered among the places the writer may see (any of
    them, not only where they may write); an edit keeps the about-places they cannot see."""

    sectors = forms.MultipleChoiceField(
        label=_("Sectors"),
        choices=Sector.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The sectors that carry it out"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["about_places"]
        # Any place the writer may see (not only where they may write items): a picker of
        # several when there are more than a list holds.
        field.queryset = Place.objects.visible_to(self.user, "view").order_by("path")
        field.widget = forms.SelectMultiple(attrs={"size": 8})
        field.widget.choices = field.choices
        fit_place_widget(field)
        if self.instance.pk is not None:
            self.initial.setdefault("sectors", self.instance.sectors)
            about = self.instance.about_places.values("pk")
            self.initial["about_places"] = list(
                field.queryset.filter(pk__in=about).values_list("pk", flat=True)
            )

    def _save_m2m(self) -> None:
        unseen = []
        if self.instance.pk is not None:
            seen = self.fields["about_places"].queryset  # type: ignore[attr-defined]
            unseen = list(self.instance.about_places.exclude(pk__in=seen.values("pk")))
        super()._save_m2m()  # type: ignore[misc]
        if unseen:
            self.instance.about_places.add(*unseen)
        self.instance.set_sectors(self.cleaned_data.get("sectors") or [])

    class Meta:
        model = KnowledgeItem
        fields = [
            "kind",
            "title",
            "summary",
            "body",
            "place",
            "about_places",
            "themes",
            "sectors",
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
    """Peers for a theme, or for a kind of need (one of the two)."""

    theme = forms.ModelChoiceField(
        queryset=Theme.objects.order_by("name"),
        to_field_name="slug",
        label=_("Theme"),
        required=False,
    )
    need = forms.ChoiceField(
        choices=[("", _("Any kind of need")), *NeedCategory.choices],
        label=_("Or a kind of need"),
        required=False,
        help_text=_("Places whose practice answered such a need somewhere"),
    )

    def clean(self):
        data = super().clean() or {}
        if bool(data.get("theme")) == bool(data.get("need")):
            raise forms.ValidationError(_("Choose a theme or a kind of need."))
        return data
