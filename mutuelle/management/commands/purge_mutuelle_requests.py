"""``python manage.py purge_mutuelle_requests [--dry-run]``: retention of the applicants' data.

Anonymises (never deletes) the interest requests closed for longer than
``MUTUELLE_RETENTION_CLOSED_DAYS`` since their last contact, and closes as « sans suite » and
anonymises those left untouched for longer than ``MUTUELLE_RETENTION_UNTOUCHED_DAYS``. Their
history rows are blanked with them. The appointments at the permanences are anonymised three
months after their permanence. Idempotent: run it every night (cron, systemd timer).
The logic is in ``mutuelle/services/retention.py``; the summary gives counts only, never a name.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from mutuelle.services.appointments import purge_appointments
from mutuelle.services.retention import purge_requests

ANONYMISED = ("anonymisée", "anonymisées")
CLOSED_AND_ANONYMISED = ("classée sans suite et anonymisée", "classées sans suite et anonymisées")


def _summary(count, participles, *, dry_run):
    """« 1 demande anonymisée », « 2 demandes seraient anonymisées », « aucune demande »."""
    if not count:
        return "aucune demande"
    plural = count > 1
    noun = "demandes" if plural else "demande"
    done = participles[plural]
    if dry_run:
        return f"{count} {noun} {'seraient' if plural else 'serait'} {done}"
    return f"{count} {noun} {done}"


def _appointments(count, *, dry_run):
    if not count:
        return "aucun rendez-vous"
    plural = count > 1
    done = "anonymisés" if plural else "anonymisé"
    if dry_run:
        return f"{count} rendez-vous {'seraient' if plural else 'serait'} {done}"
    return f"{count} rendez-vous {done}"


class Command(BaseCommand):
    help = (
        "Anonymise les demandes d’information mutuelle dont la durée de conservation est écoulée : "
        "clôturées depuis plus de MUTUELLE_RETENTION_CLOSED_DAYS jours après le dernier contact, ou restées "
        "sans suite plus de MUTUELLE_RETENTION_UNTOUCHED_DAYS jours (elles sont alors classées sans suite). "
        "Leur historique est effacé avec elles. Anonymise aussi les rendez-vous aux permanences trois mois après "
        "la permanence."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Compte les demandes concernées sans rien modifier.",
        )

    def handle(self, *args, dry_run=False, **options):
        result = purge_requests(dry_run=dry_run)
        if dry_run:
            self.stdout.write("Simulation (--dry-run) : rien n’est modifié.")
        self.stdout.write(
            f"Clôturées depuis plus de {settings.MUTUELLE_RETENTION_CLOSED_DAYS} jours après le dernier contact : "
            f"{_summary(result.closed, ANONYMISED, dry_run=dry_run)}."
        )
        self.stdout.write(
            f"Restées sans suite plus de {settings.MUTUELLE_RETENTION_UNTOUCHED_DAYS} jours : "
            f"{_summary(result.untouched, CLOSED_AND_ANONYMISED, dry_run=dry_run)}."
        )
        appointments = purge_appointments(dry_run=dry_run)
        self.stdout.write(
            "Rendez-vous des permanences passées depuis plus de trois mois : "
            f"{_appointments(appointments, dry_run=dry_run)}."
        )
        if dry_run:
            return
        if result.total:
            self.stdout.write(self.style.SUCCESS(f"Terminé : {_summary(result.total, ANONYMISED, dry_run=False)}."))
        else:
            self.stdout.write(self.style.SUCCESS("Terminé : aucune demande à anonymiser."))
