"""Pages for organisations, people and posts, the 3W view and its exports, personal-data
requests and the bulk import. Views parse input, call a selector or action, render."""

from __future__ import annotations

import json
import secrets
from typing import TYPE_CHECKING, Any, Literal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from bridgework.access.policy import Sight, can, permits, scoped_prefetch, sight_for
from bridgework.core.tabular import TableReadError, read_table, safe_filename, tabular_response
from bridgework.places.maps import MapEntry, PlaceMap, any_shape_within, map_of
from bridgework.places.selectors import (
    default_hub_for,
    file_name_part,
    level_names,
    place_reference,
)
from bridgework.web.viewsets import Column, ModelViewSet, RecordPage

from . import selectors
from .actions import do_erase_person, do_save_organisation, do_save_person, do_save_post
from .choices import theme_label
from .filters import (
    OrganisationFilterSet,
    PersonFilterSet,
    PostFilterSet,
    SectorMatrixFilterSet,
    ThreeWFilterSet,
)
from .forms import (
    ImportForm,
    OrganisationForm,
    PersonForm,
    PostForm,
)
from .importers import (
    ActorImportError,
    ImportChanged,
    apply_import,
    bad_rows_table,
    plan_import,
)
from .models import Organisation, Person, Post

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

__all__ = [
    "OrganisationViewSet",
    "PersonViewSet",
    "PostViewSet",
    "import_bad_rows",
    "import_confirm",
    "import_upload",
    "ErasePage",
    "PersonalDataPage",
    "popolo_json",
    "sector_matrix",
    "three_w",
    "three_w_export",
    "contact_column",
    "current_posts",
]

HIDDEN = gettext_lazy("hidden")


def _themes(org: Organisation) -> str:
    # ``listed_themes``: what the list attached (the names in the reader's language).
    listed = getattr(org, "listed_themes", None)
    if listed is None:
        return ", ".join(str(theme) for theme in org.themes.all())
    return listed


class _ListedPerson(selectors.ContactFlag):
    """What a row of the people list carries besides its fields (see base_queryset)."""

    visible_posts: list[Post]


def current_posts(person: WithAnnotations[Person, _ListedPerson], sight: Sight) -> str:
    return "; ".join(
        f"{p.title}, {sight.name(p.organisation)}"
        for p in person.visible_posts
        if p.ends_on is None
    )


def contact_column(attr: str):
    """A contact column: the value only for those holding ``view_contacts`` on the person."""

    def value(person: WithAnnotations[Person, _ListedPerson]) -> str:
        return getattr(person, attr) if person.can_see_contacts else ""

    return value


class OrganisationViewSet(ModelViewSet):
    model = Organisation
    form_class = OrganisationForm
    filterset_class = OrganisationFilterSet
    title = gettext_lazy("Organisations")
    url_prefix = "organisations/"
    ordering = ("name", "pk")
    list_template = "actors/organisation_list.html"
    detail_template = "actors/organisation_detail.html"
    columns = [
        Column("name", gettext_lazy("Name")),
        Column("short_name", gettext_lazy("Short name")),
        Column("get_sector_display", gettext_lazy("Sector")),
        Column("get_level_display", gettext_lazy("Level")),
        Column("place.name", gettext_lazy("Based in")),
        Column(_themes, gettext_lazy("Activities")),
    ]

    @classmethod
    def list_queryset(cls, queryset):
        # The columns the list shows (and the scope, log and sight read); places and themes
        # are attached to the page's rows rather than joined: without the join SQLite reads a
        # wide reader's page by name from ``org_depth0/1_name`` (decision 0015), a narrower
        # reader's subtree from ``org_path_tlp_name``, and only the page's rows.
        return queryset.only(
            "pk", "name", "short_name", "sector", "level", "place_id", "place_path", "tlp"
        )

    @classmethod
    def attach_listed(cls, rows):
        selectors.attach_places(rows)
        names = selectors.theme_links(rows, "name")
        # Each theme translated once a page, not once a row.
        labels = {name: theme_label(name) for name in set().union(*names.values())}
        for org in rows:
            vars(org)["listed_themes"] = ", ".join(labels[name] for name in names[org.pk])

    @classmethod
    def filter_context(cls, request):
        return {"can_import": can(request.user, "add", Organisation)}

    @classmethod
    def detail_context(cls, request, org):
        user = request.user
        visible = Organisation.objects.visible_to(user, "view")
        posts = list(
            Post.objects.visible_to(user, "view")
            .filter(organisation=org)
            .select_related("person")
            .order_by("ends_on", "person__full_name")[:100]
        )
        sight_for(user).preload(post.person for post in posts)
        return {
            "parent": visible.filter(pk=org.parent_id).first() if org.parent_id else None,
            "children": visible.filter(parent=org).order_by("name")[:50],
            "areas": org.areas.select_related("place").order_by("place_path")[:200],
            "themes": org.themes.all(),
            "posts": posts,
            "can_add_post": can(user, "add", Post, org.place),
        }

    @classmethod
    def create(cls, form, *, acting_user):
        return do_save_organisation(
            form.save(commit=False),
            acting_user=acting_user,
            areas=form.cleaned_data["areas_text"],
            save_related=form.save_m2m,
        )

    update = create


# --- personal data requests: pages of a person with their own actions ------------------------


class PersonalDataPage(RecordPage):
    """Everything held on a person, as JSON (a data-protection request)."""

    action = "export_personal"

    def get(self, request, **kwargs):
        person = self.get_object()
        body = json.dumps(
            selectors.personal_data(person, request.user),
            cls=DjangoJSONEncoder,
            indent=2,
            ensure_ascii=False,
        )
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="person-{person.pk}.json"'
        return response


class ErasePage(RecordPage):
    """Confirm, then erase a person's personal data everywhere."""

    action = "erase"

    def get(self, request, **kwargs):
        return render(request, "actors/person_erase.html", {"object": self.get_object()})

    def post(self, request, **kwargs):
        person = self.get_object()
        do_erase_person(person, acting_user=request.user)
        messages.success(request, _("The person's personal data has been erased."))
        return redirect(person.get_absolute_url())


class PersonViewSet(ModelViewSet):
    model = Person
    form_class = PersonForm
    filterset_class = PersonFilterSet
    extra_pages = {
        "export_personal": ("<int:pk>/personal-data/", PersonalDataPage),
        "erase": ("<int:pk>/erase/", ErasePage),
    }
    title = gettext_lazy("People")
    url_prefix = "people/"
    ordering = ("full_name", "pk")
    list_select_related = ("place",)
    detail_template = "actors/person_detail.html"
    columns = [
        Column("full_name", gettext_lazy("Name")),
        Column("place.name", gettext_lazy("Place")),
        Column(current_posts, gettext_lazy("Current posts"), needs_sight=True),
        Column(contact_column("email"), gettext_lazy("Email")),
        Column(contact_column("phone"), gettext_lazy("Phone")),
    ]

    @classmethod
    def columns_for(cls, request):
        """No contact columns for someone who may see no one's contacts."""
        if can(request.user, "view_contacts", Person):
            return cls.columns
        return cls.columns[:3]

    @classmethod
    def base_queryset(cls, request):
        posts = Post.objects.select_related("organisation").order_by("pk")
        return selectors.with_contact_flag(Person.objects.all(), request.user).prefetch_related(
            scoped_prefetch("posts", request.user, queryset=posts, to_attr="visible_posts")
        )

    @classmethod
    def detail_context(cls, request, person):
        user = request.user
        flagged = selectors.with_contact_flag(Person.objects.filter(pk=person.pk), user).get()
        posts = list(
            Post.objects.visible_to(user, "view")
            .filter(person=person)
            .select_related("organisation", "place")
            .order_by("ends_on", "pk")
        )
        sight_for(user).preload(post.organisation for post in posts)
        return {
            "can_see_contacts": flagged.can_see_contacts,
            "posts": posts,
            "can_export_personal": permits(user, "export_personal", person),
            "can_erase": not person.is_erased and permits(user, "erase", person),
            "can_add_post": not person.is_erased and can(user, "add", Post),
        }

    @classmethod
    def create(cls, form, *, acting_user):
        return do_save_person(form.save(commit=False), acting_user=acting_user)

    update = create


class PostViewSet(ModelViewSet):
    model = Post
    form_class = PostForm
    filterset_class = PostFilterSet
    title = gettext_lazy("Posts")
    url_prefix = "posts/"
    ordering = ("place_path", "organisation_id", "pk")
    list_select_related = ("person", "organisation", "place")
    columns = [
        Column("person.full_name", gettext_lazy("Person")),
        Column("title", gettext_lazy("Title")),
        Column("organisation.name", gettext_lazy("Organisation")),
        Column("place.name", gettext_lazy("Place")),
        Column("starts_on", gettext_lazy("From")),
        Column("ends_on", gettext_lazy("Until")),
    ]
    detail_fields = [
        ("person", gettext_lazy("Person")),
        ("title", gettext_lazy("Title")),
        ("organisation", gettext_lazy("Organisation")),
        ("place", gettext_lazy("Place")),
        ("starts_on", gettext_lazy("From")),
        ("ends_on", gettext_lazy("Until")),
        ("is_current", gettext_lazy("Current")),
    ]

    @classmethod
    def initial(cls, request):
        return {
            key: request.GET[key]
            for key in ("person", "organisation")
            if request.GET.get(key, "").isdigit()
        }

    @classmethod
    def create(cls, form, *, acting_user):
        return do_save_post(form.save(commit=False), acting_user=acting_user)

    update = create


# --- the 3W view ---------------------------------------------------------------------------------

# What a filter form sends besides the filters (the picker's typed text and its marker) and
# what only the exports read: none of it belongs in a canonical 3W address.
_NOT_FILTERS = ("place__search", "place__picked", "format")


def _three_w_filters(
    request, filterset_class: type[ThreeWFilterSet] = ThreeWFilterSet
) -> tuple[ThreeWFilterSet, selectors.OrgFilters | None]:
    """The 3W filters of the request: 404 for a place out of reach, 403 for no place at all;
    None when the form has errors (a place nobody has, a hub that is not the user's), which
    the page then shows rather than quietly showing some other place."""
    filterset = filterset_class(request.GET or None, request=request)
    if filterset.names_unknown_record():
        raise Http404
    filters = filterset.org_filters()
    if filters is None and not filterset.form.errors:
        raise PermissionDenied
    return filterset, filters


def _canonical_query(given: QueryDict, filters: selectors.OrgFilters) -> QueryDict:
    """The filters ``given`` with the area named as people read it: the place's code (or
    name), or the hub's short name; never an internal number."""
    query = given.copy()
    for key in ("place", "hub", *_NOT_FILTERS):
        query.pop(key, None)
    if filters.place is not None:
        query["place"] = place_reference(filters.place)
    elif filters.hub is not None:
        query["hub"] = filters.hub.slug
    return query


def _same_query(one: QueryDict, other: QueryDict) -> bool:
    return sorted(one.lists()) == sorted(other.lists())


def _organisations_query(filters: selectors.OrgFilters) -> str:
    """The organisation list's filter for the same area: working at the place or below it;
    based in the hub's places."""
    query = QueryDict(mutable=True)
    if filters.place is not None:
        query["works_in"] = place_reference(filters.place)
    elif filters.hub is not None:
        query["hub"] = filters.hub.slug
    return query.urlencode()


def _file_part(filters: selectors.OrgFilters) -> str:
    if filters.place is not None:
        return file_name_part(filters.place)
    assert filters.hub is not None
    return filters.hub.slug


def _invalid_filters(request, template: str, filterset: ThreeWFilterSet, **context):
    return render(
        request,
        template,
        {"form": filterset.form, "report": None, "can_export": False, **context},
        status=400,
    )


def _three_w_map(request, filters: selectors.OrgFilters) -> PlaceMap | None:
    """The places one level below the area (a hub's own places), shaded by the organisations
    the reader may see working in each, each leading to its own 3W; the area's outline."""
    if not any_shape_within(filters.paths):
        return None  # no counts to compute for a map that would not be drawn
    matrix = selectors.sector_matrix(request.user, filters)
    entries: dict[int, MapEntry] = {}
    if filters.place is not None:
        entries[filters.place.pk] = MapEntry(filters.place.name, focus=True)
    url = reverse("actors:three_w")
    for row in matrix.rows:
        label = ngettext(
            "%(place)s: %(count)s organisation", "%(place)s: %(count)s organisations", row.total
        ) % {"place": row.place.name, "count": row.total}
        entries[row.place.pk] = MapEntry(
            label, f"{url}?{urlencode({'place': row.reference})}", count=row.total
        )
    return map_of(
        request.user,
        entries,
        dom_id="three-w-map",
        label=_("Map of organisations working in %(area)s") % {"area": filters.area_name},
        caption=_(
            "Darker places have more organisations working in them; select one to see its own "
            "who does what where."
        ),
    )


@login_required
def three_w(request):
    """Who does what where below a place (or across a hub): counts, missing sectors and
    crowded places."""
    if not can(request.user, "view", Organisation):
        raise PermissionDenied
    filterset, filters = _three_w_filters(request)
    if filters is None:
        return _invalid_filters(request, "actors/three_w.html", filterset)
    query = _canonical_query(request.GET, filters)
    if request.GET and not _same_query(query, request.GET):
        return redirect(f"{request.path}?{query.urlencode()}")
    # The canonical address's own (valid) form is the one to show; only the bare address,
    # which fills in the user's place, needs a form of its own.
    form = filterset.form if request.GET else ThreeWFilterSet(query, request=request).form
    return render(
        request,
        "actors/three_w.html",
        {
            "form": form,
            "report": selectors.three_w(request.user, filters),
            "map": _three_w_map(request, filters),
            "query": query.urlencode(),
            "area_query": _canonical_query(QueryDict(), filters).urlencode(),
            "orgs_query": _organisations_query(filters),
            "my_hub": default_hub_for(request.user),
            "can_export": can(request.user, "export", Organisation),
        },
    )


@login_required
def three_w_export(request):
    """The 3W rows as HXL-tagged CSV (header row, then hashtags) or XLSX."""
    if not can(request.user, "export", Organisation):
        raise PermissionDenied
    filterset, filters = _three_w_filters(request)
    if filters is None:
        return _invalid_filters(request, "actors/three_w.html", filterset)
    rows = selectors.hxl_rows(request.user, filters)
    labels = [label for label, _tag in selectors.HXL_COLUMNS]
    tags = [tag for _label, tag in selectors.HXL_COLUMNS]
    fmt: Literal["csv", "xlsx"] = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    return tabular_response(
        labels,
        rows,
        fmt=fmt,
        filename=f"3w-{_file_part(filters)}.{fmt}",
        sheet_title="3W",
        preamble_rows=[tags],  # HXL: the hashtag row comes right after the header
    )


@login_required
def popolo_json(request):
    """Organisations, people, posts and memberships below a place, as Popolo JSON."""
    if not can(request.user, "export", Organisation):
        raise PermissionDenied
    filterset, filters = _three_w_filters(request)
    if filters is None:
        return _invalid_filters(request, "actors/three_w.html", filterset)
    response = JsonResponse(
        selectors.popolo(request.user, filters), json_dumps_params={"ensure_ascii": False}
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{safe_filename(f"popolo-{_file_part(filters)}.json")}"'
    )
    return response


def _row_choices(filters: selectors.OrgFilters) -> list[tuple[int, str]]:
    """The matrix's row levels, named as the country names them (Malawi: region, district,
    city / town council, ward)."""
    first: list[tuple[int, str]] = []
    if filters.place is not None:
        names = level_names(filters.place.country_code)
        base = filters.place.depth
    else:
        names = level_names("")
        hub: Any = filters.hub
        base = min((p.depth for p in hub.places.all()), default=1) - 1
        first = [(1, _("The hub's places"))]
    return first + [
        (n, names.get(base + n) or _("%(n)s levels below") % {"n": n})
        for n in range(len(first) + 1, 5)
    ]


@login_required
def sector_matrix(request):
    """Which places below lack which sectors: the places one, two… levels below a place (or a
    hub's places) × the sectors; exported as CSV or XLSX with ``format``."""
    if not can(request.user, "view", Organisation):
        raise PermissionDenied
    filterset, filters = _three_w_filters(request, SectorMatrixFilterSet)
    if filters is None:
        return _invalid_filters(request, "actors/sector_matrix.html", filterset, matrix=None)
    below = filterset.rows_below()  # type: ignore[attr-defined]
    matrix = selectors.sector_matrix(request.user, filters, below=below)
    row_names = dict(_row_choices(filters))
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"}:
        if not can(request.user, "export", Organisation):
            raise PermissionDenied
        kind: Literal["csv", "xlsx"] = "xlsx" if fmt == "xlsx" else "csv"
        return tabular_response(
            [
                str(row_names.get(below, _("Place"))),
                _("Code"),
                *[str(label) for _value, label in matrix.sectors],
                _("Organisations"),
                _("Sectors missing"),
            ],
            (
                [row.place.name, row.place.code or row.place.pcode, *row.counts]
                + [row.total, row.missing]
                for row in matrix.rows
            ),
            fmt=kind,
            filename=f"sectors-by-place-{_file_part(filters)}-{below}.{kind}",
            sheet_title=str(_("Sectors by place")),
        )
    query = _canonical_query(request.GET, filters)
    if request.GET and not _same_query(query, request.GET):
        return redirect(f"{request.path}?{query.urlencode()}")
    form = SectorMatrixFilterSet(query, request=request).form
    form.fields["below"].widget.choices = _row_choices(filters)
    return render(
        request,
        "actors/sector_matrix.html",
        {
            "form": form,
            "matrix": matrix,
            "row_name": row_names.get(below, _("Place")),
            "query": query.urlencode(),
            "list_query": _list_query(query),
            "can_export": can(request.user, "export", Organisation),
        },
    )


def _list_query(query: QueryDict) -> str:
    """The matrix's filters the organisation list also takes (the place is the row's)."""
    kept = QueryDict(mutable=True)
    for key in ("level", "theme"):
        value = query.get(key)
        if value:
            kept[key] = str(value)
    return kept.urlencode()


# --- bulk import ---------------------------------------------------------------------------------

# The upload between preview and import stays on the server, in the session (kept in the
# database, ended with the session): the rows as read, never trusted back from the browser.
SESSION_KEY = "actors_import"
DECISION_PREFIX = "row-"


def _check_may_import(user, kind: str) -> None:
    model = Organisation if kind == "organisations" else Person
    if not can(user, "add", model):
        raise PermissionDenied


def _stored(request, upload_id: str | None = None) -> dict[str, Any] | None:
    stored = request.session.get(SESSION_KEY)
    if not stored or (upload_id is not None and stored.get("id") != upload_id):
        return None
    _check_may_import(request.user, stored["kind"])
    return stored


def _preview(
    request, stored: dict[str, Any], plan, *, status=200, decisions=None, **extra
) -> HttpResponse:
    for row in plan.rows:
        row.selected = (decisions or {}).get(row.row)
    context = {"form": ImportForm(), "kind": plan.kind, "plan": plan, "upload": stored, **extra}
    return render(request, "actors/import.html", context, status=status)


@login_required
def import_upload(request):
    """Step 1: upload; every row is checked and previewed, nothing is written. Also the page
    an import with bad rows comes back to, offering them as a file."""
    if not (can(request.user, "add", Organisation) or can(request.user, "add", Person)):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form}
    if request.method != "POST":
        stored = _stored(request)
        if stored and stored.get("done") and stored.get("bad"):
            context["finished"] = stored
        return render(request, "actors/import.html", context)
    if not form.is_valid():
        return render(request, "actors/import.html", context, status=400)
    kind = form.cleaned_data["kind"]
    _check_may_import(request.user, kind)
    upload = form.cleaned_data["file"]
    try:
        rows = read_table(upload.read(), upload.name)
    except TableReadError as exc:  # a corrupt spreadsheet is the user's input, not our crash
        why = _("The file could not be read as CSV or XLSX: %(reason)s.") % {"reason": exc}
        context["file_errors"] = [why]
        return render(request, "actors/import.html", context, status=400)
    plan = plan_import(rows, kind, request.user)
    if plan.file_errors:
        request.session.pop(SESSION_KEY, None)
        context["file_errors"] = plan.file_errors
        return render(request, "actors/import.html", context, status=400)
    stored = {
        "id": secrets.token_urlsafe(12),
        "kind": kind,
        "columns": list(rows[0]),
        "rows": rows,
        "fingerprint": plan.fingerprint,
        "name": upload.name,
    }
    request.session[SESSION_KEY] = stored
    return _preview(request, stored, plan)


@login_required
@require_POST
def import_confirm(request):
    """Step 2: check the stored rows again and write the good ones as the user decided, all or
    none."""
    stored = _stored(request, request.POST.get("upload", ""))
    if stored is None or stored.get("done"):
        messages.error(request, _("Nothing to import: upload the file again."))
        return redirect("actors:import_upload")
    decisions = {
        int(key.removeprefix(DECISION_PREFIX)): value
        for key, value in request.POST.items()
        if key.startswith(DECISION_PREFIX) and key.removeprefix(DECISION_PREFIX).isdigit()
    }
    try:
        result = apply_import(
            stored["rows"],
            stored["kind"],
            decisions,
            acting_user=request.user,
            previewed=stored["fingerprint"],
        )
    except ImportChanged as changed:
        stored["fingerprint"] = changed.plan.fingerprint
        request.session.modified = True
        notice = _("The records changed since your preview: check the rows again, then import.")
        return _preview(request, stored, changed.plan, status=409, notice=notice)
    except ActorImportError as refused:
        plan = plan_import(stored["rows"], stored["kind"], request.user)
        return _preview(
            request, stored, plan, status=400, decision_errors=refused.errors, decisions=decisions
        )
    # What is left to fix stays, for its download; the imported rows are no longer kept.
    stored.update(done=True, bad=result.bad, rows=result.to_fix)
    request.session.modified = True
    messages.success(
        request,
        _(
            "Imported: %(created)s created, %(merged)s merged, %(skipped)s skipped; "
            "%(bad)s rows with problems not imported."
        )
        % {
            "created": result.created,
            "merged": result.merged,
            "skipped": result.skipped,
            "bad": result.bad,
        },
    )
    if result.bad:
        return redirect("actors:import_upload")
    request.session.pop(SESSION_KEY, None)
    kind = stored["kind"]
    target = "actors:organisation_list" if kind == "organisations" else "actors:person_list"
    return redirect(reverse(target))


@login_required
def import_bad_rows(request):
    """The rows of the stored upload that cannot be imported, as they were uploaded plus what
    to fix in each (CSV or XLSX), checked again now."""
    stored = _stored(request, request.GET.get("upload", ""))
    if stored is None:
        raise Http404
    plan = plan_import(stored["rows"], stored["kind"], request.user)
    header, rows = bad_rows_table(plan, stored["columns"])
    fmt: Literal["csv", "xlsx"] = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    return tabular_response(
        header, rows, fmt=fmt, filename=f"{stored['kind']}-to-fix.{fmt}", sheet_title=_("To fix")
    )
