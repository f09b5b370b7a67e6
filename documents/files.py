"""Checking an uploaded document before it is stored.

`check_upload` decides what a file is from its content (never its name or the browser's
content type), refuses what the service does not keep, re-encodes photos without their
metadata (a phone photo's EXIF carries where it was taken) and, when `DOCUMENT_SCAN_COMMAND`
is set, hands the file to a virus scanner. `storage_name` gives the stored file a random name.
"""

import contextlib
import io
import os
import re
import shlex
import signal
import subprocess
import tempfile
import uuid
import warnings
import zipfile
import zlib
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_KINDS = "a PDF, a JPEG or PNG image, or a Word document (.docx)"
# For the file input's `accept` attribute: a hint to the browser's file picker, no more.
ACCEPT = ".pdf,.jpg,.jpeg,.png,.docx,application/pdf,image/jpeg,image/png"

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOCX_MAIN_PART_TYPE = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)

# ISO base media "ftyp" brands of HEIF/HEIC images, which iPhones save by default.
HEIF_BRANDS = {
    b"heic",
    b"heix",
    b"hevc",
    b"hevx",
    b"heim",
    b"heis",
    b"hevm",
    b"hevs",
    b"mif1",
    b"msf1",
}

# PDF names that make a document do something when opened or clicked: run a script, start
# a program, carry other files inside it, or act on page and field events (/AA).
PDF_ACTIVE_NAMES = {b"JavaScript", b"Launch", b"EmbeddedFile", b"EmbeddedFiles"}
# Two-letter names turn up by chance in compressed data, so they count only where they are
# used as a dictionary key with a value of their kind: /JS (script) or /JS 12 0 R, /AA << or
# /AA 12 0 R.
PDF_SHORT_KEYS = re.compile(
    rb"/(?:J|#4[aA])(?:S|#53)\s*(?:[(<]|\d+\s+\d+\s+R)"
    rb"|/(?:A|#41)(?:A|#41)\s*(?:<<|\d+\s+\d+\s+R)"
)
PDF_NAME = re.compile(rb"/([^\x00\t\n\x0c\r /()<>\[\]{}%]+)")
PDF_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
PDF_STREAM_START = re.compile(rb"(?<!end)stream\r?\n")
# Streams are inflated a slice at a time; a name split across two slices is caught by
# carrying the end of one into the next.
INFLATE_SLICE = 1024 * 1024
NAME_OVERLAP = 64
# All of a PDF's streams together may inflate to this much before it is refused as too
# complex to check (a small file that inflates to gigabytes is an attack on the server).
PDF_MAX_INFLATED = 512 * 1024 * 1024
# A Word document's parts together may unpack to this much.
DOCX_MAX_UNPACKED = 256 * 1024 * 1024


class FileRefused(ValueError):
    """An upload that will not be stored; `message` is a sentence for the form field."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckedFile:
    kind: str  # "pdf" | "jpeg" | "png" | "docx"
    content_type: str
    extension: str
    data: bytes  # the bytes to store: images re-encoded without their metadata
    inline: bool  # True where a browser may show it in the page (PDF and images)


def check_upload(uploaded_file, *, max_bytes=None):
    """The upload, checked and ready to store, or FileRefused saying why not."""
    limit = settings.DOCUMENT_MAX_BYTES if max_bytes is None else max_bytes
    data = _read(uploaded_file, limit)
    if not data:
        raise FileRefused("The file is empty.")
    checked = _check_content(data)
    _scan(checked.data)
    return checked


def storage_name(checked):
    """A random name to store the file under: never anything the uploader chose."""
    return f"documents/{uuid.uuid4().hex}{checked.extension}"


def _too_large(limit):
    megabytes = limit / (1024 * 1024)
    shown = f"{megabytes:g}" if megabytes >= 1 else f"{megabytes:.2g}"
    return FileRefused(f"The file is too big: the limit is {shown} MB.")


def _read(uploaded_file, limit):
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > limit:
        raise _too_large(limit)
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    if hasattr(uploaded_file, "chunks"):
        parts, total = [], 0
        for chunk in uploaded_file.chunks():
            total += len(chunk)
            if total > limit:
                raise _too_large(limit)
            parts.append(chunk)
        data = b"".join(parts)
    else:
        data = uploaded_file.read(limit + 1)
    if len(data) > limit:
        raise _too_large(limit)
    return data


def _check_content(data):
    if data.startswith(b"%PDF-"):
        return _check_pdf(data)
    if data.startswith(b"\xff\xd8\xff"):
        return _check_image(data, "JPEG")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _check_image(data, "PNG")
    if data.startswith(b"PK\x03\x04"):
        return _check_docx(data)
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise FileRefused(
            "This is an older Word file (.doc) or a password-protected Office file. "
            "Save it as .docx or PDF without a password and upload that."
        )
    if data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS:
        raise FileRefused(
            "This is a HEIC photo, which cannot be stored. Save it as JPEG "
            "(on an iPhone: Settings, Camera, Formats, Most Compatible) and upload that."
        )
    raise FileRefused(f"This kind of file cannot be stored. Upload {ACCEPTED_KINDS}.")


# --- PDF -------------------------------------------------------------------------------------


def _check_pdf(data):
    _refuse_active_pdf(data)
    if b"%%EOF" not in data:
        raise FileRefused("This PDF is incomplete or damaged. Save it again and upload that.")
    for inflated in _inflated_streams(data):
        _refuse_active_pdf(inflated)
    return CheckedFile(
        kind="pdf", content_type="application/pdf", extension=".pdf", data=data, inline=True
    )


def _refuse_active_pdf(chunk):
    for match in PDF_NAME.finditer(chunk):
        name = PDF_HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))
        if name == b"Encrypt":
            raise FileRefused(
                "This PDF is password-protected or encrypted, so it cannot be checked. "
                "Save a copy without a password and upload that."
            )
        if name in PDF_ACTIVE_NAMES:
            raise _active_pdf()
    if PDF_SHORT_KEYS.search(chunk):
        raise _active_pdf()


def _active_pdf():
    return FileRefused(
        "This PDF contains scripts, attachments or automatic actions, which are not allowed. "
        "Print it to a new PDF (or scan it) and upload that."
    )


def _inflated_streams(data):
    """Each Flate-compressed stream's content, a slice at a time. Object streams hold whole
    dictionaries compressed, so one that cannot be inflated here (another filter, or damaged)
    is refused: what it holds could not be checked."""
    total = 0
    for start in PDF_STREAM_START.finditer(data):
        position = start.end()
        end = data.find(b"endstream", position)
        if end == -1:
            end = len(data)
        holds_objects = _is_object_stream(data, start.start())
        inflater = zlib.decompressobj()
        pending = data[position:end]
        carry = b""
        while pending:
            try:
                piece = inflater.decompress(pending, INFLATE_SLICE)
            except zlib.error:
                break  # not Flate data (an image, or another filter)
            pending = inflater.unconsumed_tail
            total += len(piece)
            if total > PDF_MAX_INFLATED:
                raise _too_complex()
            yield carry + piece
            carry = piece[-NAME_OVERLAP:]
            if inflater.eof or not piece:
                break
        if not inflater.eof:
            rest = b""
            with contextlib.suppress(zlib.error):
                rest = inflater.flush()
            if rest:
                yield carry + rest
            if holds_objects:
                raise _too_complex()


def _is_object_stream(data, stream_keyword):
    """Whether the dictionary before this stream keyword says /Type /ObjStm."""
    dictionary = data[max(0, data.rfind(b"obj", 0, stream_keyword)) : stream_keyword]
    names = {
        PDF_HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))
        for match in PDF_NAME.finditer(dictionary)
    }
    return b"ObjStm" in names


def _too_complex():
    return FileRefused("This PDF is too complex to check. Print it to a new PDF and upload that.")


# --- Images ----------------------------------------------------------------------------------


def _check_image(data, expected_format):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[expected_format]) as image:
                width, height = image.size
                if Image.MAX_IMAGE_PIXELS and width * height > Image.MAX_IMAGE_PIXELS:
                    raise _too_many_pixels()
                image.load()
                ImageOps.exif_transpose(image, in_place=True)
                clean = _without_metadata(image, expected_format)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        if isinstance(error, FileRefused):
            raise
        raise FileRefused(
            "This image is damaged or is not really a JPEG or PNG. Save it again and upload that."
        ) from None
    if expected_format == "JPEG":
        return CheckedFile(
            kind="jpeg", content_type="image/jpeg", extension=".jpg", data=clean, inline=True
        )
    return CheckedFile(
        kind="png", content_type="image/png", extension=".png", data=clean, inline=True
    )


def _too_many_pixels():
    return FileRefused(
        "This image has too many pixels to store. Save it at a smaller size and upload that."
    )


def _without_metadata(image, image_format):
    """The pixels alone, re-encoded: no EXIF (with its GPS), XMP, text chunks or ICC profile."""
    if image_format == "JPEG":
        if image.mode not in {"RGB", "L", "CMYK"}:
            image = image.convert("RGB")
        pixels = Image.new(image.mode, image.size)
        pixels.paste(image)
        out = io.BytesIO()
        pixels.save(out, format="JPEG", quality=90)
        return out.getvalue()
    if image.mode not in {"1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"}:
        image = image.convert("RGBA")
    pixels = Image.new(image.mode, image.size)
    if image.mode == "P":
        pixels.putpalette(image.getpalette())
    pixels.paste(image)
    save_options = {}
    if "transparency" in image.info:
        save_options["transparency"] = image.info["transparency"]
    out = io.BytesIO()
    pixels.save(out, format="PNG", **save_options)
    return out.getvalue()


# --- Word ------------------------------------------------------------------------------------


def _check_docx(data):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            if "[Content_Types].xml" not in names or "word/document.xml" not in names:
                raise FileRefused(
                    f"This is a zip file, not a Word document. Upload {ACCEPTED_KINDS}."
                )
            if sum(member.file_size for member in members) > DOCX_MAX_UNPACKED:
                raise FileRefused(
                    "This Word document is too large to check. Save it as PDF and upload that."
                )
            content_types = archive.read("[Content_Types].xml")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError):
        raise FileRefused("This Word document is damaged. Save it again and upload that.") from None
    lowered = content_types.lower()
    has_macros = (
        b"macroenabled" in lowered
        or b"vbaproject" in lowered
        or any(name.lower().endswith("vbaproject.bin") for name in names)
        or any(name.lower().startswith("word/activex/") for name in names)
    )
    if has_macros:
        raise FileRefused(
            "This Word document contains macros, which are not allowed. "
            "Save it as a plain .docx or PDF and upload that."
        )
    if DOCX_MAIN_PART_TYPE.encode() not in content_types:
        raise FileRefused(f"This is not a Word document. Upload {ACCEPTED_KINDS}.")
    return CheckedFile(
        kind="docx", content_type=DOCX_CONTENT_TYPE, extension=".docx", data=data, inline=False
    )


# --- Virus scan ------------------------------------------------------------------------------


def _scan(data):
    command = settings.DOCUMENT_SCAN_COMMAND
    if isinstance(command, str):
        command = shlex.split(command)
    if not command:
        return
    timeout = settings.DOCUMENT_SCAN_TIMEOUT
    could_not_scan = FileRefused(
        "This file could not be checked for viruses just now. Try again in a few minutes."
    )
    try:
        if any("{path}" in part for part in command):
            with tempfile.NamedTemporaryFile(prefix="smd-scan-") as scanned:
                scanned.write(data)
                scanned.flush()
                argv = [part.replace("{path}", scanned.name) for part in command]
                returncode = _run_scanner(argv, b"", timeout)
        else:
            returncode = _run_scanner(command, data, timeout)
    except (OSError, subprocess.SubprocessError):
        raise could_not_scan from None
    if returncode == 1:
        raise FileRefused("This file was refused by the virus scanner.")
    if returncode != 0:
        raise could_not_scan


def _run_scanner(argv, stdin, timeout):
    """The scanner's exit status; one that takes too long is killed with all it started."""
    process = subprocess.Popen(  # noqa: S603 - the operator's setting, no shell
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        process.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise
    except BrokenPipeError:
        # A scanner given a path may not read its input at all.
        process.wait(timeout=timeout)
    return process.returncode
