"""Filters for the console log."""

import logging


class RefusalsOnOneLine(logging.Filter):
    """A refused request (4xx: permission denied, a bad request, a suspicious host) is logged by
    Django with the exception that caused it, so every 403 printed a full traceback. The refusal
    is the app working as meant: keep the one line that says what and where, drop the traceback.
    Server errors (5xx) keep theirs."""

    def filter(self, record):
        if record.name.startswith(("django.request", "django.security")):
            status = getattr(record, "status_code", None)
            if status is None or status < 500:
                record.exc_info = None
                record.exc_text = None
        return True
