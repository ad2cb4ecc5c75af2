"""The place tree: world > country > subdivisions, with per-country level names."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bridgework.core.fields import PathField
from bridgework.core.models import TimeStampedModel, ends_after_start
from bridgework.core.paths import ancestor_paths
from bridgework.core.scoping import ScopedQuerySet
from bridgework.core.tlp import TLP
from bridgework.core.urls import record_url

from .geometry import validate_geometry

__all__ = [
    "Hub",
    "Network",
    "NetworkMembership",
    "Place",
    "PlaceLevel",
    "PlaceQuerySet",
    "PlaceShape",
    "LabelledModel",
    "ReferralStep",
    "ROLLUP_DEPTHS",
    "RolledUpModel",
    "ScopedModel",
    "ancestor_columns",
    "DEPTH_NAMES",
]

# Generic names for a depth when a country has not named its levels.
DEPTH_NAMES = {
    0: _("World"),
    1: _("Country"),
    2: _("Admin level 1"),
    3: _("Admin level 2"),
    4: _("Admin level 3"),
    5: _("Admin level 4"),
}


class PlaceLevel(models.Model):
    """What a country calls the places at one depth (Malawi: region > district > council > ward)."""

    country_code = models.CharField(_("country code"), max_length=2)
    depth = models.PositiveSmallIntegerField(_("depth"))
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["country_code", "depth"]
        constraints = [
            models.UniqueConstraint(
                fields=["country_code", "depth"],
                name="placelevel_unique",
                violation_error_message=_("This country already names that level."),
            )
        ]
        verbose_name = _("place level")
        verbose_name_plural = _("place levels")

    def __str__(self) -> str:
        return f"{self.country_code} {self.depth}: {self.name}"


class PlaceQuerySet(ScopedQuerySet):
    def open_on(self, day):
        return self.filter(Q(opened_on__isnull=True) | Q(opened_on__lte=day)).filter(
            Q(closed_on__isnull=True) | Q(closed_on__gt=day)
        )

    def search(self, text: str):
        text = text.strip()
        if not text:
            return self.none()
        return self.filter(Q(name__icontains=text) | Q(code__iexact=text) | Q(pcode__iexact=text))


class Place(TimeStampedModel):
    """A node of the jurisdiction tree. Boundary changes close a place and open a successor."""

    scope_path_field = "path"
    scope_reads_ancestors = True  # a city's people see the district and country above it
    # The record picker (web.views.record_pick): by name or exact code, shallow places first.
    picker_search_field = "name"
    picker_ordering = ("depth", "name", "pk")

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(
        _("ISO 3166 code"), max_length=10, blank=True, help_text=_("e.g. MW or MW-LI")
    )
    pcode = models.CharField(
        _("P-code"), max_length=20, blank=True, help_text=_("OCHA common operational dataset code")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    path = PathField(_("path"), unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), editable=False)
    country_code = models.CharField(_("country"), max_length=2, blank=True, db_index=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    succeeds = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="successors",
        verbose_name=_("succeeds"),
        help_text=_("The place this one replaced after a boundary change"),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("place")
        verbose_name_plural = _("places")
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=~Q(code=""),
                name="place_code_unique",
                violation_error_message=_("Another place already has this ISO 3166 code."),
            ),
            models.UniqueConstraint(
                fields=["pcode"],
                condition=~Q(pcode=""),
                name="place_pcode_unique",
                violation_error_message=_("Another place already has this P-code."),
            ),
            ends_after_start(
                "opened_on",
                "closed_on",
                name="place_closes_after_opening",
                message=_("A place must close after it opens."),
                same_day=False,
            ),
        ]
        indexes = [
            models.Index(fields=["parent", "name"], name="place_parent_name"),
            # A place named by its code (find_place): SQLite uses a partial index only when the
            # statement repeats its condition, which ``code = %s`` does not.
            models.Index(fields=["code"], name="place_code"),
            models.Index(fields=["pcode"], name="place_pcode"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def picker_search(cls, queryset: PlaceQuerySet, text: str) -> PlaceQuerySet:
        """A picker's matches: a name containing ``text``, or that ISO code or P-code."""
        return queryset.search(text)

    def get_absolute_url(self) -> str:
        return record_url("places:place_detail", self.pk)

    def clean(self) -> None:
        if self.opened_on and self.closed_on and self.closed_on <= self.opened_on:
            raise ValidationError({"closed_on": _("A place must close after it opens.")})
        if self.succeeds_id and self.succeeds_id == self.pk:
            raise ValidationError({"succeeds": _("A place cannot succeed itself.")})

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    @property
    def ancestor_paths(self) -> list[str]:
        return ancestor_paths(self.path)

    def ancestors(self) -> models.QuerySet[Place]:
        return Place.objects.filter(path__in=self.ancestor_paths).order_by("path")


class PlaceShape(TimeStampedModel):
    """A place's boundary (Polygon or MultiPolygon) or point, as a GeoJSON geometry in WGS 84.

    Kept beside the place rather than on it, so that the many queries joining a place (every
    record names one) never carry its boundary. Read it only for places the reader may see
    (``places.selectors.map_of``); write it with ``places.actions.do_set_place_shape``."""

    place = models.OneToOneField(
        Place,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="shape",
        verbose_name=_("place"),
    )
    geometry = models.JSONField(_("geometry"), validators=[validate_geometry])
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("The file it was imported from")
    )

    class Meta:
        verbose_name = _("place boundary")
        verbose_name_plural = _("place boundaries")

    def __str__(self) -> str:
        return f"{self.place_id}: {self.geometry.get('type', '?')}"


class ScopedModel(TimeStampedModel):
    """A record that belongs to a place.

    ``place_path`` copies the place's path so subtree filters are an index range on this table
    alone; :func:`bridgework.places.actions.do_move_place` keeps it in step when places move.
    """

    scope_path_field = "place_path"
    # The foreign keys whose record decides where a new record lives (a meeting's body, a
    # decision's meeting): a form offers only those lying where the user may do the form's
    # action on this model (``access.policy.parents_for``), never one the save would refuse.
    place_follows: ClassVar[tuple[str, ...]] = ()

    place = models.ForeignKey(
        Place, on_delete=models.PROTECT, related_name="+", verbose_name=_("place")
    )
    place_path = PathField(editable=False, db_index=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # Derived, not a side effect: the denormalised path always follows the place.
        if self.place_id:
            self.place_path = self.place.path
        super().save(*args, **kwargs)


# The depths whose ancestor a rolled-up record stores: country (1) down to the fourth
# subdivision (5), as a COD gazetteer's ADM1..ADM4 sit below the country.
ROLLUP_DEPTHS = (1, 2, 3, 4, 5)


def ancestor_columns(path: str) -> dict[str, str]:
    """``{"ancestor_1": <the country's path>, …}`` for a record at ``path``: the path of its
    place's ancestor (or the place itself) at each depth of :data:`ROLLUP_DEPTHS`, "" below
    it. Derived from the path alone, so bulk loads can fill the columns without a query."""
    segments = path.strip("/").split("/") if path else []
    return {
        f"ancestor_{depth}": "/" + "/".join(segments[: depth + 1]) + "/"
        if len(segments) > depth
        else ""
        for depth in ROLLUP_DEPTHS
    }


class RolledUpModel(ScopedModel):
    """A scoped record that is added up through the tree (indicator values, reports).

    Like DHIS2's analytics tables it stores, beside its place's path, the path of the
    ancestor at each depth, so "the total for this district, by city" is an equality on
    ``ancestor_3`` grouped by ``ancestor_4``: an index seek, with no walk up or down the tree.
    The columns follow ``place_path`` (on save, and when a subtree moves)."""

    ancestor_1 = PathField(editable=False, blank=True, default="")
    ancestor_2 = PathField(editable=False, blank=True, default="")
    ancestor_3 = PathField(editable=False, blank=True, default="")
    ancestor_4 = PathField(editable=False, blank=True, default="")
    ancestor_5 = PathField(editable=False, blank=True, default="")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.place_id:
            self.place_path = self.place.path
        for name, value in ancestor_columns(self.place_path).items():
            setattr(self, name, value)
        super().save(*args, **kwargs)


class LabelledModel(ScopedModel):
    """A place-scoped record that also carries a Traffic Light Protocol 2.0 label.

    ``label_at_least`` names the foreign keys whose label this record's may not fall below: a
    meeting of an AMBER body is AMBER or more, or its minutes would reach people who may not
    even know the body exists. The rule holds both ways: a record saved below its parent is
    refused (:meth:`check_label_floor`), and raising the parent's label raises the records
    that name it (``core.actions.do_raise_dependent_labels``, part of every update)."""

    scope_tlp_field = "tlp"
    scope_reads_ancestors = True  # GREEN and CLEAR records above a user's places reach them
    label_at_least: tuple[str, ...] = ()

    tlp = models.PositiveSmallIntegerField(
        _("sensitivity"),
        choices=TLP.choices,
        default=TLP.GREEN,
        help_text=_("Traffic Light Protocol label: who may read this record"),
    )

    class Meta:
        abstract = True

    @property
    def tlp_label(self) -> TLP:
        return TLP(self.tlp)

    def clean(self) -> None:
        super().clean()
        self.check_label_floor()

    def check_label_floor(self) -> None:
        """The label is at least that of every record in ``label_at_least``."""
        for name in self.label_at_least:
            parent = getattr(self, name, None) if getattr(self, f"{name}_id", None) else None
            if parent is not None and self.tlp is not None and self.tlp < parent.tlp:
                raise ValidationError(
                    {
                        "tlp": _("At least %(label)s, the label of its %(what)s.")
                        % {
                            "label": TLP(parent.tlp).label,
                            "what": getattr(self._meta.get_field(name), "verbose_name", name),
                        }
                    }
                )


class ReferralStep(models.Model):
    """One step of a record up the tree (a local need, a residents' proposal): from which
    place to which, why, and by whom. The concrete model adds the record it moves."""

    from_place = models.ForeignKey(
        Place, on_delete=models.PROTECT, related_name="+", verbose_name=_("from")
    )
    to_place = models.ForeignKey(
        Place, on_delete=models.PROTECT, related_name="+", verbose_name=_("to")
    )
    note = models.TextField(_("why"))
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )

    class Meta:
        abstract = True


class Network(TimeStampedModel):
    """A network of cities (for example a global cities network with regional hubs)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("short name"), unique=True)
    description = models.TextField(_("description"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("network")
        verbose_name_plural = _("networks")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("places:network_detail", args=[self.slug])


class Hub(TimeStampedModel):
    """A regional hub of a network, spanning places in several countries."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="hubs")
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), unique=True)
    places = models.ManyToManyField(Place, related_name="hubs", verbose_name=_("places"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("regional hub")
        verbose_name_plural = _("regional hubs")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("places:hub_detail", args=[self.slug])


class NetworkMembership(ScopedModel):
    """A place (usually a city) belonging to a network, from one date to another."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["place_path", "-joined_on"]
        verbose_name = _("network membership")
        verbose_name_plural = _("network memberships")
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="membership_leaves_after_joining",
                violation_error_message=_("A member cannot leave before joining."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.place} — {self.network}"

    def get_absolute_url(self) -> str:
        return record_url("places:networkmembership_detail", self.pk)

    def clean(self) -> None:
        if self.left_on and self.joined_on and self.left_on < self.joined_on:
            raise ValidationError({"left_on": _("A member cannot leave before joining.")})

    @property
    def is_current(self) -> bool:
        return self.left_on is None
