"""Finding records: the site search and the "here" sections of a place's page.

A module says in its ``search.py`` which of its lists people look for records in: ``FINDABLES``,
a list of :class:`Findable`, each naming a :class:`~bridgework.web.viewsets.ModelViewSet`.
Everything is then read through that list's own FilterSet, on the list's own scoped queryset:

* the site search (``/search/?q=``) runs each list's text filter (``q``), ranks the matches
  (exact, then starting with the text, then containing it) and shows the first few of each
  kind, with their number and a link to the list filtered the same way — so "see all 12"
  shows exactly those 12;
* a place named in the question ("who works in Chilinde on youth?") is recognised, and each
  list that can filter by place answers for it, narrowed by the topics its ``topics`` hook
  recognises in the other words (the organisations' activities and sectors);
* a place's page shows, for each list declaring ``in_place``, what lies at that place and
  below it, with a link to the whole filtered list.

Nothing here reads a record the list would not show its reader: the same ``visible_to``, the
same filters, the same related-record :class:`~bridgework.access.policy.Sight`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bridgework.access.policy import can, log_sensitive_reads
from bridgework.core.modules import module_parts
from bridgework.places.models import Place
from bridgework.places.selectors import place_reference

from .filtering import PlaceChoiceField, SearchFilter, scope_choice
from .viewsets import Column, ModelViewSet, joined, rendered_rows

__all__ = [
    "Excerpt",
    "Findable",
    "SearchResults",
    "Topic",
    "findables",
    "in_place",
    "recognise_places",
    "search",
    "search_page",
    "topic_words",
]

SEARCH_LIMIT = 5  # results of each kind on the search page
PLACE_LIMIT = 10  # records of each kind on a place's page (and in an answer)
MAX_TEXT = 100
MAX_PHRASE_WORDS = 4  # the longest place name recognised in a question, in words
MAX_PLACES = 3  # namesakes answered for, at most


@dataclass(frozen=True)
class Topic:
    """Filters of a list that words of a question name ("youth" → ``theme=youth-engagement``),
    and how to say them ("activity: Youth engagement")."""

    filters: Mapping[str, str]
    label: str


@dataclass(frozen=True)
class Findable:
    """A list people find records in (see the module docstring)."""

    viewset: type[ModelViewSet]
    label: Any  # the kind of record, plural: "Organisations"
    order: int = 100
    searched: bool = True  # offered by the site search
    place_filter: str = "place"  # the list's filter of a place and everything below it
    # A place's page shows these records ("Organisations working in %(place)s"); None: not.
    in_place: Any = None
    in_place_filters: Mapping[str, str] = field(default_factory=dict)  # e.g. open ones only
    summary: tuple[Column, ...] = ()  # what a result says besides its name
    # Instead of ``summary``: (records, user) -> one line per record, for what needs the rows
    # together (the places above each place, in one query).
    describe: Callable[[list[Any], Any], list[str]] | None = None
    ordering: tuple[str, ...] = ()  # after the rank; the list's own ordering by default
    topics: Callable[[list[str]], Topic | None] | None = None
    # Links from a place's section to the module's pages about that place: (label, URL name,
    # the page's place parameter).
    place_links: tuple[tuple[Any, str, str], ...] = ()

    @property
    def model(self) -> type[models.Model]:
        return self.viewset.model

    @property
    def key(self) -> str:
        return self.viewset.model._meta.label_lower

    def list_url(self, filters: Mapping[str, str]) -> str:
        url = reverse(self.viewset.url_names()["list"])
        query = QueryDict(mutable=True)
        query.update(filters)
        return f"{url}?{query.urlencode()}" if filters else url

    def excerpt(
        self, request, filters: Mapping[str, str], *, title: Any, limit: int, rank: str = ""
    ) -> Excerpt | None:
        """The first ``limit`` records of the list filtered by ``filters`` (ranked against
        ``rank`` when given), their number and the list's address; None when the reader may
        not read such records at all, or a filter names a place out of their reach."""
        user = request.user
        vs = self.viewset
        if not can(user, "view", vs.model) or vs.filterset_class is None:
            return None
        data = QueryDict(mutable=True)
        data.update(filters)
        queryset: Any = vs.base_queryset(request)
        filterset = vs.filterset_class(
            data, queryset=queryset.visible_to(user, "view"), request=request
        )
        if not filterset.is_valid():
            return None
        records = filterset.qs
        total = records.count()
        ordering = self.ordering or vs.ordering
        if rank:
            records = records.annotate(search_rank=self._rank(filterset, rank))
            ordering = ("search_rank", *ordering)
        items = list(joined(records, vs.list_select_related).order_by(*ordering)[:limit])
        vs.attach_listed(items)  # what the list's cells read of related records
        log_sensitive_reads(user, items)
        if self.describe is not None:
            lines = self.describe(items, user)
        else:
            cells = rendered_rows(items, list(self.summary), user)
            lines = [" · ".join(str(c) for c in row if c not in ("", None)) for row in cells]
        return Excerpt(
            findable=self,
            title=title,
            items=list(zip(items, lines, strict=True)),
            total=total,
            url=self.list_url(filters),
        )

    @staticmethod
    def _rank(filterset, text: str) -> Case:
        """0 for an exact match of any searched field, 1 when the first field (the name)
        starts with the text, 2 for the rest (the text is somewhere in a field)."""
        search = filterset.filters.get("q")
        specs = search.search_fields if isinstance(search, SearchFilter) else ()
        names = [spec.partition(":")[0] for spec in specs]
        if not names:
            return Case(default=Value(2), output_field=IntegerField())
        exact = Q()
        for name in names:
            exact |= Q(**{f"{name}__iexact": text})
        return Case(
            When(exact, then=Value(0)),
            When(Q(**{f"{names[0]}__istartswith": text}), then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )


@dataclass
class Excerpt:
    """Some records of a list, how many there are, and the way to all of them."""

    findable: Findable
    title: Any
    items: list[tuple[Any, str]]  # (record, one line about it)
    total: int
    url: str
    links: list[tuple[Any, str]] = field(default_factory=list)  # (label, address)

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def findables() -> list[Findable]:
    """Every module's findable lists, in their declared order."""
    found = [f for _config, part in module_parts("search") for f in getattr(part, "FINDABLES", ())]
    return sorted(found, key=lambda f: f.order)


# --- a place's page ------------------------------------------------------------------------------


def in_place(request, place: Place) -> list[Excerpt]:
    """What lies at ``place`` and below it, list by list (organisations working there, bodies,
    open actions…), for the place's page."""
    reference = place_reference(place)
    sections = []
    for findable in findables():
        if findable.in_place is None:
            continue
        excerpt = findable.excerpt(
            request,
            {findable.place_filter: reference, **findable.in_place_filters},
            title=findable.in_place % {"place": place.name},
            limit=PLACE_LIMIT,
        )
        if excerpt is not None:
            excerpt.links = _place_links(findable, reference)
            sections.append(excerpt)
    return sections


def _place_links(findable: Findable, reference: str) -> list[tuple[Any, str]]:
    links = []
    for label, url_name, param in findable.place_links:
        query = QueryDict(mutable=True)
        query[param] = reference
        links.append((label, f"{reverse(url_name)}?{query.urlencode()}"))
    return links


# --- the site search -----------------------------------------------------------------------------

_WORD = re.compile(r"[\w'’-]+")


def topic_words(text: str) -> list[str]:
    """The words of a question worth matching against topics: four letters or more (so "in",
    "on", "and", "the" never name anything)."""
    return [w.lower() for w in _WORD.findall(text) if len(w) >= 4]


def names_a_word_of(word: str, text: Any) -> bool:
    """Whether ``word`` (lower case) is, or begins, a word of ``text``, allowing a different
    last letter ("police" → "policing", "women" → "Women's groups")."""
    for token in re.findall(r"\w+", str(text).lower()):
        if len(token) < 4:
            continue
        if token.startswith(word) or (len(word) >= 5 and token.startswith(word[:-1])):
            return True
    return False


def recognise_places(user, text: str) -> tuple[list[Place], str]:
    """The places a question names (the longest run of words that is the exact name of a
    place the user may see, or a code typed in capitals or with a digit or hyphen), and the
    question without those words. One query."""
    words = _WORD.findall(text)
    phrases: dict[str, tuple[int, int]] = {}
    for size in range(min(MAX_PHRASE_WORDS, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            phrase = " ".join(words[start : start + size])
            if len(phrase) >= 3:
                phrases.setdefault(phrase.lower(), (start, size))
    codes = {
        w.lower(): i
        for i, w in enumerate(words)
        if len(w) >= 2 and (w.isupper() or any(c.isdigit() or c == "-" for c in w))
    }
    if not phrases and not codes:
        return [], text
    condition = Q(pk__in=[])
    for phrase in phrases:
        condition |= Q(name__iexact=phrase)
    for code in codes:
        condition |= Q(code__iexact=code) | Q(pcode__iexact=code)
    visible = Place.objects.visible_to(user, "view")
    found = list(visible.filter(condition).order_by("depth", "name", "pk")[:50])
    best: tuple[int, int] | None = None
    chosen: list[Place] = []
    for place in found:
        spans = [phrases[place.name.lower()]] if place.name.lower() in phrases else []
        spans += [(codes[c.lower()], 1) for c in (place.code, place.pcode) if c.lower() in codes]
        for span in spans:
            if best is None or span[1] > best[1]:
                best, chosen = span, [place]
            elif span == best and place not in chosen:
                chosen.append(place)
    if best is None:
        return [], text
    start, size = best
    rest = " ".join(words[:start] + words[start + size :])
    return chosen[:MAX_PLACES], rest


@dataclass
class Answer:
    """What the question asks about one place it names."""

    place: Place
    reference: str
    excerpts: list[Excerpt]


@dataclass
class SearchResults:
    text: str
    within: Place | None
    groups: list[Excerpt]
    answers: list[Answer]

    @property
    def total(self) -> int:
        return sum(group.total for group in self.groups)


def search(request, text: str, *, within: Place | None = None) -> SearchResults:
    """Records whose names match ``text`` in each list the reader may read (below ``within``
    when given), and, when the text names a place, what each list holds there."""
    text = text.strip()[:MAX_TEXT]
    lists = findables()
    within_ref = place_reference(within) if within is not None else ""
    groups = []
    for findable in lists:
        if not findable.searched:
            continue
        filters = {"q": text}
        if within is not None:
            filters[findable.place_filter] = within_ref
        excerpt = findable.excerpt(
            request, filters, title=findable.label, limit=SEARCH_LIMIT, rank=text
        )
        if excerpt is not None and excerpt.total:
            groups.append(excerpt)
    return SearchResults(text, within, groups, _answers(request, lists, text))


def _answers(request, lists: list[Findable], text: str) -> list[Answer]:
    places, rest = recognise_places(request.user, text)
    if not places:
        return []
    words = topic_words(rest)
    topics = {f.key: f.topics(words) if f.topics and words else None for f in lists}
    understood = any(topic is not None for topic in topics.values())
    answers = []
    for place in places:
        reference = place_reference(place)
        excerpts = []
        for findable in lists:
            if findable.in_place is None:
                continue
            topic = topics[findable.key]
            if understood and topic is None:
                continue  # the question is about something this list cannot say
            filters = {findable.place_filter: reference, **findable.in_place_filters}
            title = findable.in_place % {"place": place.name}
            if topic is not None:
                filters.update(topic.filters)
                title = f"{title} — {topic.label}"
            excerpt = findable.excerpt(request, filters, title=title, limit=PLACE_LIMIT)
            if excerpt is not None:
                excerpt.links = _place_links(findable, reference)
                excerpts.append(excerpt)
        answers.append(Answer(place, reference, excerpts))
    return answers


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_("A name, a code, or a question such as “who works in Chilinde on youth?”"),
    )
    place = PlaceChoiceField(
        queryset=Place.objects.none(),
        required=False,
        label=_("Only in"),
        help_text=_("A place: only what lies there or below it"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.auto_id = "search-%s"
        place: Any = self.fields["place"]
        place.queryset = Place.objects.all()
        scope_choice(place, user)


@login_required
def search_page(request):
    """One search box for organisations, people, bodies, meetings and places: ranked, grouped
    by kind, each group leading to its list filtered the same way. Works without JavaScript;
    with it, results follow the typing."""
    form = SearchForm(request.GET or None, user=request.user)
    results = None
    status = 200
    if form.is_bound:
        if form.is_valid():
            text = form.cleaned_data["q"]
            if text.strip():
                results = search(request, text, within=form.cleaned_data["place"])
        else:
            status = 400
    return render(request, "web/search.html", {"form": form, "results": results}, status=status)
