"""``python manage.py resend_mutuelle_mails``: send the interest requests' mails that did not go.

After a failure of the mail server, a request stays saved with its confirmation (to the
applicant, when an address was given) or its notification (to MUTUELLE_TEAM_EMAIL) still due.
This command sends what is missing and dates it; anonymised requests are left alone.
Idempotent: run it by hand after an incident, or regularly (cron, systemd timer). The summary
gives counts only, never a name or an address.
"""

from django.core.management.base import BaseCommand, CommandError

from mutuelle.services.requests import requests_resend_mails, requests_with_mails_due


def _count(count, singular, plural):
    return f"{count} {singular if count <= 1 else plural}"  # French: « 0 accusé », « 1 accusé », « 2 accusés »


class Command(BaseCommand):
    help = (
        "Envoie les courriels des demandes d’information mutuelle qui ne sont pas partis : accusés de réception "
        "aux personnes qui ont donné une adresse, avis à l’équipe mutuelle. Sans effet s’il n’y a rien à envoyer."
    )

    def handle(self, *args, **options):
        due = requests_with_mails_due().count()
        if not due:
            self.stdout.write("Aucun courriel en attente : rien à envoyer.")
            return
        result = requests_resend_mails()
        self.stdout.write(
            f"{_count(due, 'demande avait', 'demandes avaient')} un courriel en attente. "
            f"Envoyés : {_count(result.confirmations_sent, 'accusé de réception', 'accusés de réception')}, "
            f"{_count(result.notifications_sent, 'avis à l’équipe', 'avis à l’équipe')}."
        )
        if result.failures:
            # A non-zero exit status, so that a cron job or a timer reports it.
            raise CommandError(
                f"{_count(result.failures, 'envoi a', 'envois ont')} encore échoué : vérifiez le serveur de courriel "
                "puis relancez la commande."
            )
