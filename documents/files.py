"""Checking an uploaded file before it is stored: what kind it really is, from its first bytes,
not from its name or what the browser says. Stored under a random name."""

import secrets
from dataclasses import dataclass

from django.conf import settings

MAX_BYTES = 10 * 1024 * 1024
ACCEPT = ".pdf,.jpg,.jpeg,.png,.docx,application/pdf,image/jpeg,image/png"

# kind: (content type, extension, shown in the browser)
KINDS = {
    "pdf": ("application/pdf", ".pdf", True),
    "jpeg": ("image/jpeg", ".jpg", True),
    "png": ("image/png", ".png", True),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".docx",
        False,
    ),
}
PDF_ACTIVE = (b"/JavaScript", b"/JS", b"/OpenAction", b"/Launch", b"/EmbeddedFile", b"/AA")


class FileRefused(ValueError):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckedFile:
    kind: str
    content_type: str
    extension: str
    data: bytes
    inline: bool


def _kind(data):
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"PK\x03\x04") and b"word/" in data:
        return "docx"
    return None


def check_upload(uploaded_file, *, max_bytes=None):
    limit = max_bytes or getattr(settings, "DOCUMENT_MAX_BYTES", MAX_BYTES)
    if uploaded_file.size == 0:
        raise FileRefused("The file is empty. Choose the file again.")
    if uploaded_file.size > limit:
        raise FileRefused(f"The file is too big: the most is {limit // (1024 * 1024)} MB.")
    data = uploaded_file.read()
    kind = _kind(data)
    if kind is None:
        raise FileRefused("Upload a PDF, a photo (JPEG or PNG) or a Word document (.docx).")
    if kind == "pdf" and any(marker in data for marker in PDF_ACTIVE):
        raise FileRefused(
            "This PDF contains scripts or actions, so it cannot be stored. Print it to a new "
            "PDF or scan it, and upload that."
        )
    content_type, extension, inline = KINDS[kind]
    return CheckedFile(kind, content_type, extension, data, inline)


def storage_name(checked):
    return f"documents/{secrets.token_hex(16)}{checked.extension}"
