"""The mutuelle listens to the agenda: a permanence cancelled, postponed or moved tells the people who
have an appointment at it (mutuelle.services.appointments). Connected in MutuelleConfig.ready();
``events`` knows nothing of it (the mutuelle sits above the events)."""

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from events.models import Event

from .services.appointments import permanence_changed, permanence_state


@receiver(pre_save, sender=Event, dispatch_uid="mutuelle.permanence_before_save")
def remember_permanence(sender, instance, raw=False, **kwargs):
    if not raw:
        instance._mutuelle_before = permanence_state(instance)


@receiver(post_save, sender=Event, dispatch_uid="mutuelle.permanence_after_save")
def tell_appointments(sender, instance, created=False, raw=False, **kwargs):
    before = getattr(instance, "_mutuelle_before", None)
    if not raw and not created and before is not None:
        instance._mutuelle_before = None
        permanence_changed(instance, before)
