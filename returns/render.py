"""The return as CSV and PDF, from the same figures."""

import csv
import io

import pygal
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from weasyprint import HTML

from assessments.charts import STYLE, inline_svg
from assessments.models import NDT_ACKNOWLEDGEMENT
from returns.figures import AGE_BANDS, SECTIONS, SPLIT_DEFINITIONS, SPLIT_LABELS, SPLITS

CSV_NOTE = (
    "Exact figures for managers: small numbers are not suppressed here. "
    "Do not publish this file; the PDF shows counts of 1-4 people as <5 "
    "(the 'counts people' column says which figures are counts of people)."
)


def to_csv(figures, *, quarter, team):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["# " + f"{team} quarterly return {quarter}. " + CSV_NOTE])
    writer.writerow(
        [
            "section",
            "key",
            "figure",
            *[SPLIT_LABELS[s] for s in SPLITS],
            "counts people",
            "definition",
        ]
    )
    for f in figures:
        writer.writerow(
            [
                f["section"],
                f["key"],
                f["label"],
                *[_plain(f["values"].get(s)) for s in SPLITS],
                "yes" if f["counts_people"] else "no",
                f["definition"],
            ]
        )
    return out.getvalue()


def _plain(value):
    return "" if value is None else value


def suppressed(figure, split):
    """The PDF's cell, the one place the PDF's suppression rule is applied: a figure that
    counts people (as each figure declares) shows 1 to 4 as <5 to protect identities."""
    value = figure["values"].get(split)
    if value is None:
        return "–"
    # A mean, a share or a longest wait over one to four people (the figure's base) would give
    # those people's own scores away.
    base = (figure.get("bases") or {}).get(split)
    if base is not None and 1 <= base <= 4:
        return "n<5"
    if figure["counts_people"] and 1 <= value <= 4:
        return "<5"
    if figure["kind"] == "share":
        return f"{value}%"
    if figure.get("money"):
        return f"£{value:,.2f}"
    return value


def _printable(figure):
    """A chart prints its values: only a figure whose table cell shows the number itself."""
    cell = suppressed(figure, "all")
    return not isinstance(cell, str)


def is_split(figure):
    """Plain numbers (capacity, meetings, agreements) have no people to split by."""
    return figure["kind"] != "number"


def pdf_sections(figures):
    """What the PDF prints, section by section: the split figures for the wide table and the
    plain numbers for a narrow one, each row with its cells already suppressed."""
    sections = []
    for name in SECTIONS:
        rows = [
            dict(f, cells=[suppressed(f, s) for s in (SPLITS if is_split(f) else ["all"])])
            for f in figures
            if f["section"] == name
        ]
        sections.append(
            (name, [r for r in rows if is_split(r)], [r for r in rows if not is_split(r)])
        )
    return sections


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
        if key in by_key and _printable(by_key[key])
    ]
    return {
        "referrals_by_source": _bar("Referrals by source", sources) if sources else None,
        "capacity": _bar("Places and places filled", capacity) if show_capacity else None,
        "ndt": _bar("NDT: mean total at baseline and latest", ndt) if ndt else None,
    }


def pdf_html(figures, *, quarter, team, version):
    """The PDF's page as HTML, before WeasyPrint lays it out."""
    ages = [f"age_{key}" for key, *_ in AGE_BANDS]
    return render_to_string(
        "returns/return_pdf.html",
        {
            "quarter": quarter,
            "team": team,
            "version": version,
            "sections": pdf_sections(figures),
            "groups": [SPLIT_LABELS[s] for s in SPLITS if s not in ages],
            "ages": [SPLIT_LABELS[s].removeprefix("Age ") for s in ages],
            "split_definitions": [(SPLIT_LABELS[s], SPLIT_DEFINITIONS[s]) for s in SPLITS],
            "charts": charts(figures),
            "figures": figures,
            "acknowledgement": NDT_ACKNOWLEDGEMENT,
            "generated_at": timezone.now(),
        },
    )


def to_pdf(figures, *, quarter, team, version):
    return HTML(string=pdf_html(figures, quarter=quarter, team=team, version=version)).write_pdf()
