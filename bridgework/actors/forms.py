"""Forms for organisations, people, posts, the 3W filters and the bulk import."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bridgework.access.models import User
from bridgework.access.policy import HIDDEN, places_for
from bridgework.places.models import Place
from bridgework.web.forms import ScopedModelForm

from .models import Organisation, Person, Post

__all__ = [
    "ImportForm",
    "OrganisationForm",
    "PersonForm",
    "PostForm",
    "find_places",
    "place_token",
]

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Above this many choices a <select> weighs too much: ask for the record's number instead.
_SEPARATORS = re.compile(r"[,;\n]+")


def place_token(place: Place) -> str:
    """How a place is written in an areas list: its P-code, ISO code, or number."""
    return place.pcode or place.code or str(place.pk)


def find_places(tokens: list[str], places) -> tuple[list[Place], list[str]]:
    """Resolve codes, P-codes or numbers within ``places``; returns (found, unknown tokens).
    One query whatever the number of tokens."""
    upper = {t.strip().upper() for t in tokens if t.strip()}
    if not upper:
        return [], []
    numbers = {int(t) for t in upper if t.isdigit()}
    matches = list(places.filter(Q(pk__in=numbers) | Q(code__in=upper) | Q(pcode__in=upper)))
    known = {str(p.pk) for p in matches} | {p.code for p in matches} | {p.pcode for p in matches}
    return matches, sorted(upper - known)


class OrganisationForm(ScopedModelForm):
    areas_text = forms.CharField(
        label=_("Areas of work"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "ISO codes, P-codes or place numbers, separated by commas. The home place "
            "is always included."
        ),
    )

    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    field_order = ["name", "short_name", "sector", "level", "place", "areas_text", "parent"]

    class Meta:
        model = Organisation
        fields = [
            "name",
            "short_name",
            "sector",
            "level",
            "place",
            "parent",
            "themes",
            "website",
            "description",
            "tlp",
        ]
        widgets = {
            "themes": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"place": _("Based in")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parent: Any = self.fields["parent"]  # a ModelChoiceField; the stubs say Field
        if self.instance.pk:
            parent.queryset = parent.queryset.exclude(pk=self.instance.pk)
            self.initial.setdefault(
                "areas_text",
                ", ".join(
                    place_token(a.place)
                    for a in self.instance.areas.select_related("place")
                    if a.place_id != self.instance.place_id
                ),
            )

    def clean_areas_text(self) -> list[Place]:
        tokens = _SEPARATORS.split(self.cleaned_data.get("areas_text", ""))
        places, unknown = find_places(tokens, places_for(self.user, self.action, Organisation))
        if unknown:
            raise forms.ValidationError(
                _("Not a place you may use: %(codes)s") % {"codes": ", ".join(unknown)}
            )
        return places


class PersonForm(ScopedModelForm):
    class Meta:
        model = Person
        fields = ["full_name", "place", "user", "email", "phone", "notes", "tlp"]
        labels = {"place": _("Lives or works in")}
        help_texts = {
            "user": _(
                "The person's own sign-in, if they have one: actions owed by them or by the "
                "organisations they hold a post in then reach their My actions and inbox."
            ),
        }
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.may_see_contacts():
            for name in ("email", "phone", "notes"):
                del self.fields[name]
        self.offer_accounts()

    def offer_accounts(self) -> None:
        """Accounts known to the editor (someone holding a role in their places) and not yet
        linked to another person; the current one stays on offer."""
        account: Any = self.fields["user"]
        taken = Person.objects.exclude(pk=self.instance.pk).filter(user__isnull=False)
        account.queryset = (
            User.objects.visible_to(self.user, "view")
            .exclude(pk__in=taken.values("user_id"))
            .order_by("full_name", "email")
        )
        account.label_from_instance = lambda user: f"{user} <{user.email}>"
        account.empty_label = _("— no account —")
        linked = self.instance.user_id
        if linked and not account.queryset.filter(pk=linked).exists():
            # Linked to an account out of the editor's sight: kept as it is (never cleared by
            # this form) and not named.
            account.queryset = User.objects.filter(pk=linked)
            account.label_from_instance = lambda user: str(HIDDEN)
            account.disabled = True
            account.help_text = _(
                "Linked to an account you cannot see; its coordinator can change it."
            )

    def may_see_contacts(self) -> bool:
        allowed = Person.objects.visible_to(self.user, "view_contacts")
        if self.instance.pk:
            return allowed.filter(pk=self.instance.pk).exists()
        from bridgework.access.policy import can

        return can(self.user, "view_contacts", Person)


class PostForm(ScopedModelForm):
    class Meta:
        model = Post
        fields = ["person", "organisation", "title", "starts_on", "ends_on"]
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        person: Any = self.fields["person"]  # a ModelChoiceField
        person.queryset = person.queryset.filter(erased_at__isnull=True)


class ImportForm(forms.Form):
    KINDS = [("organisations", _("Organisations")), ("people", _("People and their posts"))]
    MAX_BYTES = 2 * 1024 * 1024

    kind = forms.ChoiceField(label=_("What the file holds"), choices=KINDS)
    file = forms.FileField(
        label=_("CSV or XLSX file"), help_text=_("The first row names the columns; at most 2 MB.")
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload
