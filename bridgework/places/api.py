"""Places API: list (subtree, level, country and text filters) and detail."""

from datetime import date
from functools import lru_cache

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from bridgework.access.policy import access_record
from bridgework.web.api import ERROR_RESPONSES, KeysetPagination, visible
from bridgework.web.api_rows import RecordOut
from bridgework.web.filtering import filter_for_api, filters_of

from .filters import NetworkMembershipFilterSet, PlaceFilterSet
from .models import NetworkMembership, Place, PlaceLevel

__all__ = ["router"]

router = Router(tags=["places"])


class PlaceOut(RecordOut):
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


@filters_of(PlaceFilterSet)
class PlaceFilters(Schema):
    """Its query parameters: one per filter of the FilterSet (see web.filtering)."""


@filters_of(NetworkMembershipFilterSet)
class MembershipFilters(Schema):
    """Its query parameters: one per filter of the FilterSet (see web.filtering)."""


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
    places = filter_for_api(PlaceFilterSet, request, visible(request, Place))
    return _with_level_names(places.only(*OUT_FIELDS))


@router.get("/places/{place_id}", response={200: PlaceOut, **ERROR_RESPONSES}, summary="One place")
def get_place(request, place_id: int):
    return access_record(
        request.user, _with_level_names(Place.objects.all()), place_id, channel="api"
    )


class MembershipOut(RecordOut):
    id: int
    place_id: int
    place_name: str
    network: str
    joined_on: date
    left_on: date | None

    # Resolvers, not dotted aliases: ninja parses a dotted name as a template variable per row.
    @staticmethod
    def resolve_place_name(obj) -> str:
        return obj.place.name

    @staticmethod
    def resolve_network(obj) -> str:
        return obj.network.name


@router.get(
    "/memberships",
    response={200: list[MembershipOut], **ERROR_RESPONSES},
    summary="List network memberships",
)
@paginate(KeysetPagination, ordering=("place_path", "pk"))
def list_memberships(request, filters: Query[MembershipFilters]):
    memberships = filter_for_api(
        NetworkMembershipFilterSet, request, visible(request, NetworkMembership)
    )
    return memberships.select_related("place", "network")


@router.get(
    "/memberships/{membership_id}",
    response={200: MembershipOut, **ERROR_RESPONSES},
    summary="One network membership",
)
def get_membership(request, membership_id: int):
    return access_record(request.user, NetworkMembership, membership_id, channel="api")
