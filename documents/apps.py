from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Documents"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The person page's timeline, the record's history, export and erasure learn of
        # documents here; a removed or erased file leaves storage after the commit.
        from documents import receivers, timeline
        from documents.models import Document
        from documents.selectors import document_files
        from smd import person_records

        timeline.register()
        person_records.register(Document, path="person", files=document_files)
        receivers.connect()
