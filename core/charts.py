"""Charts drawn on the server as SVG: no chart library in the browser, nothing loaded from elsewhere.

The functions here compute the geometry; the templates (``includes/bar_chart.html``,
``includes/progress_chart.html``) draw it, each chart with a text alternative (``role="img"``,
a ``<title>`` and a ``<desc>``) and followed by the table of its figures, for the readers who
do not see it. Coordinates are in the SVG's own units: ``WIDTH`` wide, drawn at the width of its
column (a phone's 320 px included), so the text is about as large as the page's small text.
"""

from decimal import Decimal, InvalidOperation

WIDTH = 300
BAR_HEIGHT = 14
ROW_HEIGHT = 42  # a label line above each bar, then the bar


def french_number(value):
    """« 1 234,5 »: a number as French readers write it (narrow non-breaking space, decimal comma)."""
    if value is None:
        return ""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    text = f"{int(number):,}" if number == number.to_integral_value() else f"{number.normalize():,f}"
    return text.replace(",", "\u202f").replace(".", ",")


def svg_number(value):
    """A coordinate as SVG reads it (« 150.5 »): a string, so that the templates do not write it the
    French way (« 150,5 », which SVG does not understand)."""
    return f"{round(float(value), 1):g}"


def clamp(ratio):
    """``ratio`` kept between 0 and 1 (a bar cannot go below its start or beyond its end)."""
    return min(max(ratio, 0), 1)


def bar_chart(rows):
    """Horizontal bars for ``rows`` of ``(label, value)``, the longest bar for the largest value.

    Returns the rows with their geometry (``y`` of the label, ``bar_y``, ``width``) and the
    chart's ``height``.
    """
    rows = list(rows)
    largest = max((value or 0 for _label, value in rows), default=0)
    drawn = []
    for index, (label, value) in enumerate(rows):
        width = round(WIDTH * (value or 0) / largest, 1) if largest else 0
        y = index * ROW_HEIGHT
        drawn.append(
            {
                "label": label,
                "value": value or 0,
                "value_text": french_number(value or 0),
                "width": svg_number(width) if width else "",
                "label_y": svg_number(y + 15),
                "bar_y": svg_number(y + 21),
            }
        )
    return {
        "rows": drawn,
        "height": svg_number(len(rows) * ROW_HEIGHT),
        "width": svg_number(WIDTH),
        "bar_height": svg_number(BAR_HEIGHT),
    }


def progress_bar(ratio):
    """The geometry of a bar from a start (0) to a goal (1), filled up to ``ratio``.

    ``ratio`` beyond 1 fills the whole bar; below 0 (a step back) fills none.
    """
    filled = clamp(Decimal(ratio)) if ratio is not None else 0
    return {
        "width": svg_number(WIDTH),
        "filled": svg_number(float(filled) * WIDTH) if filled else "",
        "bar_height": svg_number(BAR_HEIGHT + 6),
    }
