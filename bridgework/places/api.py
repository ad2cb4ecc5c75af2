"""Places API: list (subtree, level, country and text filters) and detail."""

from datetime import date
from functools import lru_cache

from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from bridgework.access.policy import access_record
from bridgework.core.paths import subtree_q
from bridgework.web.api import ERROR_RESPONSES, KeysetPagination, visible

from .models import NetworkMembership, Place, PlaceLevel

__all__ = ["router"]

router = Router(tags=["places"])


class PlaceOut(Schema):
    id: int
    name: str
    code: str
    pcode: str
    parent_id: int | None
    depth: int
    level: str | None = Field(None, description="What the country calls this level")
    country_code: str
    opened_on: date | None
    closed_on: date | None
    succeeds_id: int | None
    url: str

    @staticmethod
    def resolve_level(obj) -> str | None:
        return getattr(obj, "level_name", None)

    @staticmethod
    def resolve_url(obj) -> str:
        return place_url(obj.pk)


class PlaceFilters(Schema):
    subtree: int | None = Field(None, description="Only this place and those below it")
    level: int | None = Field(None, ge=0, le=10, description="Only places at this depth")
    country: str | None = Field(None, min_length=2, max_length=2, description="ISO alpha-2")
    q: str | None = Field(None, max_length=100, description="Name contains, or exact code")


@lru_cache(maxsize=1)
def _place_url_template() -> str:
    # One reverse() per process instead of one per row (a list answers 50 or more rows).
    return reverse("places:place_detail", args=[0]).replace("/0/", "/{}/")


def place_url(pk: int) -> str:
    return _place_url_template().format(pk)


# Only the columns the schema shows: building full rows (timestamps and all) is most of the
# cost of a list.
OUT_FIELDS = (
    "id",
    "name",
    "code",
    "pcode",
    "parent_id",
    "path",
    "depth",
    "country_code",
    "opened_on",
    "closed_on",
    "succeeds_id",
)


def _with_level_names(queryset):
    names = PlaceLevel.objects.filter(
        country_code=OuterRef("country_code"), depth=OuterRef("depth")
    )
    return queryset.annotate(level_name=Subquery(names.values("name")[:1]))


@router.get("/places", response={200: list[PlaceOut], **ERROR_RESPONSES}, summary="List places")
@paginate(KeysetPagination, ordering=("path",))
def list_places(request, filters: Query[PlaceFilters]):
    places = visible(request, Place)
    if filters.subtree is not None:
        root = access_record(request.user, Place, filters.subtree, channel="api")
        places = places.filter(subtree_q("path", root.path))
    if filters.level is not None:
        places = places.filter(depth=filters.level)
    if filters.country:
        places = places.filter(country_code=filters.country.upper())
    if filters.q:
        text = filters.q.strip()
        places = places.filter(
            Q(name__icontains=text) | Q(code__iexact=text) | Q(pcode__iexact=text)
        )
    return _with_level_names(places.only(*OUT_FIELDS))


@router.get("/places/{place_id}", response={200: PlaceOut, **ERROR_RESPONSES}, summary="One place")
def get_place(request, place_id: int):
    return access_record(
        request.user, _with_level_names(Place.objects.all()), place_id, channel="api"
    )


class MembershipOut(Schema):
    id: int
    place_id: int
    place_name: str = Field(..., alias="place.name")
    network: str = Field(..., alias="network.name")
    joined_on: date
    left_on: date | None


@router.get(
    "/memberships",
    response={200: list[MembershipOut], **ERROR_RESPONSES},
    summary="List network memberships",
)
@paginate(KeysetPagination, ordering=("place_path", "pk"))
def list_memberships(request):
    return visible(request, NetworkMembership).select_related("place", "network")


@router.get(
    "/memberships/{membership_id}",
    response={200: MembershipOut, **ERROR_RESPONSES},
    summary="One network membership",
)
def get_membership(request, membership_id: int):
    return access_record(request.user, NetworkMembership, membership_id, channel="api")
