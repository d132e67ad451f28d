"""``python manage.py send_event_registration_mails``: the reminders two days before, and the mails still due.

Run every hour by ``deploy/cls-portail-registrations.timer``. Idempotent:

- a reminder goes once, never twice (its date is claimed before it is sent, and given back only
  if the mail server refused it), never for a cancelled registration, never for an event
  cancelled or postponed, never to someone confirmed within the last day;
- the confirmations, the news of a place freed and the notices of a change that the mail server
  refused when they were due are sent again.

The summary gives counts only, never a name or an address.
"""

from django.core.management.base import BaseCommand, CommandError

from events.registrations import registrations_resend_mails, registrations_send_reminders


def _count(count, singular, plural):
    return f"{count} {singular if count <= 1 else plural}"


class Command(BaseCommand):
    help = (
        "Envoie les rappels des inscriptions aux événements deux jours avant, une seule fois, et les courriels "
        "d’inscription restés en attente (confirmation, place libérée, changement). Sans effet s’il n’y a rien à "
        "envoyer."
    )

    def handle(self, *args, **options):
        pending = registrations_resend_mails()
        reminders = registrations_send_reminders()
        self.stdout.write(f"Rappels envoyés : {reminders.sent}. Courriels en attente envoyés : {pending.sent}.")
        failures = pending.failures + reminders.failures
        if failures:
            raise CommandError(
                f"{_count(failures, 'envoi a', 'envois ont')} échoué : vérifiez le serveur de courriel ; "
                "la prochaine exécution réessaiera."
            )
