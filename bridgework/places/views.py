"""Place pages: browse the tree, a place with its breadcrumb and children, networks and hubs."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from bridgework.access.policy import can, places_for
from bridgework.web.pagination import InvalidCursor, keyset_page
from bridgework.web.viewsets import Column, ModelViewSet

from . import selectors
from .actions import do_create_place, do_delete_place, do_update_place
from .forms import NetworkMembershipForm, PlaceForm
from .models import Hub, Network, NetworkMembership, Place

__all__ = [
    "NetworkMembershipViewSet",
    "PlaceViewSet",
    "browse",
    "hub_detail",
    "network_detail",
    "place_pick",
]


class PlaceViewSet(ModelViewSet):
    model = Place
    form_class = PlaceForm
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
    def filter_queryset(cls, queryset, request):
        text = request.GET.get("q", "").strip()
        if text:
            queryset = queryset.filter(
                Q(name__icontains=text) | Q(code__iexact=text) | Q(pcode__iexact=text)
            )
        depth = request.GET.get("depth", "")
        if depth.isdigit():
            queryset = queryset.filter(depth=int(depth))
        return queryset

    @classmethod
    def filter_context(cls, request):
        return {"searchable": True}

    @classmethod
    def initial(cls, request):
        parent = request.GET.get("parent", "")
        return {"parent": parent} if parent.isdigit() else {}

    @classmethod
    def detail_context(cls, request, place):
        user = request.user
        try:
            children = keyset_page(
                selectors.children_of(place, user),
                ordering=("name", "pk"),
                size=100,
                after=request.GET.get("after"),
                before=request.GET.get("before"),
            )
        except InvalidCursor as exc:
            raise Http404 from exc
        names = selectors.level_names(place.country_code)
        return {
            "crumbs": selectors.breadcrumb(place, user),
            "children": children,
            "level": selectors.level_name(place, names),
            "child_level": names.get(place.depth + 1, ""),
            "hubs": selectors.hubs_of(place),
            "memberships": selectors.memberships_of(place, user)[:50],
            "successors": selectors.successors_of(place, user),
            "can_add_child": can(user, "add", Place, place),
        }

    create_action = do_create_place
    update_action = do_update_place

    @classmethod
    def delete(cls, obj, *, acting_user):
        do_delete_place(obj, acting_user=acting_user)


class NetworkMembershipViewSet(ModelViewSet):
    model = NetworkMembership
    form_class = NetworkMembershipForm
    title = _("Network memberships")
    url_prefix = "memberships/"
    ordering = ("place_path", "pk")
    list_select_related = ("place", "network")
    search_fields = ("place__name", "network__name")
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
def place_pick(request):
    """Matches for the place picker widget: radio buttons, within the form's scope."""
    field = request.GET.get("field", "")
    action = request.GET.get("action", "add")
    try:
        model = apps.get_model(request.GET.get("model", ""))
    except (LookupError, ValueError) as exc:
        raise Http404 from exc
    if action not in {"add", "change"} or not field.isidentifier():
        raise Http404
    text = request.GET.get(f"{field}__search", "").strip()
    matches = (
        places_for(request.user, action, model).search(text).order_by("depth", "name")[:20]
        if len(text) >= 2
        else []
    )
    return render(
        request,
        "places/_pick_results.html",
        {
            "field": field,
            "matches": matches,
            "text": text,
        },
    )
