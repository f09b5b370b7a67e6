"""A deleted document row (erasure deletes them whole: rights.erasure.POLICY) takes its file
out of storage once the deletion is committed; a rolled-back erasure keeps it."""

from functools import partial

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.signals import post_delete

from documents.models import Document


def file_delete(sender, instance, **kwargs):
    transaction.on_commit(partial(default_storage.delete, instance.stored_name))


def connect():
    post_delete.connect(file_delete, sender=Document, dispatch_uid="documents.file_delete")
