"""Forms of the back-office for events (the public agenda's filters are in ``filters.py``)."""

import datetime
import re

from django import forms
from django.utils import timezone

from core.dates import day_of_month

from .models import Event
from .services import LAST, monthly_dates, moved_to, weekday_rank

MAX_COPIES = 60
WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
DATE_PATTERN = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def short_date(day):
    return f"{day:%d/%m/%Y}"


def dates_list(days):
    return ", ".join(short_date(day) for day in days)


class DuplicateEventForm(forms.Form):
    """Where the copies of one event go: dates typed by the editor, or every month for N months."""

    MODE_DATES = "dates"
    MODE_MONTHLY = "mensuel"
    RULE_WEEKDAY = "jour-de-semaine"
    RULE_DAY = "jour-du-mois"

    mode = forms.ChoiceField(
        label="Comment choisir les dates ?",
        choices=[(MODE_MONTHLY, "Chaque mois"), (MODE_DATES, "À des dates précises")],
        initial=MODE_MONTHLY,
        widget=forms.RadioSelect,
    )
    months = forms.IntegerField(
        label="Pendant combien de mois ?",
        required=False,
        min_value=1,
        max_value=MAX_COPIES,
        initial=12,
        help_text=f"Une copie par mois, à partir du mois qui suit l’événement ; {MAX_COPIES} au plus.",
        error_messages={
            "min_value": "Indiquez au moins 1 mois.",
            "max_value": f"{MAX_COPIES} copies au plus à la fois : indiquez {MAX_COPIES} mois ou moins.",
            "invalid": "Indiquez un nombre de mois, en chiffres.",
        },
    )
    rule = forms.ChoiceField(label="Quel jour du mois ?", required=False, widget=forms.RadioSelect)
    dates = forms.CharField(
        label="Dates des copies",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 20}),
        help_text="Une date par ligne, au format jj/mm/aaaa (par exemple 14/01/2027).",
    )

    def __init__(self, event, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.local_start = timezone.localtime(event.start)
        day = self.local_start.date()
        self.fields["rule"].choices = [
            (self.RULE_WEEKDAY, self.weekday_rule_label(day)),
            (self.RULE_DAY, self.day_rule_label(day)),
        ]
        self.fields["rule"].initial = self.RULE_WEEKDAY

    @staticmethod
    def weekday_rule_label(day):
        rank = weekday_rank(day)
        weekday = WEEKDAYS[day.weekday()]
        if rank == 5:
            rank = LAST
        ordinal = {1: "1er", LAST: "dernier"}.get(rank, f"{rank}e")
        return f"le {ordinal} {weekday} du mois (comme le {weekday} {short_date(day)})"

    @staticmethod
    def day_rule_label(day):
        label = f"le {day_of_month(day)} de chaque mois"
        if day.day > 28:
            label += " (ou le dernier jour des mois plus courts)"
        return label

    # Validation -------------------------------------------------------------------------

    def clean(self):
        cleaned_data = super().clean()
        mode = cleaned_data.get("mode")
        if mode == self.MODE_DATES:
            days = self.typed_dates(cleaned_data.get("dates", ""))
            field = "dates"
        elif mode == self.MODE_MONTHLY:
            days = self.monthly_dates(cleaned_data)
            field = "months"
        else:
            return cleaned_data
        if days is None:  # the field already has its error
            return cleaned_data
        if self.check_dates(days, field):
            cleaned_data["days"] = days
        return cleaned_data

    def typed_dates(self, text):
        lines = [line.strip() for line in re.split(r"[\n,;]+", text or "") if line.strip()]
        if not lines:
            self.add_error("dates", "Saisissez au moins une date, une par ligne, au format jj/mm/aaaa.")
            return None
        days, invalid = [], []
        for line in lines:
            match = DATE_PATTERN.match(line)
            try:
                day, month, year = (int(part) for part in match.groups()) if match else (0, 0, 0)
                days.append(datetime.date(year, month, day))
            except ValueError:
                invalid.append(line)
        if invalid:
            quoted = ", ".join(f"« {line} »" for line in invalid)
            self.add_error(
                "dates",
                f"Ces lignes ne sont pas des dates valides : {quoted}. Écrivez une date par ligne, au format "
                "jj/mm/aaaa (par exemple 14/01/2027).",
            )
            return None
        repeated = sorted({day for day in days if days.count(day) > 1})
        if repeated:
            self.add_error("dates", f"Ces dates sont saisies plusieurs fois : {dates_list(repeated)}.")
            return None
        if len(days) > MAX_COPIES:
            self.add_error("dates", f"{MAX_COPIES} copies au plus à la fois : vous avez saisi {len(days)} dates.")
            return None
        return sorted(days)

    def monthly_dates(self, cleaned_data):
        if "months" in self.errors:
            return None
        months = cleaned_data.get("months")
        if not months:
            self.add_error("months", "Indiquez pendant combien de mois répéter l’événement.")
            return None
        rule = cleaned_data.get("rule") or self.RULE_WEEKDAY
        return monthly_dates(self.local_start.date(), months, same_weekday=rule == self.RULE_WEEKDAY)

    def check_dates(self, days, field):
        now = timezone.now()
        past = [day for day in days if moved_to(self.event, day)[0] < now]
        if past:
            message = f"Ces dates sont déjà passées : {dates_list(past)}. Choisissez des dates à venir."
            if field == "months":
                message += " Pour reprendre un événement ancien, saisissez plutôt les dates une à une."
            self.add_error(field, message)
            return False
        starts = [moved_to(self.event, day)[0] for day in days]
        taken = Event.objects.filter(action_id=self.event.action_id, title=self.event.title, start__in=starts)
        taken_days = sorted({timezone.localdate(start) for start in taken.values_list("start", flat=True)})
        if taken_days:
            self.add_error(
                field,
                f"« {self.event.title} » a déjà lieu à la même heure le {dates_list(taken_days)} : "
                "retirez ces dates pour ne pas créer de doublon.",
            )
            return False
        return True
