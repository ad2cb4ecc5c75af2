"""Attachments: checked by content and size, stored out of the web root, handed out only to
readers of their item, as downloads no browser renders in the site's origin."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.core.tlp import TLP
from bridgework.knowledge.choices import ItemStatus
from bridgework.knowledge.factories import KnowledgeItemFactory
from bridgework.knowledge.models import KnowledgeAttachment
from bridgework.places.factories import PlaceFactory, root_place

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def _docx(macro: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        if macro:
            archive.writestr("word/vbaProject.bin", b"\x00macro")
    return buffer.getvalue()


@pytest.fixture
def setup(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KNOWLEDGE_MAX_UPLOAD_BYTES = 4096
    city = PlaceFactory(name="Lilongwe City", parent=root_place())
    other = PlaceFactory(name="Blantyre City", parent=root_place())
    writer = UserFactory()
    RoleAssignmentFactory(user=writer, role="local_coordinator", place=city)
    outsider = UserFactory()
    RoleAssignmentFactory(user=outsider, role="local_coordinator", place=other)
    item = KnowledgeItemFactory(place=city, tlp=TLP.GREEN)
    client = Client()
    client.force_login(writer)
    return {"item": item, "writer": client, "outsider": outsider, "media": tmp_path / "media"}


def _upload(client, item, name, content):
    return client.post(
        reverse("knowledge:knowledgeitem_attach", args=[item.pk]),
        {"file": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("report.pdf", PDF, "application/pdf"),
        ("photo.png", PNG, "image/png"),
        ("photo.pdf", PNG, "image/png"),  # a real image misnamed keeps its real type
        (
            "guide.docx",
            _docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_accepted_files_are_stored_outside_the_web_root_and_downloaded_safely(
    setup, name, content, content_type
):
    item = setup["item"]
    response = _upload(setup["writer"], item, name, content)
    assert response.status_code == 302
    attachment = KnowledgeAttachment.objects.get(item=item)
    assert attachment.content_type == content_type
    assert str(setup["media"]) in attachment.file.path
    assert name not in attachment.file.name  # the stored name is ours
    download = setup["writer"].get(
        reverse("knowledge:attachment_download", args=[item.pk, attachment.pk])
    )
    assert download.status_code == 200
    assert download["Content-Type"] == content_type
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]
    assert b"".join(download.streaming_content) == content


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", HTML),  # HTML renamed
        ("logo.svg", SVG),  # SVG with script
        ("logo.png", SVG),  # SVG renamed as an image
        ("macro.docx", _docx(macro=True)),  # a macro document renamed
        ("archive.docx", b"PK\x03\x04not really a zip"),
        ("big.pdf", PDF + b"x" * 5000),  # over the limit
        ("empty.pdf", b""),
    ],
)
def test_hostile_and_oversized_files_are_refused(setup, name, content):
    response = _upload(setup["writer"], setup["item"], name, content)
    assert response.status_code == 400
    assert not KnowledgeAttachment.objects.exists()
    assert not setup["media"].exists() or not any(setup["media"].rglob("*.*"))


def test_files_are_read_only_with_their_item(setup, django_capture_on_commit_callbacks):
    item = setup["item"]
    _upload(setup["writer"], item, "report.pdf", PDF)
    attachment = KnowledgeAttachment.objects.get()
    url = reverse("knowledge:attachment_download", args=[item.pk, attachment.pk])
    outsider = Client()
    outsider.force_login(setup["outsider"])
    assert outsider.get(url).status_code == 404
    assert Client().get(url).status_code == 404
    assert (
        outsider.get(reverse("knowledge:knowledgeitem_attach", args=[item.pk])).status_code == 404
    )
    # Once the item is public, anyone downloads it.
    item.tlp, item.status = TLP.CLEAR, ItemStatus.PUBLISHED
    item.save()
    assert Client().get(url).status_code == 200
    # Removing: only who may change the item; the file goes too.
    remove = reverse("knowledge:attachment_remove", args=[item.pk, attachment.pk])
    assert outsider.post(remove).status_code in (403, 404)
    path = Path(attachment.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        response = setup["writer"].post(remove)
    assert response.status_code == 302
    assert not KnowledgeAttachment.objects.exists() and not path.exists()


def test_a_body_larger_than_the_limit_is_refused_before_it_is_read(setup):
    response = _upload(setup["writer"], setup["item"], "huge.pdf", PDF + b"x" * 200_000)
    assert response.status_code == 413
    assert b"larger than the limit" in response.content
    assert not KnowledgeAttachment.objects.exists()
