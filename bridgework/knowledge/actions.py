"""Every write of the knowledge hub: audited, scope re-checked, events recorded."""

from __future__ import annotations

import secrets
from pathlib import PurePosixPath

from auditlog.context import set_actor
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from bridgework.access.policy import permits
from bridgework.core.actions import do_create_record
from bridgework.core.events import record_event

from .choices import ItemStatus
from .models import KnowledgeAttachment, KnowledgeItem
from .uploads import sniff

__all__ = [
    "do_add_attachment",
    "do_remove_attachment",
    "do_revise_item",
    "do_supersede_item",
]


def do_supersede_item(item: KnowledgeItem, *, acting_user) -> KnowledgeItem:
    """Mark ``item`` superseded because its next version was published (part of that step)."""
    item.status = ItemStatus.SUPERSEDED
    with set_actor(acting_user):
        item.save(update_fields=["status", "updated_at"])
    record_event(item, "superseded", actor=acting_user)
    return item


@transaction.atomic
def do_revise_item(item: KnowledgeItem, *, acting_user) -> KnowledgeItem:
    """A new draft version of ``item`` with its text, themes and labels; the published
    version stays public until the new one is published."""
    if not permits(acting_user, "add", item):
        raise PermissionDenied(_("You may not revise this item."))
    if KnowledgeItem.objects.filter(previous=item).exists():
        raise ValidationError(_("This version has been revised already: revise the newest one."))
    revision = KnowledgeItem(
        kind=item.kind,
        title=item.title,
        summary=item.summary,
        body=item.body,
        evidence=item.evidence,
        language=item.language,
        author_organisation=item.author_organisation,
        place=item.place,
        tlp=item.tlp,
        version=item.version + 1,
        previous=item,
        is_demo=item.is_demo,
    )
    themes = list(item.themes.all())
    about = list(item.about_places.all())
    sectors = item.sectors

    def save_related() -> None:
        revision.themes.set(themes)
        revision.about_places.set(about)
        revision.set_sectors(sectors)

    do_create_record(revision, acting_user=acting_user, save_related=save_related)
    record_event(item, "revised", actor=acting_user, revision=revision.pk)
    return revision


def _stored_name(original: str, extension: str) -> str:
    """The name a download offers: the uploader's, made safe, with the extension of what
    the file really is."""
    stem = PurePosixPath(original.replace("\\", "/")).stem[:150] or "attachment"
    try:
        stem = get_valid_filename(stem)
    except Exception:  # noqa: BLE001 - get_valid_filename refuses names like ".."
        stem = "attachment"
    return f"{stem}{extension}"


@transaction.atomic
def do_add_attachment(item: KnowledgeItem, upload, *, acting_user) -> KnowledgeAttachment:
    """Check ``upload`` by its content and size, store it outside the web root, audited."""
    if not permits(acting_user, "change", item):
        raise PermissionDenied(_("You may not add files to this item."))
    kind = sniff(upload)
    attachment = KnowledgeAttachment(
        item=item,
        token=secrets.token_hex(16),
        name=_stored_name(upload.name or "", kind.extension),
        content_type=kind.content_type,
        size=upload.size,
        uploaded_by=acting_user,
    )
    attachment.file.save(attachment.name, upload, save=False)
    with set_actor(acting_user):
        attachment.save()
    record_event(item, "attachment_added", actor=acting_user, attachment=attachment.name)
    return attachment


@transaction.atomic
def do_remove_attachment(attachment: KnowledgeAttachment, *, acting_user) -> None:
    item = attachment.item
    if not permits(acting_user, "change", item):
        raise PermissionDenied(_("You may not remove files of this item."))
    name = attachment.name
    stored = attachment.file.name
    with set_actor(acting_user):
        attachment.delete()
    record_event(item, "attachment_removed", actor=acting_user, attachment=name)
    transaction.on_commit(lambda: attachment.file.storage.delete(stored))
