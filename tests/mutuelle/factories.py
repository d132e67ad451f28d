"""Factories of the mutuelle's interest requests, their notes, and the agents who work them."""

import datetime
import uuid

import factory
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.utils import timezone
from factory.django import DjangoModelFactory

from mutuelle.enums import RequestSource, RequestStatus
from mutuelle.models import FollowUpNote, InterestRequest
from tests.staff.factories import StaffUserFactory


class AgentFactory(StaffUserFactory):
    """A staff member of the « Mutuelle » group (the CCAS mutuelle team)."""

    class Meta:
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"mutuelle-{n}")
    first_name = factory.Sequence(lambda n: f"Agent{n}")
    last_name = "Mutuelle"

    @factory.post_generation
    def mutuelle_group(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get(name="Mutuelle"))


class InterestRequestFactory(DjangoModelFactory):
    """A request made on the website (with consent); pass ``source=`` for one taken by an agent."""

    class Meta:
        model = InterestRequest

    first_name = "Fatoumata"
    last_name = factory.Sequence(lambda n: f"Diallo{n}")
    email = factory.Sequence(lambda n: f"personne{n}@example.org")
    phone = factory.Sequence(lambda n: f"06 12 34 {n // 100 % 100:02d} {n % 100:02d}")
    postal_code = "94000"
    birth_date = datetime.date(1971, 5, 14)
    household_size = 2
    current_cover = "aucune"
    situation = "retraite"
    message = "Je voudrais savoir si je peux adhérer."
    source = RequestSource.WEBSITE
    status = RequestStatus.NEW
    consent_at = factory.LazyAttribute(lambda obj: timezone.now() if obj.source == RequestSource.WEBSITE else None)


class FollowUpNoteFactory(DjangoModelFactory):
    class Meta:
        model = FollowUpNote

    interest_request = factory.SubFactory(InterestRequestFactory)
    author = factory.SubFactory(AgentFactory)
    text = "Appelée, rappeler jeudi après 14 h."


def backdate(obj, **fields):
    """Set auto_now / auto_now_add dates (created_at, updated_at…) that save() would overwrite."""
    type(obj).objects.filter(pk=obj.pk).update(**fields)
    obj.refresh_from_db()
    return obj


def interest_form_data(**overrides):
    """A valid filling of the interest form (/mutuelle/demande/); an override set to None leaves its field out."""
    data = {
        "first_name": "Fatoumata",
        "last_name": "Diallo-N’Diaye",
        "phone": "06 12 34 56 78",
        "email": "fatoumata@example.org",
        "postal_code": "94000",
        "birth_date": "1971-05-14",
        "household_size": "2",
        "current_cover": "aucune",
        "situation": "retraite",
        "contact_method": "telephone",
        "contact_time": "matin",
        "message": "Je voudrais connaître les prix pour deux personnes.",
        "consent": "on",
        "submission_token": uuid.uuid4().hex,
        "site_internet": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def reset_rate_limits():
    """The interest form's limits count per address (127.0.0.1 for every test): start from zero.

    Their store (the ``ratelimit`` cache, a database table without Redis) outlives transactional
    tests, and the default cache holds the rest of what a form post leaves behind.
    """
    caches["default"].clear()
    caches["ratelimit"].clear()


# Appointments at the permanences (issue 15 §3) ---------------------------------------------------


def permanence_action():
    """The mutuelle's action, whose events are the permanences (one per test database)."""
    from actions.models import Action
    from tests.actions.factories import ActionFactory

    return Action.objects.filter(slug="mutuelle-communale").first() or ActionFactory(
        slug="mutuelle-communale", title="La mutuelle communale"
    )


def next_morning(days=7, hour=9):
    """A day ``days`` from now at ``hour`` o'clock, Paris time."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class PermanenceEventFactory(DjangoModelFactory):
    """A permanence of the mutuelle in the agenda: a week from now, 9 h to 12 h (nine 20-minute slots)."""

    class Meta:
        model = "events.Event"

    title = "Permanence de la mutuelle communale"
    slug = factory.Sequence(lambda n: f"permanence-mutuelle-{n}")
    action = factory.LazyFunction(permanence_action)
    place = factory.SubFactory("tests.events.factories.PlaceFactory", name="Hôtel de ville")
    start = factory.LazyFunction(next_morning)
    end = factory.LazyAttribute(lambda event: event.start + datetime.timedelta(hours=3))
    description = "Un conseiller répond à vos questions."
    registration = "conseillee"
    published = True


class AppointmentFactory(DjangoModelFactory):
    class Meta:
        model = "mutuelle.Appointment"

    event = factory.SubFactory(PermanenceEventFactory)
    slot_start = factory.LazyAttribute(lambda appointment: appointment.event.start)
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Martin {chr(ord('a') + n % 26)}")
    email = factory.Sequence(lambda n: f"rdv{n}@example.org")
    phone = "06 12 34 56 78"
    consent_at = factory.LazyFunction(timezone.now)


def appointment_data(last_name="Martin", **values):
    return {"first_name": "Camille", "last_name": last_name, "phone": "", "email": "camille@example.org", **values}
