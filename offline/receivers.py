from django.db.models.signals import pre_save
from django.dispatch import receiver

from offline.services import device_key_destroy
from smd.models import User


@receiver(pre_save, sender=User)
def destroy_key_of_deactivated_user(sender, instance, **kwargs):
    """A deactivated user's device key goes at once: their phone's data stays unreadable."""
    if instance.pk is not None and not instance.is_active:
        device_key_destroy(user=instance)
