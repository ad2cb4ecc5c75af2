"""How people find organisations and people (see bridgework.web.search)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from bridgework.web.search import Findable, Topic, names_a_word_of
from bridgework.web.viewsets import Column

from .choices import Sector
from .models import Theme
from .views import OrganisationViewSet, PersonViewSet, contact_column, current_posts

__all__ = ["FINDABLES", "organisation_topics"]


def organisation_topics(words: list[str]) -> Topic | None:
    """The activity (theme) and the sector that words of a question name: "youth" is the
    activity "Youth engagement"; a word naming no activity may name a sector ("faith")."""
    filters: dict[str, str] = {}
    labels: list[str] = []
    themes = list(Theme.objects.order_by("name"))
    unused = []
    for word in words:
        theme = next((t for t in themes if word == t.slug or names_a_word_of(word, t.name)), None)
        if theme is not None and "theme" not in filters:
            filters["theme"] = theme.slug
            labels.append(_("activity: %(name)s") % {"name": theme.name})
        elif theme is None:
            unused.append(word)
    for word in unused:
        sector = next(
            (
                (value, label)
                for value, label in Sector.choices
                if word == value or names_a_word_of(word, label)
            ),
            None,
        )
        if sector is not None and "sector" not in filters:
            filters["sector"] = sector[0]
            labels.append(_("sector: %(name)s") % {"name": sector[1]})
    return Topic(filters, ", ".join(str(label) for label in labels)) if filters else None


FINDABLES = [
    Findable(
        OrganisationViewSet,
        _("Organisations"),
        order=20,
        place_filter="works_in",
        in_place=_("Organisations working in %(place)s"),
        summary=(
            Column("get_sector_display", _("Sector")),
            Column("place.name", _("Based in")),
        ),
        topics=organisation_topics,
        place_links=(
            (_("Who does what where here"), "actors:three_w", "place"),
            (_("Sectors by place below"), "actors:sector_matrix", "place"),
        ),
    ),
    Findable(
        PersonViewSet,
        _("People"),
        order=30,
        summary=(
            Column("place.name", _("Place")),
            Column(current_posts, _("Current posts"), needs_sight=True),
            # Contact details only for those who may see them (an empty cell otherwise).
            Column(contact_column("email"), _("Email")),
        ),
    ),
]
