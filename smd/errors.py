from django.shortcuts import render


def not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def forbidden(request, exception=None):
    return render(request, "errors/403.html", status=403)


def server_error(request):
    return render(request, "errors/500.html", status=500)


def csrf_failure(request, reason=""):
    """A form refused for its missing or expired security token: what to do, in plain words.
    The reason is for the log, not the page."""
    return render(request, "errors/csrf.html", status=403)
