"""``{% load charts %}``: server-drawn SVG charts (core/charts.py) and French numbers.

- ``{{ value|french_number }}``: « 1 234,5 »;
- ``{% bar_chart rows chart_id=… title=… description=… caption=… label_heading=… value_heading=… %}``:
  horizontal bars, with a text alternative and the table of their figures;
- ``{% progress_bar ratio as bar %}``: the geometry of a bar from a start to a goal.
"""

from django import template

from core import charts

register = template.Library()


@register.filter
def french_number(value):
    return charts.french_number(value)


@register.inclusion_tag("includes/bar_chart.html")
def bar_chart(rows, *, chart_id, title, description, caption, label_heading, value_heading, with_table=True):
    """``rows``: ``(label, value)`` pairs, drawn in their order.

    ``with_table=False`` when the page gives the chart's figures in a fuller table right after it
    (its description must say so).
    """
    return {
        "chart": charts.bar_chart(rows),
        "chart_id": chart_id,
        "title": title,
        "description": description,
        "caption": caption,
        "label_heading": label_heading,
        "value_heading": value_heading,
        "with_table": with_table,
    }


@register.simple_tag
def progress_bar(ratio):
    return charts.progress_bar(ratio)
