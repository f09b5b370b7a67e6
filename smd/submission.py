"""One form, one record: the one-time submission key every create form carries.

A create form is shown with a fresh random key in a hidden field; a re-shown form (an error to
put right) keeps it. The record the form makes stores the key in a unique column, and the
service makes it through `create_once`, which finds the record the key already made instead of
making another. So a double click, a retried request or the same page sent again records
nothing twice, and the user lands on the same confirmation as the first time. ADR 0024.
"""

import functools

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

REUSED_CODE = "submission_reused"
REUSED = (
    "This form was already sent once with other answers, so nothing was saved this time. "
    "Check what you typed and send it again to record it as a new one."
)


def submission_key_field():
    """The model column: unique, so the database itself refuses a second record for one form
    (two requests at the same moment included); empty on rows made without a form."""
    return models.UUIDField(null=True, blank=True, unique=True, editable=False)


def submission_made(model, submission_key, **scope):
    """The `model` row this key already made (within `scope`), or None. For a view whose form
    can no longer be valid once it has been sent (the worker chosen is now the holder, so no
    longer a choice): the repeat is recognised before the form is checked."""
    if submission_key is None:
        return None
    return model._base_manager.filter(submission_key=submission_key, **scope).first()


def create_once(model, *, submission_key, create, same=None, reused=REUSED, insert_first=False):
    """Call `create()` (which makes a `model` row carrying `submission_key`) unless that key
    already made one. Returns (what `create()` returned, True), or (the row the key made,
    False). `same(row)` says whether that row is a repeat of this submission: when it is not
    (the key sent again for something else), a ValidationError (`reused`) says so and nothing
    is saved.

    Call it inside the service's transaction: `create()` runs in a savepoint, so losing a race
    to the same form sent at the same moment (the unique key refuses the second insert) leaves
    the transaction usable to fetch the winner's row.

    `insert_first`: try `create()` before looking the key up, and look it up only when the
    unique key refuses the insert: one query fewer for every first submission, a repeat
    answered as before. Only for a `create()` whose every effect is in the database (rolled
    back with the savepoint): one that stores a file or sends a message must look first.
    ADR 0041."""
    if submission_key is None:
        return create(), True
    made = None if insert_first else submission_made(model, submission_key)
    if made is None:
        try:
            with transaction.atomic():
                return create(), True
        except IntegrityError:
            made = submission_made(model, submission_key)
            if made is None:
                raise  # another rule refused the row: not a repeat
    if same is not None and not same(made):
        raise ValidationError(reused, code=REUSED_CODE)
    return made, False


def once_per_submission(model, *, same=None, found=None, reused=REUSED, insert_first=False):
    """A create service's decorator, under its @transaction.atomic: the service takes a
    `submission_key` keyword, stores it on the `model` row it makes, and runs through
    `create_once` (`insert_first` as there). A repeat returns `found(row)` (default: the row
    itself) in place of what the service returns; `same(row, **kwargs)` is told the service's
    arguments."""

    def decorate(service):
        @functools.wraps(service)
        def wrapper(*, submission_key=None, **kwargs):
            made, created = create_once(
                model,
                submission_key=submission_key,
                create=lambda: service(submission_key=submission_key, **kwargs),
                same=same and (lambda row: same(row, **kwargs)),
                reused=reused,
                insert_first=insert_first,
            )
            return made if created or found is None else found(made)

        return wrapper

    return decorate
