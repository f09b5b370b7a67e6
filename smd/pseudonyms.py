"""Stable pseudonyms for people, one series per purpose (API tokens, evaluation extracts)."""

import hashlib
import hmac

from django.conf import settings


def pseudonym(person_id: int, purpose: str) -> str:
    """The same person and purpose always give the same pseudonym; purposes never share one."""
    key = hashlib.sha256(f"smd-pseudonym:{settings.SECRET_KEY}".encode()).digest()
    digest = hmac.new(key, f"{purpose}:{person_id}".encode(), hashlib.sha256).hexdigest()
    return f"PS-{digest[:16].upper()}"
