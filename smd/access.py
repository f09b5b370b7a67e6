"""Access helpers: one place that says who may do what."""

from functools import wraps

from django.core.exceptions import PermissionDenied


def user_passes(test):
    """403 for a signed-in user whose role does not do this work (no person data involved)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not test(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


triage_required = user_passes(lambda u: u.can_triage)
overview_required = user_passes(lambda u: u.can_see_referral_overview)
referrer_required = user_passes(lambda u: u.can_make_referrals)
