"""The device key: made on first use after a full sign-in, destroyed on deactivation."""

from django.db import transaction

from offline.models import DeviceKey


@transaction.atomic
def device_key_for(*, user):
    """The user's wrapping key, made the first time it is asked for."""
    device_key, _ = DeviceKey.objects.get_or_create(user=user)
    return bytes(device_key.key)


def device_key_destroy(*, user):
    """Forget the user's wrapping key: anything wrapped with it can never be read again."""
    DeviceKey.objects.filter(user=user).delete()
