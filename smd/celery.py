import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smd.settings")

app = Celery("smd")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
