"""The return as CSV and PDF, from the same figures."""

import csv
import io

import pygal
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from assessments.charts import STYLE, inline_svg
from assessments.models import NDT_ACKNOWLEDGEMENT
from smd.returns.figures import SECTIONS, SPLIT_LABELS, SPLITS

CSV_NOTE = (
    "Exact figures for managers: small numbers are not suppressed here. "
    "Do not publish this file; the PDF shows 1-4 as <5."
)


def to_csv(figures, *, quarter, team):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["# " + f"{team} quarterly return {quarter}. " + CSV_NOTE])
    writer.writerow(["section", "key", "figure", *[SPLIT_LABELS[s] for s in SPLITS], "definition"])
    for f in figures:
        writer.writerow(
            [
                f["section"],
                f["key"],
                f["label"],
                *[_plain(f["values"].get(s)) for s in SPLITS],
                f["definition"],
            ]
        )
    return out.getvalue()


def _plain(value):
    return "" if value is None else value


def suppressed(figure, split):
    """The PDF's cell: counts of 1 to 4 people are shown as <5 to protect identities."""
    value = figure["values"].get(split)
    if value is None:
        return "–"
    # A mean or a share over one to four people would give those people's own scores away.
    base = (figure.get("bases") or {}).get(split)
    if figure["kind"] in {"mean", "share"} and base is not None and 1 <= base <= 4:
        return "n<5"
    # People counts, and event totals (a handful of A&E visits can point to one person); not
    # money.
    small = figure["kind"] == "count" or (
        figure["kind"] == "total" and not figure["key"].startswith("budgets_")
    )
    if small and 1 <= value <= 4:
        return "<5"
    if figure["kind"] == "share":
        return f"{value}%"
    return value


def _bar(title, pairs):
    chart = pygal.HorizontalBar(
        style=STYLE,
        js=[],
        disable_xml_declaration=True,
        width=640,
        height=max(160, 40 * len(pairs) + 80),
        title=title,
        show_legend=False,
        print_values=True,
        explicit_size=False,
    )
    chart.x_labels = [label for label, _ in pairs]
    chart.add(title, [value for _, value in pairs])
    return mark_safe(inline_svg(chart))  # noqa: S308 - pygal escapes its labels (free text included)


def charts(figures):
    by_key = {f["key"]: f for f in figures}
    # The chart prints its values, so sources with 1-4 referrals are pooled (and the pool shown
    # only when it is 5 or more), as the tables suppress them.
    counts = [
        (f["label"].removeprefix("Referrals from "), f["values"]["all"])
        for f in figures
        if f["key"].startswith("referrals_source_")
    ]
    sources = [(label, n) for label, n in counts if n >= 5]
    pooled = sum(n for _, n in counts if 1 <= n <= 4)
    if pooled >= 5:
        sources.append(("Other sources (each under 5)", pooled))
    # Places against places filled; a filled count of 1-4 would print what the table
    # suppresses, so the chart is left out then.
    capacity = [
        (label, by_key[key]["values"]["all"])
        for key, label in [
            ("navigator_places", "Navigator places"),
            ("peer_mentor_places", "Peer-mentor places"),
            ("places", "Places"),
            ("places_filled", "Places filled"),
        ]
        if key in by_key
    ]
    filled = by_key.get("places_filled", {}).get("values", {}).get("all")
    show_capacity = len(capacity) == 4 and not (filled and 1 <= filled <= 4)
    ndt = [
        (label, by_key[key]["values"]["all"])
        for key, label in [
            ("ndt_standard_mean_baseline", "Standard: baseline"),
            ("ndt_standard_mean_latest", "Standard: latest"),
            ("ndt_amended_mean_baseline", "Amended: baseline"),
            ("ndt_amended_mean_latest", "Amended: latest"),
        ]
        if key in by_key and by_key[key]["values"]["all"] is not None
    ]
    return {
        "referrals_by_source": _bar("Referrals by source", sources) if sources else None,
        "capacity": _bar("Places and places filled", capacity) if show_capacity else None,
        "ndt": _bar("NDT: mean total at baseline and latest", ndt) if ndt else None,
    }


def to_pdf(figures, *, quarter, team, version):
    from weasyprint import HTML

    sections = [
        (
            name,
            [
                dict(f, cells=[suppressed(f, s) for s in SPLITS])
                for f in figures
                if f["section"] == name
            ],
        )
        for name in SECTIONS
    ]
    html = render_to_string(
        "returns/return_pdf.html",
        {
            "quarter": quarter,
            "team": team,
            "version": version,
            "sections": sections,
            "splits": [SPLIT_LABELS[s] for s in SPLITS],
            "charts": charts(figures),
            "figures": figures,
            "acknowledgement": NDT_ACKNOWLEDGEMENT,
            "generated_at": timezone.now(),
        },
    )
    return HTML(string=html).write_pdf()
