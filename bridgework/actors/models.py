"""Organisations, people and their posts: the who-does-what-where map."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from bridgework.core.fields import PathField
from bridgework.core.models import ends_after_start
from bridgework.core.paths import PathPrefix
from bridgework.core.urls import record_url
from bridgework.places.models import LabelledModel, Place, ScopedModel

from .choices import OrgLevel, Sector, theme_label

__all__ = ["Organisation", "OrganisationArea", "OrganisationReach", "Person", "Post", "Theme"]


class Theme(models.Model):
    """An activity or theme organisations work on (e.g. interfaith dialogue, youth outreach).

    Network-wide reference vocabulary, not place-scoped."""

    slug = models.SlugField(_("short name"), unique=True)
    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return theme_label(self.name)


class Organisation(LabelledModel):
    """An actor at any level and sector. ``place`` is where it is based (its scope);
    ``areas`` are the places it works in (the "where" of 3W)."""

    picker_search_field = "name"

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    sector = models.CharField(_("sector"), max_length=30, choices=Sector.choices)
    level = models.CharField(_("level"), max_length=20, choices=OrgLevel.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent organisation"),
    )
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="organisations", verbose_name=_("activities and themes")
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [
            models.Index(fields=["place_path", "sector"], name="org_path_sector"),
            models.Index(fields=["name"], name="org_name"),
            # The directory's first page (in scope, by name): the scope's path range and TLP,
            # and the name to sort by, all read from the index; only the page's rows from the
            # table (SQLite: 0.9 ms instead of 8 ms for a country's 2,465 organisations).
            models.Index(fields=["place_path", "tlp", "name"], name="org_path_tlp_name"),
            # A wide reader's page by name, read in order: the scope of a reader at depth 0 or
            # 1 (a country, its regions) carries ``PathPrefix(place_path, d) IN (...)``, and
            # these indexes give that subtree's organisations by name (decision 0015). SQLite
            # only: PostgreSQL weighs its own plans, and the condition is not written there.
            *(
                models.Index(
                    PathPrefix("place_path", depth),
                    F("name"),
                    F("id"),
                    F("place_path"),
                    F("tlp"),
                    name=f"org_depth{depth}_name",
                )
                for depth in (0, 1)
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_url("actors:organisation_detail", self.pk)

    def clean(self) -> None:
        super().clean()
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("An organisation cannot be its own parent.")})


class OrganisationArea(models.Model):
    """A place an organisation works in. ``place_path`` lets 3W queries use the path index."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="areas")
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    place_path = PathField(editable=False, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "place"],
                name="orgarea_unique",
                violation_error_message=_("The organisation already works in that place."),
            )
        ]
        # The 3W view seeks a subtree then joins organisations and groups by place: the index
        # covers all three, so the area rows themselves are never read.
        indexes = [
            models.Index(
                fields=["place_path", "organisation", "place"], name="orgarea_path_org_place"
            )
        ]
        verbose_name = _("area of work")
        verbose_name_plural = _("areas of work")

    def __str__(self) -> str:
        return f"{self.organisation} @ {self.place}"

    def save(self, *args, **kwargs):
        self.place_path = self.place.path
        super().save(*args, **kwargs)


class OrganisationReach(models.Model):
    """The 3W roll-up, stored: one row per organisation × place it works at *or below* × theme
    (a row with no theme for an organisation without themes).

    DHIS2's analytics tables store each record's ancestors so that "everything below this
    place" is an equality, not a walk down the tree; here the records are the organisations'
    areas of work, and the place of a row is an area or one of its ancestors. "The
    organisations working below the country" are then the rows of the country itself: one
    index seek, each organisation counted once per theme. The row copies what the 3W counts
    group and filter by (sector, level) and what decides who may read the organisation (its
    own ``place_path`` and ``tlp``, as ``org_path`` and ``tlp``), so the counts join nothing.

    Derived data: written only by ``actors.reach`` (from the actors' actions, the importer and
    a place move) and rebuilt by ``bridgework rebuild_3w``; never edited."""

    # The place's own index would duplicate the first column of ``reach_place_counts``.
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="+", db_index=False)
    place_path = PathField(editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    theme = models.ForeignKey(
        Theme, on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    # The organisation's own columns, copied.
    sector = models.CharField(max_length=30, choices=Sector.choices)
    level = models.CharField(max_length=20, choices=OrgLevel.choices)
    tlp = models.PositiveSmallIntegerField()
    org_path = PathField(editable=False)
    # The organisation's first row at this place (its first theme, or no theme): counting these
    # counts organisations, counting all rows counts (organisation, theme) pairs.
    first = models.BooleanField(default=False)
    # The place is one of the organisation's areas of work (not only above one): the rows
    # the crowded (place, theme) pairs are counted from.
    works_here = models.BooleanField(default=False)

    class Meta:
        indexes = [
            # The counts below a place: an equality on the place, then everything the
            # counts filter and group by, so the rows themselves are never read.
            models.Index(
                fields=["place", "sector", "theme", "level", "tlp", "org_path", "first"],
                name="reach_place_counts",
            ),
            # The crowded pairs: the areas of work (with a theme) in a subtree, by place path.
            models.Index(
                fields=[
                    "place_path",
                    "place",
                    "theme",
                    "sector",
                    "level",
                    "tlp",
                    "org_path",
                    "works_here",
                ],
                name="reach_areas_themes",
                condition=models.Q(works_here=True, theme__isnull=False),
            ),
        ]
        verbose_name = _("3W roll-up row")
        verbose_name_plural = _("3W roll-up rows")

    def __str__(self) -> str:
        return f"{self.organisation_id} @ {self.place_path} ({self.theme_id})"


class Person(LabelledModel):
    """A person who acts for organisations. Contact details are personal data: shown only to
    roles with the ``view_contacts`` action; exportable and erasable on request."""

    picker_search_field = "full_name"

    full_name = models.CharField(_("full name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("platform account"),
    )
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True, editable=False)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["full_name", "pk"]
        indexes = [models.Index(fields=["full_name"], name="person_name")]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return record_url("actors:person_detail", self.pk)

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


class Post(ScopedModel):
    """A person's post in an organisation, from one date to another. Lives at the
    organisation's place."""

    place_follows = ("organisation",)

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="posts", verbose_name=_("person")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="posts", verbose_name=_("organisation")
    )
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["place_path", "organisation_id", "pk"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [
            ends_after_start(
                "starts_on",
                "ends_on",
                name="post_ends_after_start",
                message=_("A post cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        # The title only: the person or the organisation may be out of the reader's sight.
        return self.title

    def get_absolute_url(self) -> str:
        return record_url("actors:post_detail", self.pk)

    def save(self, *args, **kwargs):
        self.follow_organisation()
        super().save(*args, **kwargs)

    def follow_organisation(self) -> None:
        """A post lives where its organisation is based."""
        if self.organisation_id:
            self.place = self.organisation.place

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("A post cannot end before it starts.")})

    @property
    def is_current(self) -> bool:
        return self.ends_on is None
