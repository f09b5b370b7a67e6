"""Links to records, each URL pattern reversed once per process and the ids filled in.

Django's `reverse` tries the pattern's candidates and checks the result against the pattern's
regular expression on every call: about as much Python as rendering a line of a template. A
page that links each of twenty records to the same view paid that twenty times
(docs/performance.md, the person page). `id_url` reverses the view once with marker UUIDs,
keeps the text between them, and fills in the ids: for UUIDs, which a `<uuid:…>` converter
writes as `str(id)` and URL quoting leaves alone, the result is the text `reverse` returns.
Anything else (an id that is not a UUID, a pattern the markers do not come out of in order)
is reversed as usual, so a wrong id still fails as `reverse` would.
"""

import uuid

from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse

_pieces = {}


def _split(viewname, count):
    """The URL's text around `count` ids in order, or None when it does not come apart so."""
    markers = [uuid.uuid4() for _ in range(count)]
    rest = reverse(viewname, args=markers)
    pieces = []
    for marker in markers:
        before, found, rest = rest.partition(str(marker))
        if not found:
            return None
        pieces.append(before)
    pieces.append(rest)
    return pieces


def id_url(viewname, *ids):
    """`reverse(viewname, args=ids)` for record ids (UUIDs), the pattern reversed once."""
    if not all(isinstance(pk, uuid.UUID) for pk in ids):
        return reverse(viewname, args=ids)
    # The resolver (new when the URLconf changes) and the script prefix are part of the key,
    # so a changed URLconf or a site served under another prefix reverses afresh.
    key = (get_resolver(get_urlconf()), get_script_prefix(), viewname, len(ids))
    pieces = _pieces.get(key, False)
    if pieces is False:
        pieces = _pieces[key] = _split(viewname, len(ids))
    if pieces is None:
        return reverse(viewname, args=ids)
    url = pieces[0]
    for pk, after in zip(ids, pieces[1:], strict=True):
        url += str(pk) + after
    return url
