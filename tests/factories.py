import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from actions.enums import ActionKind
from actions.models import Action, Audience, Axis, Neighbourhood, Theme
from partners.enums import PartnerKind
from partners.models import Partner


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partenaire {n}")
    slug = factory.Sequence(lambda n: f"partenaire-{n}")
    kind = PartnerKind.ASSOCIATION
    description = "Un partenaire du contrat local de santé."
    published = True


def axis(number=1):
    """The axes exist from the data migration: tests pick one, they never create them."""
    return Axis.objects.get(number=number)


class ThemeFactory(DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Thème {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")


class AudienceFactory(DjangoModelFactory):
    class Meta:
        model = Audience
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Public {n}")
    slug = factory.Sequence(lambda n: f"public-{n}")


class NeighbourhoodFactory(DjangoModelFactory):
    class Meta:
        model = Neighbourhood
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Quartier {n}")
    slug = factory.Sequence(lambda n: f"quartier-{n}")


class ActionFactory(DjangoModelFactory):
    class Meta:
        model = Action
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Action de prévention {n}")
    slug = factory.Sequence(lambda n: f"action-{n}")
    axis = factory.LazyFunction(lambda: axis(4))
    summary = "Des ateliers gratuits pour prendre soin de sa santé."
    body = "Premier paragraphe.\n\nSecond paragraphe."
    kind = ActionKind.PROGRAMME
    published = True

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)

    @factory.post_generation
    def audiences(self, create, extracted, **kwargs):
        if create and extracted:
            self.audiences.set(extracted)

    @factory.post_generation
    def neighbourhoods(self, create, extracted, **kwargs):
        if create and extracted:
            self.neighbourhoods.set(extracted)

    @factory.post_generation
    def partners(self, create, extracted, **kwargs):
        if create and extracted:
            self.partners.set(extracted)


class PlaceFactory(DjangoModelFactory):
    class Meta:
        model = "events.Place"

    name = factory.Sequence(lambda n: f"Maison de quartier {n}")
    slug = factory.Sequence(lambda n: f"lieu-{n}")
    address = "1 place Salvador-Allende, 94000 Créteil"
    published = True


def paris_datetime(year, month, day, hour=0, minute=0):
    """An aware datetime in the site's time zone (Europe/Paris)."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=timezone.get_default_timezone())


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
