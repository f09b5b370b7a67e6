"""The console log: a refused request is one line, a server error keeps its traceback."""

import io
import logging
import logging.config

import pytest
from django.conf import settings
from django.urls import reverse


@pytest.fixture
def console():
    """What the configured console handler writes. The settings' logging is applied afresh: a
    Celery worker started by an earlier test puts handlers of its own on the root logger."""
    logging.config.dictConfig(settings.LOGGING)
    (handler,) = [h for h in logging.getLogger().handlers if h.name == "console"]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_a_403_is_logged_as_one_line_without_a_traceback(navigator_client, console):
    # A navigator may not open the retention list: PermissionDenied, a 403.
    assert navigator_client.get(reverse("rights:retention")).status_code == 403
    lines = console.getvalue().splitlines()
    assert lines == ["Forbidden (Permission denied): /retention/"]


def test_a_server_error_keeps_its_traceback(console):
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        logging.getLogger("django.request").error(
            "Internal Server Error: /x", exc_info=exc, extra={"status_code": 500}
        )
    assert "Traceback" in console.getvalue() and "RuntimeError: boom" in console.getvalue()
