"""The home page's figures. Each is added by the app that owns the records, from its
AppConfig.ready(), so the project package imports none of them: the people known to the
team (caseload) and the referrals waiting for triage (referrals)."""

_figures = []


def register(figures):
    """`figures(user)` returns what it adds to the home page's context (a dict, maybe empty)."""
    if figures not in _figures:
        _figures.append(figures)


def figures_for(user):
    context = {}
    for figures in _figures:
        context.update(figures(user))
    return context
