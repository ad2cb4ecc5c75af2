"""Pages of the knowledge hub: the items' record pages (ModelViewSet), the search page and
the reading page (open to everyone for public items), attachments in and out."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bridgework.access.policy import (
    access_record,
    log_sensitive_reads,
    permits,
    places_for,
    sight_for,
)
from bridgework.core.tlp import TLP
from bridgework.plans.models import LocalNeed
from bridgework.web.viewsets import Column, ModelViewSet, RecordPage

from .actions import do_add_attachment, do_remove_attachment, do_revise_item
from .filters import KnowledgeItemFilterSet
from .forms import AttachmentForm, KnowledgeItemForm, PeersForm, RecommendationsForm
from .models import KnowledgeAttachment, KnowledgeItem
from .selectors import (
    peers_for,
    readable_items,
    recommendations_for,
    search_items,
    seen_about_places,
    with_seen_about_places,
)
from .text import render_markdown
from .uploads import max_bytes

__all__ = [
    "AttachPage",
    "KnowledgeItemViewSet",
    "download_attachment",
    "peers",
    "recommendations",
    "read_item",
    "remove_attachment",
    "revise_item",
    "search",
]


FORM_OVERHEAD = 64 * 1024  # the multipart envelope and the CSRF token around the file


def _declared_size(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class AttachPage(RecordPage):
    """Add a file to an item (checked by content and size, stored out of the web root)."""

    action = "change"

    def get(self, request, **kwargs):
        item = self.get_object()
        return self.render_page(item, AttachmentForm())

    def post(self, request, **kwargs):
        item = self.get_object()
        if _declared_size(request) > max_bytes() + FORM_OVERHEAD:
            # Refused before the body is read: an oversized upload never reaches the disk.
            problem = _("The file is larger than the limit; nothing was stored.")
            return self.render_page(item, AttachmentForm(), status=413, problem=problem)
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                do_add_attachment(item, form.cleaned_data["file"], acting_user=request.user)
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                messages.success(request, _("The file is attached."))
                return redirect(item.get_absolute_url())
        return self.render_page(item, form, status=400)

    def render_page(self, item, form, status=200, problem=""):
        return render(
            request=self.request,
            template_name="knowledge/attach.html",
            context=self.context(object=item, form=form, problem=problem),
            status=status,
        )


def _sector_names(item: KnowledgeItem) -> str:
    return ", ".join(item.sector_labels())


def _about_names(item: KnowledgeItem) -> str:
    # Only the about-places prefetched for the reader (``with_seen_about_places``).
    return ", ".join(place.name for place in getattr(item, "seen_about_places", []))


class KnowledgeItemViewSet(ModelViewSet):
    model = KnowledgeItem
    form_class = KnowledgeItemForm
    filterset_class = KnowledgeItemFilterSet
    title = gettext_lazy("Knowledge items")
    url_prefix = "items/"
    ordering = ("title", "-version", "pk")
    list_select_related = ("place",)
    columns = [
        Column("title", gettext_lazy("Title")),
        Column("get_kind_display", gettext_lazy("Kind")),
        Column("place.name", gettext_lazy("From")),
        Column("get_language_display", gettext_lazy("Language")),
        Column("get_evidence_display", gettext_lazy("Evidence")),
        Column("get_status_display", gettext_lazy("Status")),
        Column(_sector_names, gettext_lazy("Sectors")),
        Column(_about_names, gettext_lazy("About")),
    ]
    detail_template = "knowledge/item_detail.html"
    extra_pages = {"attach": ("<int:pk>/files/add/", AttachPage)}

    @classmethod
    def base_queryset(cls, request):
        items = KnowledgeItem.objects.prefetch_related("themes", "attachments")
        return with_seen_about_places(items, request.user)

    @classmethod
    def detail_context(cls, request, item):
        user = request.user
        sight = sight_for(user)
        sight.preload([item.author_organisation])
        revision = KnowledgeItem.objects.visible_to(user).filter(previous=item).first()
        previous = (
            KnowledgeItem.objects.visible_to(user).filter(pk=item.previous_id).first()
            if item.previous_id
            else None
        )
        return {
            "body_html": render_markdown(item.body),
            "themes": list(item.themes.all()),
            "about_places": seen_about_places(user, item),
            "author": sight.shown(item.author_organisation),
            "attachments": list(item.attachments.all()),
            "can_attach": permits(user, "change", item),
            "can_revise": revision is None and permits(user, "add", item),
            "revision": revision,
            "previous": previous,
        }


def search(request):
    """Ranked search with filters and counts; open to everyone (who then finds only public
    items). htmx swaps the results as one types; without JavaScript the form submits."""
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    results = search_items(request, request.GET, page=page)
    filterset = results.filterset
    if filterset.is_bound and not filterset.is_valid() and filterset.names_unknown_record():
        raise Http404
    template = "knowledge/_results.html" if request.htmx else "knowledge/search.html"
    return render(request, template, {"results": results, "filterset": results.filterset})


def _readable(request, pk: int) -> KnowledgeItem:
    try:
        item = readable_items(request.user).select_related("place").get(pk=pk)
    except (KnowledgeItem.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    log_sensitive_reads(request.user, [item], channel="page")
    return item


def _author(sight, item: KnowledgeItem):
    """The author organisation as this reader may see it: a CLEAR one is public."""
    organisation = item.author_organisation
    if organisation is not None and organisation.tlp == TLP.CLEAR:
        return organisation
    return sight.shown(organisation)


def read_item(request, pk: int):
    """An item to read: its text rendered, its files, its versions (public items for anyone)."""
    item = _readable(request, pk)
    readable = readable_items(request.user)
    sight = sight_for(request.user)
    return render(
        request,
        "knowledge/read.html",
        {
            "object": item,
            "body_html": render_markdown(item.body),
            "themes": list(item.themes.all()),
            "about_places": seen_about_places(request.user, item),
            "author": _author(sight, item),
            "attachments": list(item.attachments.all()),
            "revision": readable.filter(previous=item).first(),
            "previous": readable.filter(pk=item.previous_id).first() if item.previous_id else None,
            "can_manage": request.user.is_authenticated and permits(request.user, "view", item),
        },
    )


def download_attachment(request, pk: int, attachment_pk: int):
    """A file of an item the reader may read, as a download that no browser renders in the
    site's origin: attachment disposition, the checked type, nosniff, a sandboxing CSP."""
    item = _readable(request, pk)
    attachment = get_object_or_404(KnowledgeAttachment, item=item, pk=attachment_pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def remove_attachment(request, pk: int, attachment_pk: int):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    item = access_record(request.user, KnowledgeItem, pk, "change")
    attachment = get_object_or_404(KnowledgeAttachment, item=item, pk=attachment_pk)
    do_remove_attachment(attachment, acting_user=request.user)
    messages.success(request, _("The file is removed."))
    return redirect(item.get_absolute_url())


@require_POST
def revise_item(request, pk: int):
    """Start the next version of an item (a draft copy), then edit it."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    item = access_record(request.user, KnowledgeItem, pk, "add")
    try:
        with transaction.atomic():
            revision = do_revise_item(item, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(item.get_absolute_url())
    except PermissionDenied:
        raise
    messages.success(
        request, _("Version %(version)s is a draft: edit it.") % {"version": revision.version}
    )
    return redirect("knowledge:knowledgeitem_edit", revision.pk)


def _first_place(user):
    """The reader's own place (the first where they read needs), for a first answer."""
    return places_for(user, "view", LocalNeed).order_by("depth", "path").last()


@login_required
def recommendations(request):
    """What answered, elsewhere, the needs a place has: items ranked by how many places they
    served, each with the reason."""
    data = request.GET.copy()
    if not data.get("place"):
        default = _first_place(request.user)
        if default is not None:
            data["place"] = str(default.pk)
    form = RecommendationsForm(data or None, user=request.user)
    found = recommendations_for(request.user, form.cleaned_data["place"]) if form.is_valid() else []
    return render(
        request,
        "knowledge/recommendations.html",
        {
            "form": form,
            "recommendations": found,
            "place": form.cleaned_data.get("place") if form.is_valid() else None,
        },  # fmt: skip
    )


@login_required
def peers(request):
    """Who has practice on a theme: places, their organisations and whom to call."""
    form = PeersForm(request.GET or None)
    found = peers_for(request.user, form.cleaned_data) if form.is_valid() else []
    return render(request, "knowledge/peers.html", {"form": form, "peers": found})
