"""A checked document goes to S3 and comes back the same, through Django's default storage."""

import io
import urllib.request

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from storages.backends.s3 import S3Storage

from documents.files import check_upload, storage_name
from documents.models import Document
from tests.documents.test_documents import upload_post
from tests.documents.test_files import PLAIN_PDF, gps_exif, jpeg
from tests.factories import AllocationFactory, EpisodeFactory, PersonFactory


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


def test_a_document_uploaded_in_the_app_is_stored_in_s3_opened_from_it_and_erased_from_it(
    s3_storage, navigator_client, navigator, django_capture_on_commit_callbacks
):
    """The whole path on a real S3 API: the upload page stores the file in the bucket, the
    download view answers with its bytes, and deleting the record (as erasure does) removes the
    object once the deletion commits."""
    person = PersonFactory(team=navigator.team)
    AllocationFactory(episode=EpisodeFactory(person=person), worker=navigator)
    response = navigator_client.post(
        reverse("documents:upload", args=[person.pk]),
        upload_post(file=SimpleUploadedFile("consent.pdf", PLAIN_PDF)),
    )
    assert response.status_code == 302
    document = Document.objects.get(person=person)
    listed = s3_storage.connection.meta.client.list_objects_v2(Bucket=s3_storage.bucket_name)
    assert [o["Key"] for o in listed["Contents"]] == [document.stored_name]

    opened = navigator_client.get(reverse("documents:download", args=[document.pk]))
    assert b"".join(opened.streaming_content) == PLAIN_PDF

    with django_capture_on_commit_callbacks(execute=True):
        Document.objects.filter(pk=document.pk).delete()
    assert not s3_storage.exists(document.stored_name)
