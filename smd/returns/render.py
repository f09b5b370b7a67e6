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
    sources = [
        (f["label"].removeprefix("Referrals from "), f["values"]["all"])
        for f in figures
        if f["key"].startswith("referrals_source_")
    ]
    capacity = [
        ("Navigator capacity", by_key["navigator_capacity"]["values"]["all"]),
        ("Navigator caseload", by_key["navigator_caseload"]["values"]["all"]),
    ]
    ndt = [
        (f["label"], f["values"]["all"])
        for f in figures
        if f["key"] in {"ndt_standard_mean_change", "ndt_amended_mean_change"}
        and f["values"]["all"] is not None
    ]
    return {
        "referrals_by_source": _bar("Referrals by source", sources) if sources else None,
        "capacity": _bar("Caseload against capacity", capacity),
        "ndt": _bar("NDT: mean change from baseline to latest", ndt) if ndt else None,
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
