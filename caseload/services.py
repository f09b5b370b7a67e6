from django.db import transaction
from django.utils import timezone

from caseload.models import PersonAlias


@transaction.atomic
def person_update(*, person, form, by):
    """Save the person's record and their other names together, or neither."""
    person = form.save(commit=False)
    if "approximate_age" in form.changed_data:
        person.approximate_age_recorded_on = (
            timezone.localdate() if person.approximate_age is not None else None
        )
    person.save()
    names = form.cleaned_data["other_names"]
    person.aliases.exclude(name__in=names).delete()
    existing = set(person.aliases.values_list("name", flat=True))
    PersonAlias.objects.bulk_create(
        PersonAlias(person=person, name=name) for name in names if name not in existing
    )
    return person
