"""Knowledge API: items (scoped as the pages are, written through the pages' forms), and the
ranked search with its counts and snippets (public items for anyone, like the page)."""

from __future__ import annotations

from datetime import date

from django.http import Http404, QueryDict
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from bridgework.web.api import (
    ERROR_RESPONSES,
    BrowserSessionAuth,
    TokenAuth,
    add_form_endpoints,
    add_read_endpoints,
)
from bridgework.web.api_rows import RecordOut

from .choices import EvidenceLevel, ItemKind, ItemStatus, Language
from .forms import PeersForm, RecommendationsForm
from .selectors import (
    peers_for,
    recommendations_for,
    search_items,
    seen_about_places,
)
from .views import KnowledgeItemViewSet

__all__ = ["router"]

router = Router(tags=["knowledge"])


class AttachmentOut(RecordOut):
    id: int
    name: str
    content_type: str
    size: int
    url: str = Field(description="The download, for whoever may read the item")

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.get_absolute_url()


class KnowledgeItemOut(RecordOut):
    id: int
    url: str
    kind: ItemKind
    title: str
    summary: str
    body: str = Field(description="Markdown")
    place_id: int
    about_places: list[int] = Field(
        description="Other places it speaks about (those the caller may see)"
    )
    themes: list[str] = Field(description="Theme short names")
    sectors: list[str] = Field(description="The sectors that carry it out")
    evidence: EvidenceLevel
    language: Language
    status: ItemStatus
    version: int
    previous_id: int | None
    published_on: date | None
    tlp: int
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.get_absolute_url()

    @staticmethod
    def resolve_themes(obj) -> list[str]:
        return [theme.slug for theme in obj.themes.all()]

    @staticmethod
    def resolve_sectors(obj) -> list[str]:
        return obj.sectors

    @staticmethod
    def resolve_about_places(obj, context) -> list[int]:
        return [place.pk for place in seen_about_places(context["request"].user, obj)]

    @staticmethod
    def resolve_attachments(obj) -> list:
        return list(obj.attachments.all())


_read = add_read_endpoints(
    router,
    viewset=KnowledgeItemViewSet,
    path="/knowledge-items",
    out=KnowledgeItemOut,
    list_name="list_knowledge_items",
    detail_name="get_knowledge_item",
)
add_form_endpoints(
    router,
    viewset=KnowledgeItemViewSet,
    path="/knowledge-items",
    out=KnowledgeItemOut,
    name="knowledge_item",
    read=_read,
)


class HitOut(RecordOut):
    id: int
    title: str
    kind: ItemKind
    language: Language
    place: str
    snippet: str = Field(description="HTML: the query's words in <mark>, everything else escaped")
    url: str


class FacetValueOut(RecordOut):
    value: str
    label: str
    count: int


class SearchIn(Schema):
    q: str = Field("", max_length=200, description="Words, in English or French")
    kind: ItemKind | None = None
    theme: str = Field("", max_length=50, description="A theme's short name")
    sector: str = Field("", max_length=30)
    place: str = Field("", max_length=100, description="A place and every place below it")
    language: Language | None = None
    evidence: EvidenceLevel | None = None
    page: int = Field(1, ge=1, le=500)


class SearchOut(RecordOut):
    total: int
    page: int
    has_next: bool
    results: list[HitOut]
    facets: dict[str, list[FacetValueOut]]


def _anyone(request) -> bool:
    """Public items are found without credentials; a token or session still counts."""
    return True


@router.get(
    "/knowledge-search",
    response={200: SearchOut, **ERROR_RESPONSES},
    url_name="search_knowledge",
    auth=[TokenAuth(), BrowserSessionAuth(), _anyone],
)
def search_knowledge(request, filters: Query[SearchIn]):
    """Items the caller may read, best first, with snippets and the counts of each filter's
    values. Without credentials: the public (published, CLEAR) items only."""
    page = filters.page
    data = QueryDict(mutable=True)
    for key, value in filters.dict(exclude={"page"}).items():
        if value:
            data[key] = str(value)
    found = search_items(request, data, page=page)
    return {
        "total": found.total,
        "page": page,
        "has_next": found.has_next,
        "results": [
            {
                "id": hit.item.pk,
                "title": hit.item.title,
                "kind": hit.item.kind,
                "language": hit.item.language,
                "place": hit.item.place.name,
                "snippet": str(hit.snippet),
                "url": f"/knowledge/read/{hit.item.pk}/",
            }
            for hit in found.hits
        ],
        "facets": {
            facet.name: [
                {"value": value, "label": label, "count": count}
                for value, label, count, _chosen in facet.values
            ]
            for facet in found.facets
        },
    }


class RecommendationOut(RecordOut):
    id: int
    title: str
    url: str
    places: list[str] = Field(description="Where it answered the same kind of need")
    categories: list[str]
    explanation: str


@router.get(
    "/knowledge-recommendations",
    response={200: list[RecommendationOut], **ERROR_RESPONSES},
    url_name="knowledge_recommendations",
)
def knowledge_recommendations(request, place: str = Query(..., max_length=100)):
    """Items that answered, elsewhere, the kinds of need ``place`` has, with the reason."""
    form = RecommendationsForm({"place": place}, user=request.user)
    if not form.is_valid():
        raise Http404
    return [
        {
            "id": rec.item.pk,
            "title": rec.item.title,
            "url": reverse("knowledge:read", args=[rec.item.pk]),
            "places": rec.places,
            "categories": rec.categories,
            "explanation": rec.explanation,
        }
        for rec in recommendations_for(request.user, form.cleaned_data["place"])
    ]


class PeerOut(RecordOut):
    place_id: int
    place: str
    items: list[int]
    organisations: list[int]
    people: list[int]


@router.get(
    "/knowledge-peers",
    response={200: list[PeerOut], **ERROR_RESPONSES},
    url_name="knowledge_peers",
)
def knowledge_peers(
    request,
    theme: str = Query("", max_length=50, description="A theme's short name"),
    need: str = Query("", max_length=20, description="Or a kind of need (its category)"),
):
    """Places with practice on a theme (or that answered a kind of need), their
    organisations and the people to contact that the caller may see."""
    form = PeersForm({"theme": theme, "need": need})
    if not form.is_valid():
        raise Http404
    return [
        {
            "place_id": peer.place.pk,
            "place": peer.place.name,
            "items": [item.pk for item in peer.items],
            "organisations": [o.pk for o in peer.organisations],
            "people": [p.pk for p in peer.people],
        }
        for peer in peers_for(request.user, form.cleaned_data)
    ]
