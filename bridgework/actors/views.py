"""Pages for organisations, people and posts, the 3W view and its exports, personal-data
requests and the bulk import. Views parse input, call a selector or action, render."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Literal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bridgework.access.policy import Sight, can, permits, scoped_prefetch, sight_for
from bridgework.core.tabular import TableReadError, read_table, tabular_response
from bridgework.web.viewsets import Column, ModelViewSet, RecordPage

from . import selectors
from .actions import do_erase_person, do_save_organisation, do_save_person, do_save_post
from .filters import OrganisationFilterSet, PersonFilterSet, PostFilterSet, ThreeWFilterSet
from .forms import (
    ImportForm,
    OrganisationForm,
    PersonForm,
    PostForm,
)
from .importers import ActorImportError, apply_import, plan_import
from .models import Organisation, Person, Post

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

__all__ = [
    "OrganisationViewSet",
    "PersonViewSet",
    "PostViewSet",
    "import_confirm",
    "import_upload",
    "ErasePage",
    "PersonalDataPage",
    "popolo_json",
    "three_w",
    "three_w_export",
]

HIDDEN = gettext_lazy("hidden")


def _themes(org: Organisation) -> str:
    return ", ".join(theme.name for theme in org.themes.all())


class _ListedPerson(selectors.ContactFlag):
    """What a row of the people list carries besides its fields (see base_queryset)."""

    visible_posts: list[Post]


def _current_posts(person: WithAnnotations[Person, _ListedPerson], sight: Sight) -> str:
    return "; ".join(
        f"{p.title}, {sight.name(p.organisation)}"
        for p in person.visible_posts
        if p.ends_on is None
    )


def _contact(attr: str):
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
    list_select_related = ("place",)
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
    def base_queryset(cls, request):
        return Organisation.objects.prefetch_related("themes")

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
        Column(_current_posts, gettext_lazy("Current posts"), needs_sight=True),
        Column(_contact("email"), gettext_lazy("Email")),
        Column(_contact("phone"), gettext_lazy("Phone")),
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


def _three_w_filters(request) -> tuple[ThreeWFilterSet, selectors.OrgFilters]:
    """The 3W filters of the request: 404 for a place out of reach, 403 for no place at all."""
    filterset = ThreeWFilterSet(request.GET or None, request=request)
    if filterset.names_unknown_record():
        raise Http404
    filters = filterset.org_filters()
    if filters is None:
        raise PermissionDenied
    return filterset, filters


@login_required
def three_w(request):
    """Who does what where below a place: counts, missing sectors and crowded places."""
    if not can(request.user, "view", Organisation):
        raise PermissionDenied
    _filterset, filters = _three_w_filters(request)
    query = request.GET.copy()
    query["place"] = str(filters.place.pk)
    return render(
        request,
        "actors/three_w.html",
        {
            "form": ThreeWFilterSet(query, request=request).form,
            "report": selectors.three_w(request.user, filters),
            "query": query.urlencode(),
            "can_export": can(request.user, "export", Organisation),
        },
    )


@login_required
def three_w_export(request):
    """The 3W rows as HXL-tagged CSV (header row, then hashtags) or XLSX."""
    if not can(request.user, "export", Organisation):
        raise PermissionDenied
    _form, filters = _three_w_filters(request)
    rows = selectors.hxl_rows(request.user, filters)
    labels = [label for label, _tag in selectors.HXL_COLUMNS]
    tags = [tag for _label, tag in selectors.HXL_COLUMNS]
    fmt: Literal["csv", "xlsx"] = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    return tabular_response(
        labels,
        rows,
        fmt=fmt,
        filename=f"3w-{filters.place.pk}.{fmt}",
        sheet_title="3W",
        preamble_rows=[tags],  # HXL: the hashtag row comes right after the header
    )


@login_required
def popolo_json(request):
    """Organisations, people, posts and memberships below a place, as Popolo JSON."""
    if not can(request.user, "export", Organisation):
        raise PermissionDenied
    _form, filters = _three_w_filters(request)
    response = JsonResponse(
        selectors.popolo(request.user, filters), json_dumps_params={"ensure_ascii": False}
    )
    response["Content-Disposition"] = f'attachment; filename="popolo-{filters.place.pk}.json"'
    return response


# --- bulk import ---------------------------------------------------------------------------------

SESSION_KEY = "actors_import"


def _check_may_import(user, kind: str) -> None:
    model = Organisation if kind == "organisations" else Person
    if not can(user, "add", model):
        raise PermissionDenied


@login_required
def import_upload(request):
    """Step 1: upload; the rows are checked and previewed, nothing is written."""
    if not (can(request.user, "add", Organisation) or can(request.user, "add", Person)):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form}
    status = 200
    if request.method == "POST":
        if form.is_valid():
            kind = form.cleaned_data["kind"]
            _check_may_import(request.user, kind)
            upload = form.cleaned_data["file"]
            try:
                rows = read_table(upload.read(), upload.name)
            except TableReadError as exc:  # a corrupt spreadsheet is the user's input
                why = _("The file could not be read as CSV or XLSX: %(reason)s.") % {"reason": exc}
                rows, context["errors"] = [], [why]
                status = 400
            else:
                plan, errors = plan_import(rows, kind, request.user)
                context.update(kind=kind, plan=plan, errors=errors)
                if errors:
                    status = 400
                    request.session.pop(SESSION_KEY, None)
                else:
                    # Parsed rows, not a file: nothing from the user names a path on disk.
                    request.session[SESSION_KEY] = {"kind": kind, "rows": rows}
        else:
            status = 400
    return render(request, "actors/import.html", context, status=status)


@login_required
@require_POST
def import_confirm(request):
    """Step 2: re-check the previewed rows against today's data and write them all, or none."""
    stored = request.session.get(SESSION_KEY)
    if not stored:
        messages.error(request, _("Nothing to import: upload the file again."))
        return redirect("actors:import_upload")
    kind = stored["kind"]
    _check_may_import(request.user, kind)
    try:
        plan = apply_import(stored["rows"], kind, acting_user=request.user)
    except ActorImportError as exc:
        return render(
            request,
            "actors/import.html",
            {"form": ImportForm(), "kind": kind, "errors": exc.errors},
            status=400,
        )
    request.session.pop(SESSION_KEY, None)
    created = sum(1 for p in plan if p.action == "create")
    messages.success(
        request,
        _("Imported: %(created)s created, %(updated)s updated.")
        % {"created": created, "updated": len(plan) - created},
    )
    target = "actors:organisation_list" if kind == "organisations" else "actors:person_list"
    return redirect(reverse(target))
