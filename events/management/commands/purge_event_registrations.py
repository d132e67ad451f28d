"""``python manage.py purge_event_registrations [--dry-run]``: retention of the registrations' personal data.

Anonymises (never deletes) the registrations whose event ended more than three months ago: names,
contacts and needs are blanked, their history rows with them; the places, status and dates stay
for the statistics. Idempotent, as ``purge_mutuelle_requests`` whose pattern it follows: run it
every night (``deploy/cls-portail-registrations-purge.timer``). The logic is in
``events/registrations.py``; the summary gives counts only.
"""

from django.core.management.base import BaseCommand

from events.registrations import purge_registrations


def _summary(count, *, dry_run):
    if not count:
        return "aucune inscription"
    plural = count > 1
    noun = "inscriptions" if plural else "inscription"
    done = "anonymisées" if plural else "anonymisée"
    if dry_run:
        return f"{count} {noun} {'seraient' if plural else 'serait'} {done}"
    return f"{count} {noun} {done}"


class Command(BaseCommand):
    help = (
        "Anonymise les inscriptions aux événements trois mois après l’événement (historique compris). "
        "Sans effet s’il n’y a rien à anonymiser."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Compte les inscriptions concernées sans rien modifier."
        )

    def handle(self, *args, dry_run=False, **options):
        count = purge_registrations(dry_run=dry_run)
        if dry_run:
            self.stdout.write("Simulation (--dry-run) : rien n’est modifié.")
        self.stdout.write(f"Événements terminés depuis plus de trois mois : {_summary(count, dry_run=dry_run)}.")
        if not dry_run:
            self.stdout.write(self.style.SUCCESS("Terminé."))
