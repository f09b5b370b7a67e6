"""An upload is judged by its content; photos lose their metadata; active PDFs are refused."""

import io
import re
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, PngImagePlugin
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from weasyprint import HTML

from documents.files import ACCEPT, CheckedFile, FileRefused, check_upload, storage_name

DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def upload(data, name="file.pdf", content_type="application/pdf"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def pdf(*objects):
    """A small PDF whose catalogue is object 1, with the given bodies as objects 1, 2, ..."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


PLAIN_PDF = pdf(
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
)


def jpeg(size=(20, 10), exif=None, **options):
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="JPEG", exif=exif or b"", **options)
    return out.getvalue()


def png(**options):
    out = io.BytesIO()
    Image.new("RGBA", (12, 8), (0, 128, 0, 128)).save(out, format="PNG", **options)
    return out.getvalue()


def docx(main_type=DOCX_MAIN, extra=()):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'content-types"><Override PartName="/word/document.xml" ContentType="{main_type}"/>'
            "</Types>",
        )
        archive.writestr("word/document.xml", "<w:document/>")
        for name in extra:
            archive.writestr(name, b"\x00")
    return out.getvalue()


def gps_exif():
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 12.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (0.0, 7.0, 40.0)
    return exif


# --- What is accepted ------------------------------------------------------------------------


def test_a_pdf_is_accepted_unchanged_and_may_be_shown_inline():
    checked = check_upload(upload(PLAIN_PDF))
    assert checked == CheckedFile(
        kind="pdf", content_type="application/pdf", extension=".pdf", data=PLAIN_PDF, inline=True
    )


def test_a_pdf_made_by_weasyprint_is_accepted():
    data = HTML(string="<h1>Consent</h1><p>Signed.</p>").write_pdf()
    assert check_upload(upload(data)).kind == "pdf"


def test_a_pdf_made_by_pypdf_with_compressed_object_streams_is_accepted():
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": "Letter"})
    out = io.BytesIO()
    writer.write(out)
    assert check_upload(upload(out.getvalue())).kind == "pdf"


def test_a_jpeg_is_accepted_whatever_it_is_called():
    checked = check_upload(upload(jpeg(), name="scan.pdf", content_type="application/pdf"))
    assert (checked.kind, checked.content_type, checked.extension, checked.inline) == (
        "jpeg",
        "image/jpeg",
        ".jpg",
        True,
    )
    assert Image.open(io.BytesIO(checked.data)).format == "JPEG"


def test_a_png_is_accepted_and_keeps_its_transparency():
    checked = check_upload(upload(png(), name="x", content_type="text/plain"))
    assert (checked.kind, checked.content_type, checked.extension) == ("png", "image/png", ".png")
    image = Image.open(io.BytesIO(checked.data))
    assert image.mode == "RGBA"
    assert image.getpixel((0, 0)) == (0, 128, 0, 128)


def test_a_word_document_is_accepted_as_a_download_only():
    data = docx()
    checked = check_upload(upload(data, name="letter.docx", content_type="application/msword"))
    assert checked == CheckedFile(
        kind="docx",
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        extension=".docx",
        data=data,
        inline=False,
    )


def test_a_plain_file_object_is_accepted_too():
    assert check_upload(io.BytesIO(PLAIN_PDF)).data == PLAIN_PDF


# --- Size ------------------------------------------------------------------------------------


def test_an_empty_file_is_refused():
    with pytest.raises(FileRefused) as refused:
        check_upload(upload(b""))
    assert refused.value.message == "The file is empty."


def test_the_default_limit_is_ten_megabytes(settings):
    assert settings.DOCUMENT_MAX_BYTES == 10 * 1024 * 1024


def test_a_file_over_the_setting_is_refused_naming_the_limit(settings):
    settings.DOCUMENT_MAX_BYTES = 2 * 1024 * 1024
    data = PLAIN_PDF + b"%" + b"x" * (2 * 1024 * 1024)
    with pytest.raises(FileRefused) as refused:
        check_upload(upload(data))
    assert refused.value.message == "The file is too big: the limit is 2 MB."


def test_max_bytes_overrides_the_setting():
    with pytest.raises(FileRefused, match="too big"):
        check_upload(upload(PLAIN_PDF), max_bytes=len(PLAIN_PDF) - 1)
    assert check_upload(upload(PLAIN_PDF), max_bytes=len(PLAIN_PDF)).kind == "pdf"


def test_a_file_reporting_a_false_small_size_is_still_measured():
    data = PLAIN_PDF + b"%" + b"x" * 5000
    file = upload(data)
    file.size = 10
    with pytest.raises(FileRefused, match="too big"):
        check_upload(file, max_bytes=len(PLAIN_PDF) + 100)


# --- Forged and unwanted kinds ---------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"<html><script>alert(1)</script></html>",
        b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
        b"#!/bin/sh\nrm -rf /\n",
        b"MZ\x90\x00" + b"\x00" * 60,
        b"GIF89a" + b"\x00" * 20,
        b"plain text",
    ],
)
def test_anything_else_is_refused_whatever_its_name_and_type(data):
    with pytest.raises(FileRefused) as refused:
        check_upload(upload(data, name="consent.pdf", content_type="application/pdf"))
    assert refused.value.message == (
        "This kind of file cannot be stored. "
        "Upload a PDF, a JPEG or PNG image, or a Word document (.docx)."
    )


def test_a_png_header_followed_by_garbage_is_refused():
    data = b"\x89PNG\r\n\x1a\n" + b"garbage" * 50
    with pytest.raises(FileRefused, match="damaged or is not really a JPEG or PNG"):
        check_upload(upload(data, name="photo.png", content_type="image/png"))


def test_a_truncated_jpeg_is_refused():
    with pytest.raises(FileRefused, match="damaged"):
        check_upload(upload(jpeg()[:40], name="photo.jpg", content_type="image/jpeg"))


def test_a_heic_photo_is_refused_asking_for_jpeg():
    data = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 40
    with pytest.raises(FileRefused) as refused:
        check_upload(upload(data, name="IMG_0001.HEIC", content_type="image/heic"))
    assert "HEIC" in refused.value.message
    assert "JPEG" in refused.value.message


def test_a_legacy_word_file_is_refused_asking_for_docx():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500
    with pytest.raises(FileRefused, match=r"\.docx or PDF"):
        check_upload(upload(data, name="letter.doc", content_type="application/msword"))


def test_a_zip_that_is_not_a_word_document_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(FileRefused, match="zip file, not a Word document"):
        check_upload(upload(out.getvalue(), name="letter.docx"))


def test_a_damaged_zip_is_refused():
    with pytest.raises(FileRefused, match="damaged"):
        check_upload(upload(b"PK\x03\x04" + b"\x00" * 100, name="letter.docx"))


def test_a_macro_enabled_word_document_is_refused():
    with pytest.raises(FileRefused, match="macros"):
        check_upload(upload(docx(main_type=DOCM_MAIN), name="letter.docx"))


def test_a_word_document_carrying_a_macro_project_is_refused():
    with pytest.raises(FileRefused, match="macros"):
        check_upload(upload(docx(extra=["word/vbaProject.bin"]), name="letter.docx"))


def test_a_word_template_is_not_taken_for_a_document():
    template = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
    with pytest.raises(FileRefused, match="not a Word document"):
        check_upload(upload(docx(main_type=template), name="letter.docx"))


# --- PDFs with active content ----------------------------------------------------------------


def active(*catalogue_extra, more=()):
    return pdf(
        b"<< /Type /Catalog /Pages 2 0 R " + b" ".join(catalogue_extra) + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        *more,
    )


@pytest.mark.parametrize(
    "data",
    [
        active(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
        active(b"/OpenAction 4 0 R", more=[b"<< /JS (app.alert(1)) >>"]),
        active(b"/OpenAction << /S /Launch /F (cmd.exe) >>"),
        active(b"/Names << /EmbeddedFiles 4 0 R >>", more=[b"<< /Names [] >>"]),
        active(more=[b"<< /Type /EmbeddedFile /Length 0 >>\nstream\n\nendstream"]),
        active(b"/AA << /WC 4 0 R >>", more=[b"<< /S /GoTo /D [3 0 R /Fit] >>"]),
        active(b"/AA 4 0 R", more=[b"<< >>"]),
        active(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>"),
        active(b"/OpenAction<</JS<6170702e616c657274283129>>>"),
    ],
    ids=[
        "javascript",
        "js-key",
        "launch",
        "embedded-files",
        "embedded-file",
        "additional-actions",
        "additional-actions-by-reference",
        "escaped-names",
        "no-spaces",
    ],
)
def test_a_pdf_with_active_content_is_refused(data):
    with pytest.raises(FileRefused) as refused:
        check_upload(upload(data))
    assert "scripts, attachments or automatic actions" in refused.value.message


def test_a_script_hidden_in_a_compressed_object_stream_is_refused():
    hidden = zlib.compress(b"4 0 << /S /JavaScript /JS (app.alert(1)) >>")
    data = active(
        b"/OpenAction 4 0 R",
        more=[
            b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n"
            % len(hidden)
            + hidden
            + b"\nendstream"
        ],
    )
    assert b"JavaScript" not in data
    with pytest.raises(FileRefused, match="scripts"):
        check_upload(upload(data))


@pytest.mark.parametrize(
    "filters, encoded",
    [
        (b"/ASCIIHexDecode", lambda raw: raw.hex().encode() + b">"),
        (b"[/ASCIIHexDecode /FlateDecode]", lambda raw: zlib.compress(raw).hex().encode() + b">"),
    ],
    ids=["hex", "hex-then-flate"],
)
def test_an_object_stream_that_cannot_be_inflated_is_refused(filters, encoded):
    hidden = encoded(b"4 0 << /S /JavaScript /JS (app.alert(1)) >>")
    data = active(
        b"/OpenAction 4 0 R",
        more=[
            b"<< /Type /ObjStm /N 1 /First 4 /Filter %s /Length %d >>\nstream\n"
            % (filters, len(hidden))
            + hidden
            + b"\nendstream"
        ],
    )
    assert b"JavaScript" not in data
    with pytest.raises(FileRefused, match="too complex to check"):
        check_upload(upload(data))


def test_a_script_added_by_pypdf_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_open_action(JavaScript("app.alert('hello');"))
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(FileRefused, match="scripts"):
        check_upload(upload(out.getvalue()))


def test_an_attachment_added_by_pypdf_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_attachment("run.bat", b"echo hello")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(FileRefused, match="attachments"):
        check_upload(upload(out.getvalue()))


def test_an_encrypted_pdf_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(FileRefused, match="password-protected"):
        check_upload(upload(out.getvalue()))


def test_action_names_in_page_text_are_refused_to_be_safe_but_plain_words_are_not():
    content = b"BT /F1 12 Tf (Use JavaScript to /Launch the /AA form) Tj ET"
    data = pdf(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    )
    # Inside a string, "/Launch" is text; the check errs on the side of refusing it.
    with pytest.raises(FileRefused):
        check_upload(upload(data))
    plain = content.replace(b"/Launch", b"launch").replace(b"/AA", b"AA")
    assert check_upload(upload(data.replace(content, plain))).kind == "pdf"


def test_a_script_is_named_as_the_reason_even_in_a_pdf_without_an_end():
    data = b"%PDF-1.7\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj"
    with pytest.raises(FileRefused, match="scripts"):
        check_upload(upload(data))


def test_a_pdf_without_an_end_is_refused():
    with pytest.raises(FileRefused, match="incomplete or damaged"):
        check_upload(upload(PLAIN_PDF[:-10]))


# --- Photos lose their metadata --------------------------------------------------------------


def test_a_jpeg_with_gps_comes_out_with_no_exif_at_all():
    data = jpeg(exif=gps_exif())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    checked = check_upload(upload(data, name="photo.jpg", content_type="image/jpeg"))
    image = Image.open(io.BytesIO(checked.data))
    assert not image.getexif()
    assert "exif" not in image.info
    assert b"Exif" not in checked.data
    assert b"PhoneMaker" not in checked.data


def test_a_jpeg_is_turned_upright_by_its_orientation_before_the_exif_goes():
    checked = check_upload(upload(jpeg(size=(20, 10), exif=gps_exif()), name="photo.jpg"))
    assert Image.open(io.BytesIO(checked.data)).size == (10, 20)


def test_a_jpeg_loses_its_xmp_and_colour_profile_and_comment():
    data = jpeg(
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">where-it-was</x:xmpmeta>',
        icc_profile=b"fake-profile-bytes",
        comment=b"taken at home",
    )
    checked = check_upload(upload(data, name="photo.jpg"))
    assert b"where-it-was" not in checked.data
    assert b"fake-profile-bytes" not in checked.data
    assert b"taken at home" not in checked.data
    assert not re.search(rb"ns\.adobe\.com|ICC_PROFILE", checked.data)


def test_a_png_loses_its_text_chunks_and_exif():
    info = PngImagePlugin.PngInfo()
    info.add_text("Location", "51.5,-0.12")
    info.add_itxt("Comment", "at the hostel", zip=True)
    data = png(pnginfo=info, exif=gps_exif())
    assert b"51.5,-0.12" in data
    checked = check_upload(upload(data, name="photo.png"))
    for chunk in (b"tEXt", b"iTXt", b"zTXt", b"eXIf", b"iCCP"):
        assert chunk not in checked.data
    assert b"51.5,-0.12" not in checked.data


def test_a_palette_png_keeps_its_colours():
    image = Image.new("P", (4, 4))
    image.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    image.putpixel((1, 1), 1)
    out = io.BytesIO()
    image.save(out, format="PNG")
    checked = check_upload(upload(out.getvalue(), name="p.png"))
    clean = Image.open(io.BytesIO(checked.data)).convert("RGB")
    assert clean.getpixel((0, 0)) == (255, 0, 0)
    assert clean.getpixel((1, 1)) == (0, 0, 255)


def test_a_png_keeps_its_transparent_colour():
    image = Image.new("RGB", (4, 4), (255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG", transparency=(255, 255, 255))
    checked = check_upload(upload(out.getvalue(), name="t.png"))
    assert Image.open(io.BytesIO(checked.data)).info["transparency"] == (255, 255, 255)


def test_an_image_with_too_many_pixels_is_refused(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    with pytest.raises(FileRefused, match="too many pixels"):
        check_upload(upload(jpeg(size=(20, 10)), name="photo.jpg"))


# --- Stored names ----------------------------------------------------------------------------


def test_the_stored_name_is_random_and_keeps_only_the_checked_extension():
    checked = check_upload(upload(PLAIN_PDF, name="../../etc/passwd Jane Smith.exe"))
    first, second = storage_name(checked), storage_name(checked)
    assert re.fullmatch(r"documents/[0-9a-f]{32}\.pdf", first)
    assert first != second
    assert "Jane" not in first


# --- The virus scanner -----------------------------------------------------------------------

INFECTED_PDF = PLAIN_PDF.replace(b"%PDF-1.7\n", b"%PDF-1.7\n%EICAR-TEST\n")
FAKE_SCANNER = "sh -c 'grep -q EICAR && exit 1 || exit 0'"


def test_no_scanner_is_run_by_default(settings):
    assert settings.DOCUMENT_SCAN_COMMAND == ""
    assert check_upload(upload(INFECTED_PDF)).kind == "pdf"


def test_a_file_the_scanner_finds_clean_is_accepted(settings):
    settings.DOCUMENT_SCAN_COMMAND = FAKE_SCANNER
    assert check_upload(upload(PLAIN_PDF)).data == PLAIN_PDF


def test_a_file_the_scanner_finds_infected_is_refused(settings):
    settings.DOCUMENT_SCAN_COMMAND = FAKE_SCANNER
    with pytest.raises(FileRefused) as refused:
        check_upload(upload(INFECTED_PDF))
    assert refused.value.message == "This file was refused by the virus scanner."


def test_the_scanner_may_be_given_a_file_path_instead(settings):
    settings.DOCUMENT_SCAN_COMMAND = [
        "sh",
        "-c",
        'grep -q EICAR "$1" && exit 1 || exit 0',
        "scan",
        "{path}",
    ]
    assert check_upload(upload(PLAIN_PDF)).kind == "pdf"
    with pytest.raises(FileRefused, match="refused by the virus scanner"):
        check_upload(upload(INFECTED_PDF))


def test_the_scanner_sees_the_photo_that_will_be_stored(settings, tmp_path):
    seen = tmp_path / "seen"
    settings.DOCUMENT_SCAN_COMMAND = ["sh", "-c", f"cat > {seen}"]
    checked = check_upload(upload(jpeg(exif=gps_exif()), name="photo.jpg"))
    assert seen.read_bytes() == checked.data


@pytest.mark.parametrize(
    "command",
    ["sh -c 'exit 2'", "/nonexistent/scanner", "sh -c 'sleep 30; true'"],
    ids=["scanner-error", "scanner-missing", "scanner-too-slow"],
)
def test_a_file_that_could_not_be_scanned_is_refused_asking_to_try_again(settings, command):
    settings.DOCUMENT_SCAN_COMMAND = command
    settings.DOCUMENT_SCAN_TIMEOUT = 1
    with pytest.raises(FileRefused) as refused:
        check_upload(upload(PLAIN_PDF))
    assert refused.value.message == (
        "This file could not be checked for viruses just now. Try again in a few minutes."
    )


def test_the_file_picker_hint_names_the_accepted_extensions():
    assert set(ACCEPT.split(",")) >= {".pdf", ".jpg", ".jpeg", ".png", ".docx"}
