"""Reads of the knowledge hub that are more than a filter: what a reader may read (scoped or
public), and the ranked search with its counts and snippets."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bridgework.access.policy import log_sensitive_reads
from bridgework.actors.choices import Sector
from bridgework.actors.models import Organisation, Person, Post, Theme
from bridgework.core.paths import prefix_length, subtree_q
from bridgework.core.tlp import TLP
from bridgework.places.models import Place
from bridgework.plans.choices import OPEN_NEED_STATUSES, NeedCategory
from bridgework.plans.models import LocalNeed

from .choices import ItemStatus
from .filters import FACETS, KnowledgeItemFilterSet
from .fts import matching, ranked
from .models import KnowledgeItem, KnowledgeItemSector, public_items
from .semantic import active_embedder, hybrid_order, semantic_order
from .text import plain_text, snippet

__all__ = [
    "Facet",
    "Peer",
    "Recommendation",
    "SearchPage",
    "peers_for",
    "peers_for_need",
    "peers_for_theme",
    "readable_items",
    "recommendations_for",
    "search_items",
    "seen_about_places",
    "with_seen_about_places",
]

PAGE_SIZE = 20


def readable_items(user) -> QuerySet:
    """What ``user`` may read: the items their roles reach, and every public item."""
    return KnowledgeItem.objects.visible_to(user, "view") | public_items()


def with_seen_about_places(queryset: QuerySet, user) -> QuerySet:
    """``queryset`` with each item's about-places that ``user`` may see (one query for the
    lot, in ``seen_about_places``) and its sectors: what pages, exports and the API show."""
    seen = Place.objects.visible_to(user, "view").order_by("name", "pk")
    return queryset.prefetch_related(
        Prefetch("about_places", queryset=seen, to_attr="seen_about_places"), "sector_rows"
    )


def seen_about_places(user, item: KnowledgeItem) -> list[Place]:
    """The places ``item`` speaks about that ``user`` may see (never one out of their reach)."""
    prefetched = getattr(item, "seen_about_places", None)
    if prefetched is not None:
        return prefetched
    return list(
        Place.objects.visible_to(user, "view")
        .filter(pk__in=item.about_places.values("pk"))
        .order_by("name", "pk")
    )


@dataclass
class Facet:
    name: str
    label: Any
    values: list[tuple[str, str, int, bool]]  # (value, label, count, chosen)


@dataclass
class Hit:
    item: KnowledgeItem
    snippet: str


@dataclass
class SearchPage:
    filterset: KnowledgeItemFilterSet
    text: str
    total: int = 0
    hits: list[Hit] = field(default_factory=list)
    facets: list[Facet] = field(default_factory=list)
    page: int = 1
    has_next: bool = False


def _facet_labels(name: str, filterset) -> dict[str, str]:
    if name == "theme":
        return {theme.slug: str(theme) for theme in Theme.objects.all()}
    choices = filterset.filters[name].extra.get("choices") or []
    return {str(value): str(label) for value, label in choices}


def _place_facet(user, chosen: Place | None, paths: dict[int, list[str]]) -> Facet:
    """The matches by country, or by the places just below the chosen place: the way down
    the tree, with counts. An item counts once under each branch it comes from or speaks
    about (as the place filter finds it). Only places the reader may see are offered."""
    cut = prefix_length(chosen.depth + 1 if chosen is not None else 1)
    by_path: Counter = Counter()
    for item_paths in paths.values():
        by_path.update({path[:cut] for path in item_paths if len(path) >= cut})
    shown = Place.objects.visible_to(user, "view").filter(path__in=list(by_path))
    values = sorted(
        ((str(place.pk), place.name, by_path[place.path], False) for place in shown),
        key=lambda value: (-value[2], value[1]),
    )
    return Facet("place", _("Place") if chosen is None else chosen.name, values)


def search_items(request, data: QueryDict, *, page: int = 1) -> SearchPage:
    """One page of the items ``request.user`` may read that match ``data`` (the filter set's
    parameters), best first, with a snippet each and the counts of every filter's values.
    Counts and snippets come only from readable items: a RED item is not even a number."""
    user = request.user
    text = (data.get("q") or "").strip()[:200]
    without_text = data.copy()
    without_text.pop("q", None)
    filterset = KnowledgeItemFilterSet(data, queryset=readable_items(user), request=request)
    base = KnowledgeItemFilterSet(without_text, queryset=readable_items(user), request=request)
    result = SearchPage(filterset=filterset, text=text, page=page)
    if not filterset.is_valid() or not base.is_valid():
        return result
    found = base.qs
    embedder = active_embedder() if text else None
    hybrid: list[int] = []
    if embedder is not None:
        # Semantic search on: the words' matches plus the nearest items by meaning, fused.
        near = semantic_order(base.qs, text, embedder)
        hybrid = hybrid_order(base.qs, text, embedder, near)
        found = matching(found, text) | found.filter(pk__in=near)
    elif text:
        found = matching(found, text)
    # One pass over the matches gives the total and every count but the themes' and the
    # sectors' (joins: an item counts once for each of its themes and sectors).
    columns = [column for _name, column in FACETS if "__" not in column]
    rows = list(found.values_list("pk", "place_path", *columns))
    matches = {row[0]: row[2:] for row in rows}
    paths: dict[int, list[str]] = {row[0]: [row[1]] for row in rows}
    about = KnowledgeItem.about_places.through.objects.filter(
        knowledgeitem_id__in=found.values("pk")
    ).values_list("knowledgeitem_id", "place__path")
    for item_id, path in about:
        paths.setdefault(item_id, []).append(path)
    result.total = len(matches)
    counted: dict[str, Counter] = {column: Counter() for column in columns}
    for values in matches.values():
        for column, value in zip(columns, values, strict=True):
            counted[column][value] += 1
    theme_counts = (
        KnowledgeItem.themes.through.objects.filter(knowledgeitem_id__in=found.values("pk"))
        .values("theme__slug")
        .annotate(n=Count("knowledgeitem_id", distinct=True))
    )
    counted["themes__slug"] = Counter({row["theme__slug"]: row["n"] for row in theme_counts})
    sector_counts = (
        KnowledgeItemSector.objects.filter(item_id__in=found.values("pk"))
        .values("sector")
        .annotate(n=Count("item_id", distinct=True))
    )
    counted["sector_rows__sector"] = Counter({row["sector"]: row["n"] for row in sector_counts})
    for name, column in FACETS:
        labels = _facet_labels(name, filterset)
        chosen = data.get(name, "")
        values = [
            (str(value), labels.get(str(value), str(value)), n, str(value) == chosen)
            for value, n in sorted(counted[column].items(), key=lambda pair: (-pair[1], pair[0]))
            if value
        ]
        result.facets.append(Facet(name, filterset.filters[name].label, values))
    result.facets.append(_place_facet(user, filterset.form.cleaned_data.get("place"), paths))
    start = (page - 1) * PAGE_SIZE
    if embedder is not None:
        page_ids = hybrid[start : start + PAGE_SIZE + 1]
        by_pk = base.qs.select_related("place").in_bulk(page_ids)
        items = [by_pk[pk] for pk in page_ids if pk in by_pk]
    else:
        if text:
            ordered = ranked(base.qs, text).order_by("-search_rank", "pk")
        else:
            ordered = base.qs.order_by("-published_on", "title", "pk")
        items = list(ordered.select_related("place")[start : start + PAGE_SIZE + 1])
    result.has_next = len(items) > PAGE_SIZE
    items = items[:PAGE_SIZE]
    log_sensitive_reads(user, items)
    for item in items:
        passage = plain_text(f"{item.summary}\n\n{item.body}")
        shown = snippet(passage, text, item.language) if text else item.summary
        result.hits.append(Hit(item, shown))
    return result


# --- recommendations and peers -------------------------------------------------------------------


@dataclass
class Recommendation:
    item: KnowledgeItem
    places: list[str]  # where it answered the same kind of need
    categories: list[str]
    score: int
    themes: list[str] = field(default_factory=list)  # shared with the place's organisations
    sectors: list[str] = field(default_factory=list)  # likewise
    about: str = ""  # the place it speaks about, when recommended for that

    @property
    def explanation(self) -> str:
        if self.about:
            return _("Speaks about %(place)s.") % {"place": self.about}
        if not self.score:  # recommended for its themes and sectors, not for answered needs
            reasons = []
            if self.themes:
                reasons.append(
                    _("On %(themes)s, which organisations of this place work on.")
                    % {"themes": ", ".join(self.themes)}
                )
            if self.sectors:
                reasons.append(
                    _("Carried out by %(sectors)s, sectors present in this place.")
                    % {"sectors": ", ".join(self.sectors).lower()}
                )
            return " ".join(reasons)
        named = list(self.places)
        unseen = self.score - len(named)  # places the reader may not see: counted, not named
        if unseen > 0:
            named.append(
                ngettext(
                    "%(count)d place you cannot see", "%(count)d places you cannot see", unseen
                )
                % {"count": unseen}
            )
        return ngettext(
            "Answered the same %(needs)s need in %(count)d other place: %(places)s.",
            "Answered the same %(needs)s need in %(count)d other places: %(places)s.",
            self.score,
        ) % {
            "needs": " / ".join(self.categories).lower(),
            "count": self.score,
            "places": ", ".join(named),
        }


def recommendations_for(user, place: Place, limit: int = 10) -> list[Recommendation]:
    """The items ``user`` may read that answered, elsewhere, the kinds of need ``place`` has
    (its open needs; all its needs when none is open), most places first.

    Only shareable needs (CLEAR, GREEN) count as evidence, and only in aggregate — a category
    and the names of the places the reader may see — so a recommendation never reveals a
    labelled need nor names a place out of the reader's reach."""
    own = LocalNeed.objects.visible_to(user).filter(place=place)
    categories = set(own.filter(status__in=OPEN_NEED_STATUSES).values_list("category", flat=True))
    if not categories:
        categories = set(own.values_list("category", flat=True))
    found = _answered_elsewhere(user, place, categories, limit) if categories else []
    if len(found) < limit:
        found += _about_place(user, place, {r.item.pk for r in found}, limit - len(found))
    if len(found) < limit:
        found += _on_local_themes(user, place, {r.item.pk for r in found}, limit - len(found))
    return found


def _about_place(user, place: Place, taken: set[int], limit: int) -> list[Recommendation]:
    """Then: published items from elsewhere that speak about the place (or a place in it)."""
    if limit <= 0:
        return []
    about = KnowledgeItem.about_places.through.objects.filter(
        subtree_q("place__path", place.path)
    ).values("knowledgeitem_id")
    items = (
        readable_items(user)
        .filter(status=ItemStatus.PUBLISHED, pk__in=about)
        .exclude(place=place)
        .exclude(pk__in=taken)
        .order_by("-published_on", "title", "pk")[:limit]
    )
    return [Recommendation(item, [], [], 0, about=place.name) for item in items]


def _answered_elsewhere(user, place: Place, categories: set[str], limit: int):
    item_type = ContentType.objects.get_for_model(KnowledgeItem)
    answered = LocalNeed.objects.filter(answer_type=item_type).values("answer_id")
    readable = readable_items(user).filter(status=ItemStatus.PUBLISHED, pk__in=answered)
    answers = (
        LocalNeed.objects.filter(
            answer_type=item_type,
            answer_id__in=readable.values("pk"),
            category__in=categories,
            tlp__lte=TLP.GREEN,
        )
        .exclude(place=place)
        .select_related("place")
        .order_by("place__name")
    )
    labels = dict(NeedCategory.choices)
    found: dict[int, tuple[dict[int, str], set[str]]] = {}
    for need in answers:
        where, kinds = found.setdefault(need.answer_id, ({}, set()))
        where[need.place_id] = need.place.name
        kinds.add(str(labels.get(need.category, need.category)))
    # The evidence counts every such place, but names only those the reader may see.
    seen = set(
        Place.objects.visible_to(user, "view")
        .filter(pk__in={pk for where, _kinds in found.values() for pk in where})
        .values_list("pk", flat=True)
    )
    items = KnowledgeItem.objects.in_bulk(found.keys())
    ranked_items = [
        Recommendation(
            items[pk],
            sorted(name for place_pk, name in where.items() if place_pk in seen),
            sorted(kinds),
            len(where),
        )
        for pk, (where, kinds) in found.items()
        if pk in items
    ]
    ranked_items.sort(key=lambda r: (-r.score, r.item.title))
    return ranked_items[:limit]


def _on_local_themes(user, place: Place, taken: set[int], limit: int) -> list[Recommendation]:
    """Then: published items from elsewhere on the themes the place's organisations (those
    the reader may see) work on, the most shared themes first."""
    local = Organisation.objects.visible_to(user).filter(place=place)
    themes = dict(
        Theme.objects.filter(organisations__in=local).distinct().values_list("pk", "name")
    )
    sectors = set(local.values_list("sector", flat=True)) - {""}
    if not (themes or sectors) or limit <= 0:
        return []
    shares_sector = KnowledgeItemSector.objects.filter(item=OuterRef("pk"), sector__in=sectors)
    items = (
        readable_items(user)
        .filter(status=ItemStatus.PUBLISHED)
        .filter(Q(themes__in=themes.keys()) | Exists(shares_sector))
        .exclude(place=place)
        .exclude(pk__in=taken)
        .annotate(
            shared=Count("themes", filter=Q(themes__in=themes.keys()), distinct=True),
            shared_sectors=Count(
                "sector_rows", filter=Q(sector_rows__sector__in=sectors), distinct=True
            ),
        )
        .order_by("-shared", "-shared_sectors", "-published_on", "title", "pk")
        .distinct()[:limit]
    )
    labels = dict(Sector.choices)
    found = []
    for item in items.prefetch_related("themes", "sector_rows"):
        names = sorted(str(t) for t in item.themes.all() if t.pk in themes)
        shared = [str(labels[value]) for value in item.sectors if value in sectors]
        found.append(Recommendation(item, [], [], 0, names, shared))
    return found


@dataclass
class Peer:
    place: Place
    items: list[KnowledgeItem]
    organisations: list[Organisation]
    people: list[Person]


def peers_for_theme(user, theme: Theme, limit: int = 20) -> list[Peer]:
    """The places with practice on ``theme`` that ``user`` may read, with the organisations
    there that wrote it or work on the theme, and the people of those organisations the user
    may see (whom to call)."""
    items = readable_items(user).filter(themes=theme, status=ItemStatus.PUBLISHED)
    return _peers(user, items, Q(themes=theme), limit)


def peers_for(user, chosen: dict) -> list[Peer]:
    """Peers for a ``PeersForm``'s cleaned data: a theme, or a kind of need."""
    if chosen.get("theme"):
        return peers_for_theme(user, chosen["theme"])
    return peers_for_need(user, chosen["need"])


def peers_for_need(user, category: str, limit: int = 20) -> list[Peer]:
    """The places whose practice (readable by ``user``) answered a need of ``category``
    somewhere, with their organisations that wrote it and the people to contact. As for
    recommendations, only shareable needs (CLEAR, GREEN) count, and none is named."""
    item_type = ContentType.objects.get_for_model(KnowledgeItem)
    answered = LocalNeed.objects.filter(
        answer_type=item_type, category=category, tlp__lte=TLP.GREEN
    ).values("answer_id")
    items = readable_items(user).filter(status=ItemStatus.PUBLISHED, pk__in=answered)
    return _peers(user, items, Q(pk__in=[]), limit)


def _peers(user, found: QuerySet, works_on: Q, limit: int) -> list[Peer]:
    """``found`` items grouped by their place, with the organisations there that wrote one
    (or match ``works_on``) and their people the user may see."""
    items = list(found.select_related("place").order_by("place__name", "title"))
    by_place: dict[int, Peer] = {}
    for item in items:
        peer = by_place.setdefault(item.place_id, Peer(item.place, [], [], []))
        peer.items.append(item)
    if not by_place:
        return []
    organisations = Organisation.objects.visible_to(user).filter(place__in=by_place.keys())
    organisations = organisations.filter(
        works_on | Q(knowledge_items__in=[i.pk for i in items])
    ).distinct()
    for organisation in organisations.order_by("name"):
        by_place[organisation.place_id].organisations.append(organisation)
    people = (
        Person.objects.visible_to(user)
        .filter(posts__organisation__in=organisations)
        .filter(Q(posts__ends_on__isnull=True) | Q(posts__ends_on__gte=timezone.localdate()))
        .distinct()
        .order_by("full_name")
    )
    where = dict(
        Post.objects.filter(person__in=people, organisation__in=organisations).values_list(
            "person_id", "organisation__place_id"
        )
    )
    for person in people:
        place_id = where.get(person.pk)
        if place_id in by_place:
            by_place[place_id].people.append(person)
    peers = sorted(by_place.values(), key=lambda p: (-len(p.items), p.place.name))
    return peers[:limit]
