"""NDT totals over time as a server-rendered SVG: the same chart serves pages and PDFs."""

import re

import pygal
from django.utils.safestring import mark_safe
from pygal.style import Style

# Dark, distinct colours with 3:1 contrast or better against white; the two series also differ
# in marker shape (dots vs. dashes), so colour is never the only signal.
STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1b1b1b",
    foreground_strong="#1b1b1b",
    foreground_subtle="#6b6b6b",
    colors=("#0b3d63", "#b3400b"),
    font_family="system-ui, sans-serif",
    label_font_size=14,
    major_label_font_size=14,
    legend_font_size=15,
    title_font_size=17,
)


def inline_svg(chart):
    """The chart's SVG for inlining in a page or PDF, without scripts: pygal adds a small inline
    configuration script even with js=[], which the Content Security Policy (rightly) blocks
    and nothing here needs."""
    svg = chart.render(is_unicode=True)
    return re.sub(r"<script\b.*?</script>", "", svg, flags=re.DOTALL | re.IGNORECASE)


def ndt_totals_svg(completed, *, amended_max=68, title="NDT totals over time"):
    """A line chart of the standard (0-48) and, where there are any, amended totals of completed
    assessments in date order, the amended axis up to `amended_max` (the largest maximum of the
    amended versions shown). Returns safe inline SVG with no scripts."""
    chart = pygal.Line(
        style=STYLE,
        js=[],  # no external scripts: the app serves everything itself, and PDFs need none
        disable_xml_declaration=True,
        # Drawn narrow so its text stays readable when scaled down to a phone's width.
        width=520,
        height=320,
        title=title,
        show_legend=True,
        legend_at_bottom=True,
        x_label_rotation=0,
        range=(0, amended_max if any(a.is_amended for a in completed) else 48),
        show_minor_x_labels=len(completed) <= 8,
        dots_size=4,
        stroke_style={"width": 3},
        print_values=False,
        explicit_size=False,
        margin_right=40,  # room for the last date label
        truncate_label=-1,
    )
    chart.x_labels = [a.assessed_on.strftime("%-d %b %y") for a in completed]
    chart.add(
        "Standard total (0–48)",
        [a.standard_total for a in completed],
        stroke_style={"width": 3},
    )
    if any(a.is_amended for a in completed):
        chart.add(
            f"Amended total (0–{amended_max})",
            [a.total if a.is_amended else None for a in completed],
            stroke_style={"width": 3, "dasharray": "8, 5"},
        )
    svg = inline_svg(chart)
    # Named as an image for assistive technology; the table beside it is the text alternative.
    svg = svg.replace("<svg ", '<svg role="img" aria-labelledby="ndt-chart-title" ', 1)
    svg = svg.replace("<title>", '<title id="ndt-chart-title">', 1)
    return mark_safe(svg)  # noqa: S308 - built by pygal from numbers and dates only


def reqol_totals_svg(records, *, title="ReQoL-10 totals over time"):
    """A line chart of ReQoL-10 totals (0-40, higher is better) in date order: safe inline SVG
    with no scripts, like the NDT chart."""
    chart = pygal.Line(
        style=STYLE,
        js=[],
        disable_xml_declaration=True,
        width=520,
        height=320,
        title=title,
        show_legend=False,
        x_label_rotation=0,
        range=(0, 40),
        show_minor_x_labels=len(records) <= 8,
        dots_size=4,
        stroke_style={"width": 3},
        explicit_size=False,
        margin_right=40,
        truncate_label=-1,
    )
    chart.x_labels = [r.completed_on.strftime("%-d %b %y") for r in records]
    chart.add("ReQoL-10 total (0–40)", [r.total for r in records], stroke_style={"width": 3})
    svg = inline_svg(chart)
    svg = svg.replace("<svg ", '<svg role="img" aria-labelledby="reqol-chart-title" ', 1)
    svg = svg.replace("<title>", '<title id="reqol-chart-title">', 1)
    return mark_safe(svg)  # noqa: S308 - built by pygal from numbers and dates only
