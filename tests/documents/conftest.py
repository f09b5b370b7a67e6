"""`s3_storage`: Django's default storage on a real S3 API (moto's server), a bucket per test."""

import uuid

import boto3
import pytest
from django.core.files.storage import default_storage
from moto.server import ThreadedMotoServer

S3_REGION = "eu-west-2"
S3_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="session")
def s3_endpoint():
    """The URL of an S3 server on a free local port, for the whole test run."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_storage(settings, s3_endpoint):
    """Default storage is S3Storage on a new, empty bucket, configured as smd/settings.py does
    with AWS_STORAGE_BUCKET_NAME set. Yields `default_storage`; its `bucket_name` and
    `connection` reach the bucket directly. The bucket is emptied and deleted afterwards."""
    bucket = f"smd-test-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name=S3_REGION, **S3_CREDENTIALS)
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": S3_REGION})
    settings.AWS_STORAGE_BUCKET_NAME = bucket
    settings.AWS_S3_ENDPOINT_URL = s3_endpoint
    settings.AWS_S3_REGION_NAME = S3_REGION
    settings.AWS_ACCESS_KEY_ID = S3_CREDENTIALS["aws_access_key_id"]
    settings.AWS_SECRET_ACCESS_KEY = S3_CREDENTIALS["aws_secret_access_key"]
    settings.AWS_DEFAULT_ACL = None
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage"},
    }
    yield default_storage
    listed = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    for stored in listed:
        client.delete_object(Bucket=bucket, Key=stored["Key"])
    client.delete_bucket(Bucket=bucket)
