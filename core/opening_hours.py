"""Opening hours typed by the editors as short lines, shown to residents as a definition list.

One line per period, the days before a colon, the hours after it::

    Du lundi au vendredi : 9 h – 12 h et 13 h 30 – 17 h
    Samedi : sur rendez-vous

Plain text rather than a table of days and times: the editors write what a resident reads
(« sur rendez-vous », « fermé en août ») and the site still shows each period on its own row.
A line without a colon is refused with a French message, so the list never breaks.
"""

from django.core.exceptions import ValidationError

HELP_TEXT = (
    "Une ligne par période : les jours, deux-points, puis les horaires. Par exemple : "
    "« Du lundi au vendredi : 9 h – 12 h et 13 h 30 – 17 h ». Laissez vide si les horaires ne sont pas connus."
)
MISSING_COLON = "Ligne {number} (« {line} ») : écrivez les jours, deux-points, puis les horaires."


def _lines(text):
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


def parse_opening_hours(text):
    """The periods of ``text`` as ``(days, hours)`` pairs, in the order typed."""
    rows = []
    for line in _lines(text):
        days, _, hours = line.partition(":")
        rows.append((days.strip(), hours.strip()))
    return rows


def validate_opening_hours(text):
    for number, line in enumerate(_lines(text), start=1):
        days, colon, hours = line.partition(":")
        if not colon or not days.strip() or not hours.strip():
            raise ValidationError(MISSING_COLON.format(number=number, line=line), code="opening_hours")
