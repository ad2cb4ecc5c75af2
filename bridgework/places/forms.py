"""Forms for places and memberships; choices are scoped by ScopedModelForm."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgework.web.forms import ScopedModelForm

from .boundaries import MAX_FILE_BYTES
from .models import NetworkMembership, Place

__all__ = ["BoundaryImportForm", "NetworkMembershipForm", "PlaceForm"]

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlaceForm(ScopedModelForm):
    class Meta:
        model = Place
        fields = ["name", "parent", "code", "pcode", "opened_on", "closed_on", "succeeds"]
        widgets = {"opened_on": DATE, "closed_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].required = True
        self.fields["parent"].help_text = _("The place this one lies in")
        if self.instance.pk:
            # A place cannot be its own parent or predecessor.
            for name in ("parent", "succeeds"):
                field: Any = self.fields[name]  # a ModelChoiceField; the stubs say Field
                field.queryset = field.queryset.exclude(pk=self.instance.pk)

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()

    def clean_pcode(self):
        return self.cleaned_data["pcode"].strip().upper()


class NetworkMembershipForm(ScopedModelForm):
    class Meta:
        model = NetworkMembership
        fields = ["network", "place", "joined_on", "left_on"]
        widgets = {"joined_on": DATE, "left_on": DATE}


class BoundaryImportForm(forms.Form):
    file = forms.FileField(
        label=_("GeoJSON file"),
        help_text=_(
            "A FeatureCollection of boundaries (polygons) or points, in longitude and latitude "
            "(WGS 84); at most 20 MB."
        ),
    )
    code_property = forms.CharField(
        label=_("Property holding the place's code"),
        required=False,
        max_length=60,
        help_text=_(
            "The P-code or ISO 3166 code of the place each feature draws, e.g. ADM2_PCODE. "
            "Left empty, the usual names are tried: pcode, code, ADM4_PCODE … ADM0_PCODE, "
            "shapeISO."
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Only check the file, save nothing"), required=False, initial=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        if not upload.name.lower().endswith((".geojson", ".json")):
            raise forms.ValidationError(_("Upload a .geojson or .json file."))
        return upload

    def clean_code_property(self):
        return self.cleaned_data["code_property"].strip()
