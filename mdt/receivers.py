"""What the MDT does when an app below it says something changed (connected by
MdtConfig.ready())."""

from mdt.services import agenda_places_give_up


def sharing_ended(sender, person_id, **kwargs):
    """sharing.signals.mdt_sharing_ended: the person comes off future agendas, inside the
    withdrawal's transaction. Returns how many places were given up."""
    return agenda_places_give_up(person_id=person_id)
