"""A checked document goes to S3 and comes back the same, through Django's default storage."""

import io
import urllib.request

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from storages.backends.s3 import S3Storage

from documents.files import check_upload, storage_name
from tests.documents.test_files import PLAIN_PDF, gps_exif, jpeg


def test_a_checked_pdf_round_trips_through_s3(s3_storage):
    assert isinstance(storages["default"], S3Storage)
    checked = check_upload(SimpleUploadedFile("consent.pdf", PLAIN_PDF))
    name = storage_name(checked)

    saved = default_storage.save(name, ContentFile(checked.data))

    assert saved == name
    assert default_storage.exists(name)
    with default_storage.open(name) as stored:
        assert stored.read() == PLAIN_PDF
    head = s3_storage.connection.meta.client.head_object(Bucket=s3_storage.bucket_name, Key=name)
    assert head["ContentType"] == "application/pdf"
    assert head["ContentLength"] == len(PLAIN_PDF)

    default_storage.delete(name)
    assert not default_storage.exists(name)


def test_a_stored_photo_is_the_clean_one_and_its_link_serves_it(s3_storage):
    checked = check_upload(SimpleUploadedFile("photo.jpg", jpeg(exif=gps_exif())))
    name = default_storage.save(storage_name(checked), ContentFile(checked.data))

    url = default_storage.url(name)
    assert "Signature=" in url or "X-Amz-Signature=" in url
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=10) as response:
        served = response.read()
    assert served == checked.data
    assert not Image.open(io.BytesIO(served)).getexif()


def test_each_test_gets_an_empty_bucket(s3_storage):
    assert default_storage.listdir("documents") == ([], [])
