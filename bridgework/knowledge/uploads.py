"""What an uploaded file really is, read from its bytes, never from its name.

Accepted: PDF, Word (DOCX, without macros) and the common web images (PNG, JPEG, GIF, WebP).
Everything else is refused — an HTML page renamed ``.pdf``, an SVG (which may hold script),
an executable — as is anything over the size limit, before it is stored."""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

__all__ = ["DEFAULT_MAX_BYTES", "Sniffed", "max_bytes", "sniff"]

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    extension: str


PDF = Sniffed("application/pdf", ".pdf")
DOCX = Sniffed("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx")
PNG = Sniffed("image/png", ".png")
JPEG = Sniffed("image/jpeg", ".jpg")
GIF = Sniffed("image/gif", ".gif")
WEBP = Sniffed("image/webp", ".webp")

ALLOWED_LABEL = "PDF, DOCX, PNG, JPEG, GIF, WebP"


def max_bytes() -> int:
    """The size limit: the setting (tests), else the environment variable, else 10 MB."""
    configured = getattr(settings, "KNOWLEDGE_MAX_UPLOAD_BYTES", None)
    if configured is None:
        configured = os.environ.get("KNOWLEDGE_MAX_UPLOAD_BYTES") or DEFAULT_MAX_BYTES
    return int(configured)


def _docx(upload) -> bool:
    """A Word document is a ZIP holding ``word/document.xml``; one with a macro project is
    refused (a .docm renamed)."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)
    return (
        "[Content_Types].xml" in names
        and "word/document.xml" in names
        and not any(name.lower().endswith("vbaproject.bin") for name in names)
    )


def sniff(upload) -> Sniffed:
    """The checked type of ``upload`` (a Django ``UploadedFile``), or a ValidationError that
    says what is accepted."""
    limit = max_bytes()
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            _("The file is larger than %(limit)s MB.") % {"limit": round(limit / 1024 / 1024, 1)}
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"PK\x03\x04") and _docx(upload):
        return DOCX
    raise ValidationError(
        _("This file is not one of the accepted kinds (%(kinds)s), whatever its name says.")
        % {"kinds": ALLOWED_LABEL}
    )
