"""Appointments not attended in the return's data quality section, against a hand-built case."""

from datetime import date

from appointments.models import Appointment, AppointmentStatus
from caseload.models import Person
from smd.models import Role
from tests.factories import ContactFactory, UserFactory
from tests.returns import test_returns
from tests.returns.test_returns import at, figures, splits

known = test_returns.known  # the hand-counted team, shared as a fixture


def _appointment(person, worker, when, status):
    return Appointment.objects.create(
        person=person,
        worker=worker,
        booked_by=worker,
        starts_at=when,
        place="Day centre",
        status=status,
        contact=ContactFactory(person=person, author=worker)
        if status == AppointmentStatus.ATTENDED
        else None,
        cancel_reason="Moved" if status == AppointmentStatus.CANCELLED else "",
    )


def test_appointments_not_attended_are_counted_in_the_quarter(team, known):
    worker = UserFactory(role=Role.NAVIGATOR, team=team)
    ann, bea, cal = (Person.objects.get(team=team, first_name=n) for n in ("Ann", "Bea", "Cal"))
    dna, came = AppointmentStatus.NOT_ATTENDED, AppointmentStatus.ATTENDED
    # In Q3 (1 October to 31 December 2025): Ann misses two and comes to one; Bea misses one
    # late on the last day; Cal's cancelled one and a booked one with nothing recorded do not
    # count.
    _appointment(ann, worker, at(date(2025, 10, 15)), dna)
    _appointment(ann, worker, at(date(2025, 11, 20)), dna)
    _appointment(ann, worker, at(date(2025, 12, 1)), came)
    _appointment(bea, worker, at(date(2025, 12, 31), hour=23), dna)
    _appointment(cal, worker, at(date(2025, 10, 10)), AppointmentStatus.CANCELLED)
    _appointment(cal, worker, at(date(2025, 10, 11)), AppointmentStatus.BOOKED)
    # Outside it: Cal misses one the day before the quarter and one the day after.
    _appointment(cal, worker, at(date(2025, 9, 30)), dna)
    _appointment(cal, worker, at(date(2026, 1, 1)), dna)

    f = figures(team)
    # Ann is a woman from an ethnic minority community, a survivor, disabled, 22; Bea a White
    # British woman of 35.
    assert f["appointments_not_attended"].values == splits(
        3, women=3, ethnic_minority=2, survivor=2, disabled=2, age_16_25=2, age_26_35=1
    )
    assert f["people_not_attending"].values == splits(
        2, women=2, ethnic_minority=1, survivor=1, disabled=1, age_16_25=1, age_26_35=1
    )
    assert sorted(f["people_not_attending"].people["all"]) == sorted([str(ann.pk), str(bea.pk)])
    # 3 of the 4 recorded (3 missed, 1 attended).
    assert f["appointments_not_attended_share"].values["all"] == 75.0
    assert f["appointments_not_attended"].section == "Data quality"


def test_with_no_appointments_the_share_is_empty(team, known):
    f = figures(team)
    assert f["appointments_not_attended"].values["all"] == 0
    assert f["appointments_not_attended_share"].values["all"] is None
