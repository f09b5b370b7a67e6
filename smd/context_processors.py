from smd.access import menu_for


def navigation(request):
    """The navigation each role sees: its own work, nothing it cannot open (smd.access.MENU)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    # Before the second factor, every page but the code step would only send them back to it.
    if not getattr(user, "is_verified", lambda: False)():
        return {"nav_items": []}
    return {"nav_items": menu_for(user)}
