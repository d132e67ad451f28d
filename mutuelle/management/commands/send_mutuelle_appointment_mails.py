"""``python manage.py send_mutuelle_appointment_mails``: the reminders of the appointments two days before,
and the confirmations still due.

Run every hour by ``deploy/cls-portail-appointments.timer``. Idempotent: a reminder goes once,
never twice (its date is claimed before it is sent, and given back only if the mail server
refused it), never for a cancelled appointment or a permanence cancelled or postponed, never to
someone who booked within the last day; the confirmations the mail server refused are sent again.
The summary gives counts only, never a name or an address.
"""

from django.core.management.base import BaseCommand, CommandError

from mutuelle.services.appointments import appointments_resend_mails, appointments_send_reminders


class Command(BaseCommand):
    help = (
        "Envoie les rappels des rendez-vous aux permanences de la mutuelle deux jours avant, une seule fois, et "
        "les confirmations restées en attente. Sans effet s’il n’y a rien à envoyer."
    )

    def handle(self, *args, **options):
        pending = appointments_resend_mails()
        reminders = appointments_send_reminders()
        self.stdout.write(f"Rappels envoyés : {reminders.sent}. Confirmations en attente envoyées : {pending.sent}.")
        failures = pending.failures + reminders.failures
        if failures:
            raise CommandError(
                f"{failures} envoi{'s' if failures > 1 else ''} en échec : vérifiez le serveur de courriel ; "
                "la prochaine exécution réessaiera."
            )
