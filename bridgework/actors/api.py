"""actors API: organisations, people, posts (list and detail), the 3W summary, Popolo JSON,
and a person's personal-data export and erasure."""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from bridgework.access.policy import access_record, can, scoped_prefetch
from bridgework.core.plain_reads import plain_rows
from bridgework.core.urls import record_urls
from bridgework.places.selectors import place_reference
from bridgework.web.api import (
    ERROR_RESPONSES,
    KeysetPagination,
    add_form_endpoints,
    record_url,
    shown_name,
    visible,
)
from bridgework.web.api_rows import RecordOut
from bridgework.web.filtering import filter_for_api, filters_of

from . import selectors
from .actions import do_erase_person
from .filters import OrganisationFilterSet, PersonFilterSet, PostFilterSet, ThreeWFilterSet
from .models import Organisation, OrganisationArea, Person, Post
from .views import OrganisationViewSet, PersonViewSet, PostViewSet

__all__ = ["router"]

router = Router(tags=["actors"])


# --- organisations -------------------------------------------------------------------------------


class OrganisationOut(RecordOut):
    id: int
    name: str
    short_name: str
    sector: str
    level: str
    parent_id: int | None
    place_id: int
    place_name: str
    area_ids: list[int] = Field(..., description="Places the organisation works in")
    themes: list[str] = Field(..., description="Theme slugs")
    website: str
    tlp: int
    url: str

    # A resolver, not a dotted alias: ninja parses a dotted name as a template variable per row.
    @staticmethod
    def resolve_place_name(obj, context) -> str:
        # Through the sight, as the directory writes it (decided for the whole page at once).
        return shown_name(obj.place, context)

    @staticmethod
    def resolve_area_ids(obj) -> list[int]:
        return obj.shown_area_ids

    @staticmethod
    def resolve_themes(obj) -> list[str]:
        return obj.shown_themes

    @staticmethod
    def resolve_url(obj) -> str:
        return getattr(obj, "shown_url", None) or record_url("actors:organisation_detail", obj.pk)


@filters_of(OrganisationFilterSet)
class OrganisationFilters(Schema):
    """Its query parameters: one per filter of the FilterSet (see web.filtering)."""


@filters_of(PersonFilterSet)
class PersonFilters(Schema):
    """Its query parameters: one per filter of the FilterSet (see web.filtering)."""


@filters_of(PostFilterSet)
class PostFilters(Schema):
    """Its query parameters: one per filter of the FilterSet (see web.filtering)."""


@filters_of(ThreeWFilterSet)
class ThreeWFilters(Schema):
    """Its query parameters: one per filter of the FilterSet (see web.filtering)."""


def _shown_columns(orgs):
    # Only what OrganisationOut reads, and what the scope and the sensitive-read log look at.
    # No join to the place: with one, SQLite reads every row in scope before sorting by name;
    # alone it sorts from the ``org_path_tlp_name`` index and reads only the page's rows.
    return orgs.only(
        "id",
        "name",
        "short_name",
        "sector",
        "level",
        "parent_id",
        "place_id",
        "place_path",
        "website",
        "tlp",
    )


def _attach_related(orgs: list[Organisation]) -> None:
    """Each organisation's place (name and path), areas (place ids) and theme slugs: one
    grouped query each, plain values rather than a model and a related manager per row."""
    if not orgs:
        return
    selectors.attach_places(orgs)
    area_ids: dict[int, list[int]] = {org.pk: [] for org in orgs}
    areas = plain_rows(
        OrganisationArea,
        ("organisation", "place"),
        key="organisation",
        keys=area_ids,
        order_by=("id",),
    )
    for org_id, place_id in areas:
        area_ids[org_id].append(place_id)
    slugs = selectors.theme_links(orgs, "slug")
    url_of = record_urls("actors:organisation_detail")
    for org in orgs:
        # Plain attributes the schema's resolvers read (not fields of the model).
        vars(org).update(
            shown_area_ids=area_ids[org.pk], shown_themes=slugs[org.pk], shown_url=url_of(org.pk)
        )


@router.get(
    "/organisations",
    response={200: list[OrganisationOut], **ERROR_RESPONSES},
    summary="List organisations",
)
@paginate(KeysetPagination, ordering=("name", "pk"), attach=_attach_related)
def list_organisations(request, filters: Query[OrganisationFilters]):
    orgs = filter_for_api(OrganisationFilterSet, request, visible(request, Organisation))
    return _shown_columns(orgs)


@router.get(
    "/organisations/{record_id}",
    response={200: OrganisationOut, **ERROR_RESPONSES},
    summary="One organisation",
)
def get_organisation(request, record_id: int):
    org = access_record(
        request.user, _shown_columns(Organisation.objects.all()), record_id, channel="api"
    )
    _attach_related([org])
    return org


# --- people --------------------------------------------------------------------------------------


class PostBrief(RecordOut):
    id: int
    title: str
    organisation_id: int
    starts_on: date | None
    ends_on: date | None


class PersonOut(RecordOut):
    id: int
    full_name: str
    place_id: int
    email: str | None = Field(None, description="Only for those who may see contacts")
    phone: str | None = Field(None, description="Only for those who may see contacts")
    posts: list[PostBrief]
    erased: bool
    tlp: int
    url: str

    @staticmethod
    def resolve_email(obj) -> str | None:
        return obj.email if obj.can_see_contacts else None

    @staticmethod
    def resolve_phone(obj) -> str | None:
        return obj.phone if obj.can_see_contacts else None

    @staticmethod
    def resolve_posts(obj) -> list:
        return obj.visible_posts

    @staticmethod
    def resolve_erased(obj) -> bool:
        return obj.erased_at is not None

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.get_absolute_url()


def _people(request, people=None):
    """People with their contact flag and the posts the user may see."""
    people = people if people is not None else Person.objects.visible_to(request.user, "view")
    posts = scoped_prefetch(
        "posts", request.user, queryset=Post.objects.order_by("pk"), to_attr="visible_posts"
    )
    return selectors.with_contact_flag(people, request.user).prefetch_related(posts)


@router.get("/people", response={200: list[PersonOut], **ERROR_RESPONSES}, summary="List people")
@paginate(KeysetPagination, ordering=("full_name", "pk"))
def list_people(request, filters: Query[PersonFilters]):
    return _people(request, filter_for_api(PersonFilterSet, request, visible(request, Person)))


@router.get(
    "/people/{record_id}", response={200: PersonOut, **ERROR_RESPONSES}, summary="One person"
)
def get_person(request, record_id: int):
    return access_record(
        request.user, _people(request, Person.objects.all()), record_id, channel="api"
    )


@router.get(
    "/people/{person_id}/personal-data",
    response={200: dict[str, Any], **ERROR_RESPONSES},
    summary="Everything held on a person (data-protection export)",
)
def export_person(request, person_id: int):
    return selectors.personal_data(
        access_record(request.user, Person, person_id, "export_personal", channel="api"),
        request.user,
    )


class ErasedOut(RecordOut):
    id: int
    full_name: str
    erased_at: datetime


@router.post(
    "/people/{person_id}/erase",
    response={200: ErasedOut, **ERROR_RESPONSES},
    summary="Erase a person's personal data everywhere",
)
def erase_person(request, person_id: int):
    return do_erase_person(
        access_record(request.user, Person, person_id, "erase", channel="api"),
        acting_user=request.user,
    )


# --- posts ---------------------------------------------------------------------------------------


class PostOut(RecordOut):
    id: int
    person_id: int
    person_name: str
    organisation_id: int
    organisation_name: str
    title: str
    place_id: int
    starts_on: date | None
    ends_on: date | None

    @staticmethod
    def resolve_person_name(obj, context) -> str:
        return shown_name(obj.person, context)

    @staticmethod
    def resolve_organisation_name(obj, context) -> str:
        return shown_name(obj.organisation, context)


@router.get("/posts", response={200: list[PostOut], **ERROR_RESPONSES}, summary="List posts")
@paginate(KeysetPagination, ordering=("place_path", "organisation_id", "pk"))
def list_posts(request, filters: Query[PostFilters]):
    posts = filter_for_api(PostFilterSet, request, visible(request, Post))
    return posts.select_related("person", "organisation")


@router.get("/posts/{record_id}", response={200: PostOut, **ERROR_RESPONSES}, summary="One post")
def get_post(request, record_id: int):
    return access_record(
        request.user,
        Post.objects.select_related("person", "organisation"),
        record_id,
        channel="api",
    )


# --- 3W and Popolo -------------------------------------------------------------------------------


class SectorCount(Schema):
    sector: str
    label: str
    organisations: int


class MatrixRow(Schema):
    sector: str
    counts: dict[str, int] = Field(..., description="Theme slug → organisations")


class Overlap(Schema):
    place_id: int
    place: str
    theme: str
    organisations: int


class ThreeWOut(RecordOut):
    place_id: int | None = Field(..., description="The place looked below (none for a hub)")
    place: str | None = Field(..., description="The place's ISO code, P-code or name")
    hub: str | None = Field(..., description="The hub's short name, when looking at a hub")
    organisations: int
    sectors: list[SectorCount]
    gaps: list[str] = Field(..., description="Sectors with no organisation in the subtree")
    matrix: list[MatrixRow]
    overlaps: list[Overlap] = Field(..., description="Places where ≥2 organisations share a theme")


def _three_w_filters(request) -> selectors.OrgFilters:
    filterset = ThreeWFilterSet(request.GET, request=request)
    if not filterset.is_valid():
        filter_for_api(ThreeWFilterSet, request, Organisation.objects.none())  # raises the 422
    filters = filterset.org_filters()
    if filters is None:
        raise PermissionDenied
    return filters


@router.get(
    "/3w",
    response={200: ThreeWOut, **ERROR_RESPONSES},
    summary="Who does what where below a place: counts, gaps and overlaps",
)
def three_w(request, filters: Query[ThreeWFilters]):
    report = selectors.three_w(request.user, _three_w_filters(request))
    slugs = [theme.slug for theme in report.themes]
    return {
        "place_id": report.place.pk if report.place is not None else None,
        "place": place_reference(report.place) if report.place is not None else None,
        "hub": report.hub.slug if report.hub is not None else None,
        "organisations": report.total,
        "sectors": [
            {"sector": s, "label": str(label), "organisations": n}
            for s, label, n in report.sector_counts
        ],
        "gaps": [s for s, _label in report.gaps],
        "matrix": [
            {"sector": s, "counts": dict(zip(slugs, counts, strict=True))}
            for s, _label, counts, _none in report.matrix
        ],
        "overlaps": [
            {
                "place_id": o["place_id"],
                "place": o["place"],
                "theme": o["theme"],
                "organisations": o["count"],
            }
            for o in report.overlaps
        ],
    }


@router.get(
    "/popolo",
    response={200: dict[str, Any], **ERROR_RESPONSES},
    summary="Organisations, persons, posts and memberships below a place (Popolo)",
)
def popolo(request, filters: Query[ThreeWFilters]):
    if not can(request.user, "export", Organisation):
        raise PermissionDenied
    return selectors.popolo(request.user, _three_w_filters(request))


# --- writes: the pages' forms and actions, through the API ----------------------------------------

add_form_endpoints(
    router,
    viewset=OrganisationViewSet,
    path="/organisations",
    out=OrganisationOut,
    name="organisation",
    read=get_organisation,
)
add_form_endpoints(
    router, viewset=PersonViewSet, path="/people", out=PersonOut, name="person", read=get_person
)
add_form_endpoints(
    router, viewset=PostViewSet, path="/posts", out=PostOut, name="post", read=get_post
)
