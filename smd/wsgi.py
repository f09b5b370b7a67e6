import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smd.settings")
application = get_wsgi_application()

# Refuse to start without a secret key rather than fail on the first request: Django raises
# ImproperlyConfigured when an empty SECRET_KEY is read.
if not settings.SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=true to try the app locally).")
