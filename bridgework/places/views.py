"""Place pages: browse the tree, a place with its breadcrumb and children, networks and hubs."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from bridgework.access.policy import can
from bridgework.access.second_factor import guarded_from
from bridgework.activity.selectors import place_activity
from bridgework.web.pagination import page_of_request
from bridgework.web.search import in_place
from bridgework.web.viewsets import Column, ModelViewSet

from . import selectors
from .actions import do_create_place, do_delete_place, do_update_place
from .boundaries import BoundaryFileError, import_boundaries
from .filters import NetworkMembershipFilterSet, PlaceFilterSet
from .forms import BoundaryImportForm, NetworkMembershipForm, PlaceForm
from .maps import MapEntry, map_of
from .models import Hub, Network, NetworkMembership, Place

__all__ = [
    "NetworkMembershipViewSet",
    "PlaceViewSet",
    "boundary_import",
    "browse",
    "hub_detail",
    "network_detail",
]


class PlaceViewSet(ModelViewSet):
    model = Place
    form_class = PlaceForm
    filterset_class = PlaceFilterSet
    title = _("Places")
    url_prefix = "places/"
    routes = {"list": "index/"}
    ordering = ("path",)
    columns = [
        Column("name", _("Name")),
        Column("code", _("ISO code")),
        Column("pcode", _("P-code")),
        Column("country_code", _("Country")),
        Column("depth", _("Depth")),
        Column("closed_on", _("Closed on")),
    ]
    detail_template = "places/place_detail.html"

    @classmethod
    def initial(cls, request):
        parent = request.GET.get("parent", "")
        return {"parent": parent} if parent.isdigit() else {}

    @classmethod
    def detail_context(cls, request, place):
        user = request.user
        children = page_of_request(
            request, selectors.children_of(place, user), ordering=("name", "pk"), size=100
        )
        names = selectors.level_names(place.country_code)
        return {
            "map": place_map(place, children.items, user),
            "crumbs": selectors.breadcrumb(place, user),
            "children": children,
            "level": selectors.level_name(place, names),
            "child_level": names.get(place.depth + 1, ""),
            "hubs": selectors.hubs_of(place),
            "memberships": selectors.memberships_of(place, user)[:50],
            "successors": selectors.successors_of(place, user),
            "activity": place_activity(place, user, leave_out=guarded_from(request)),
            # Organisations working here, bodies, open actions…: each module's own lists.
            "here": in_place(request, place),
            "can_add_child": can(user, "add", Place, place),
        }

    create_action = do_create_place
    update_action = do_update_place

    @classmethod
    def delete(cls, obj, *, acting_user):
        do_delete_place(obj, acting_user=acting_user)


def place_map(place: Place, children, user):
    """The place's outline and the places listed below it, each leading to its page."""
    entries = {place.pk: MapEntry(place.name, focus=True)}
    entries.update((child.pk, MapEntry(child.name, child.get_absolute_url())) for child in children)
    return map_of(
        user,
        entries,
        dom_id="place-map",
        label=str(_("Map of %(place)s and the places below it") % {"place": place.name}),
        caption=str(
            _(
                "This place, outlined, and those listed above that have a boundary or a "
                "point; select one to open its page."
            )
        ),
    )


class NetworkMembershipViewSet(ModelViewSet):
    model = NetworkMembership
    form_class = NetworkMembershipForm
    filterset_class = NetworkMembershipFilterSet
    title = _("Network memberships")
    url_prefix = "memberships/"
    ordering = ("place_path", "pk")
    list_select_related = ("place", "network")
    columns = [
        Column("place.name", _("Place")),
        Column("network.name", _("Network")),
        Column("joined_on", _("Joined on")),
        Column("left_on", _("Left on")),
    ]
    detail_fields = [
        ("place", _("Place")),
        ("network", _("Network")),
        ("joined_on", _("Joined on")),
        ("left_on", _("Left on")),
        ("is_current", _("Current member")),
    ]


@login_required
def browse(request):
    """Start at the highest places the user can see (the world, a country, a city)."""
    return render(
        request,
        "places/browse.html",
        {
            "tops": selectors.top_places_for(request.user),
            "networks": Network.objects.order_by("name"),
            "can_import_boundaries": can(request.user, "change", Place),
        },
    )


@login_required
def network_detail(request, slug: str):
    network = get_object_or_404(Network, slug=slug)
    members = (
        NetworkMembership.objects.visible_to(request.user, "view")
        .filter(network=network, left_on__isnull=True)
        .select_related("place")
        .order_by("place__name")
    )
    return render(
        request,
        "places/network_detail.html",
        {
            "network": network,
            "hubs": network.hubs.order_by("name"),
            "members": members[:200],
        },
    )


@login_required
def hub_detail(request, slug: str):
    """A hub and those of its places the user can see."""
    hub = get_object_or_404(Hub.objects.select_related("network"), slug=slug)
    places = Place.objects.visible_to(request.user, "view").filter(hubs=hub).order_by("name")
    return render(request, "places/hub_detail.html", {"hub": hub, "places": places})


@login_required
def boundary_import(request):
    """Give places their boundaries from a GeoJSON file: only places the user may change; the
    result lists what was set and, for each other feature, why not."""
    if not can(request.user, "change", Place):
        raise PermissionDenied
    form = BoundaryImportForm(request.POST or None, request.FILES or None)
    context: dict = {"form": form}
    if request.method != "POST":
        return render(request, "places/boundary_import.html", context)
    if not form.is_valid():
        return render(request, "places/boundary_import.html", context, status=400)
    upload = form.cleaned_data["file"]
    try:
        context["result"] = import_boundaries(
            upload.read(),
            code_property=form.cleaned_data["code_property"],
            source=upload.name,
            acting_user=request.user,
            dry_run=form.cleaned_data["dry_run"],
        )
    except BoundaryFileError as exc:
        context["file_error"] = str(exc)
        return render(request, "places/boundary_import.html", context, status=400)
    context["name"] = upload.name
    return render(request, "places/boundary_import.html", context)
