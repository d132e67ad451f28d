"""``python manage.py load_cls_content``: the initial content of the portal, loaded once.

Idempotent: a row is identified by its slug (an objective by its number, a theme, audience
or neighbourhood also by its name) and is created only when missing. An existing row is left
exactly as it is, so what editors change in the admin survives a re-run. The data lives in
``actions/content.py``.

Apps that depend on ``actions`` add their own content through a ``load_initial_content(today=…)``
function in their ``content`` module (the agenda: places and upcoming events). They are found
by name, so that ``actions`` never imports them (partners ← actions ← events).
"""

import calendar
import datetime
from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from actions import content
from actions.enums import ActionKind, ActionStatus
from actions.models import Action, Audience, Axis, Neighbourhood, Objective, Theme
from partners.models import Partner

ACTION_M2M = {"themes": Theme, "audiences": Audience, "neighbourhoods": Neighbourhood, "partners": Partner}


def _agree(count, word, feminine=False):
    """« 1 action créée », « 12 actions créées », « 0 objectif créé »."""
    word = f"{word}e" if feminine else word
    return f"{count} {word}s" if count > 1 else f"{count} {word}"


def campaign_dates(month, today):
    """The current or next edition of a yearly campaign: (first day, last day, status)."""
    year = today.year if month >= today.month else today.year + 1
    start = datetime.date(year, month, 1)
    end = datetime.date(year, month, calendar.monthrange(year, month)[1])
    return start, end, ActionStatus.ONGOING if month == today.month else ActionStatus.UPCOMING


class Command(BaseCommand):
    help = (
        "Charge le contenu initial du contrat local de santé (objectifs, thèmes, publics, quartiers, "
        "partenaires, actions, lieux et événements à venir). Ne crée que ce qui manque et ne modifie jamais "
        "l’existant."
    )

    def handle(self, *args, **options):
        self.today = timezone.localdate()
        with transaction.atomic():
            results = [
                ("Objectifs", False, self.create_missing(Objective, content.OBJECTIVES, key="number")),
                ("Thèmes", False, self.create_missing(Theme, content.THEMES, by_name=True)),
                ("Publics", False, self.create_missing(Audience, content.AUDIENCES, by_name=True)),
                ("Quartiers", False, self.create_missing(Neighbourhood, content.NEIGHBOURHOODS, by_name=True)),
                ("Partenaires", False, self.create_missing(Partner, content.PARTNERS)),
                ("Actions", True, self.create_actions()),
                *self.load_other_apps(),
            ]
        for label, feminine, (created, existing) in results:
            self.stdout.write(
                f"{label} : {_agree(created, 'créé', feminine)}, {_agree(existing, 'déjà présent', feminine)}."
            )
        self.stdout.write(self.style.SUCCESS("Contenu initial du CLS chargé."))

    def load_other_apps(self):
        """Summary lines of the apps that bring their own initial content (see the module docstring)."""
        results = []
        for app_config in apps.get_app_configs():
            if app_config.name == "actions" or not module_has_submodule(app_config.module, "content"):
                continue
            loader = getattr(import_module(f"{app_config.name}.content"), "load_initial_content", None)
            if loader:
                results.extend(loader(today=self.today))
        return results

    def create_missing(self, model, rows, key="slug", by_name=False, build=None):
        created = existing = 0
        for row in rows:
            lookup = Q(**{key: row[key]})
            if by_name:  # names are unique too: an editor may have created the same one under another slug
                lookup |= Q(name=row["name"])
            if model._default_manager.filter(lookup).exists():
                existing += 1
                continue
            fields, relations = build(row) if build else (row, {})
            obj = model(**fields)
            obj.full_clean()
            obj._change_reason = content.CHANGE_REASON
            obj.save()
            for name, values in relations.items():
                getattr(obj, name).set(values)
            created += 1
        return created, existing

    def create_actions(self):
        self.axes = {axis.number: axis for axis in Axis.objects.all()}
        missing = {row["axis"] for row in content.ACTIONS} - set(self.axes)
        if missing:
            raise CommandError("Les axes du CLS manquent en base : lancez d’abord « python manage.py migrate ».")
        return self.create_missing(Action, content.ACTIONS, build=self.build_action)

    def build_action(self, row):
        """The fields and the many-to-many values of a new action, from one row of the content."""
        fields = {key: value for key, value in row.items() if key not in ACTION_M2M}
        fields.pop("start_in_days", None)
        fields.pop("end_in_days", None)
        fields["axis"] = self.axes[row["axis"]]
        lead = row.get("lead_partner")
        fields["lead_partner"] = Partner.objects.filter(slug=lead).first() if lead else None
        for key, value in content.CCAS_CONTACT.items():
            fields.setdefault(key, value)
        if row.get("kind") == ActionKind.CAMPAIGN:
            fields["start_date"], fields["end_date"], fields["status"] = campaign_dates(
                row["campaign_month"], self.today
            )
        if "start_in_days" in row:
            fields["start_date"] = self.today + datetime.timedelta(days=row["start_in_days"])
        if "end_in_days" in row:
            fields["end_date"] = self.today + datetime.timedelta(days=row["end_in_days"])
        # A slug that an editor has deleted since is skipped rather than failing the whole load.
        relations = {name: model.objects.filter(slug__in=row.get(name, [])) for name, model in ACTION_M2M.items()}
        return fields, {name: values for name, values in relations.items() if row.get(name)}
