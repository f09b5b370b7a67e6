"""What consent and sharing tell the apps above them, which they never import."""

from django.dispatch import Signal

# Sent by sharing_agreement_withdraw, inside its transaction, when the person it names
# (`person_id`) is left with no MDT sharing agreement in force. Each receiver gives up what may
# no longer be shared and returns how many places on future agendas that was; the withdrawal
# tells the user the total. A receiver that raises undoes the withdrawal.
mdt_sharing_ended = Signal()
