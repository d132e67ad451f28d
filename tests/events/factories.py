"""Factories of the events app: the places and the dated events (paris_datetime is in tests/helpers.py)."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from tests.actions.factories import ActionFactory


class PlaceFactory(DjangoModelFactory):
    class Meta:
        model = "events.Place"

    name = factory.Sequence(lambda n: f"Maison de quartier {n}")
    slug = factory.Sequence(lambda n: f"lieu-{n}")
    address = "1 place Salvador-Allende, 94000 Créteil"
    published = True


class EventFactory(DjangoModelFactory):
    class Meta:
        model = "events.Event"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Café psycho n° {n}")
    slug = factory.Sequence(lambda n: f"evenement-{n}")
    action = factory.SubFactory(ActionFactory)
    place = factory.SubFactory(PlaceFactory)
    start = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    end = factory.LazyAttribute(lambda event: event.start + datetime.timedelta(hours=2))
    description = "Une rencontre ouverte à tous."
    published = True

    @factory.post_generation
    def audiences(self, create, extracted, **kwargs):
        if create and extracted:
            self.audiences.set(extracted)


class PortalEventFactory(EventFactory):
    """An event taking registrations on the site: 20 places, open now, until it starts."""

    registration = "sur_le_site"
    registration_capacity = 20


class RegistrationFactory(DjangoModelFactory):
    class Meta:
        model = "events.Registration"

    event = factory.SubFactory(PortalEventFactory)
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Martin {chr(ord('a') + n % 26)}")
    email = factory.Sequence(lambda n: f"personne{n}@example.org")
    phone = "06 12 34 56 78"
    consent_at = factory.LazyFunction(timezone.now)
