from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LogoutView
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from smd import home as home_page
from smd.middleware import CLEAR_CACHE


def home(request):
    user = request.user
    # "My caseload" is the daily page for the people who hold one.
    if user.holds_caseload:
        return redirect("caseload:my_caseload")
    return render(request, "home.html", home_page.figures_for(user))


def profile(request):
    """Who is signed in: name, role, team and organisation. The lightest signed-in page, so
    the benchmark (bench/run.py) measures every other page against it."""
    return render(request, "registration/profile.html")


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """Liveness for load balancers and compose: the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


class SignOutView(LogoutView):
    """Signing out ends the session on the server and tells the browser to drop what it
    cached of the app (the phone app's own stores are cleared by its script, ADR 0033)."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = CLEAR_CACHE
        return response
