"""Factories of the actions app: the contract's axes and objectives, the actions and their tags."""

import factory
from factory.django import DjangoModelFactory

from actions.enums import ActionKind
from actions.models import Action, Audience, Axis, Neighbourhood, Objective, Theme


def axis(number=1):
    """The axes exist from the data migration: tests pick one, they never create them."""
    return Axis.objects.get(number=number)


class ObjectiveFactory(DjangoModelFactory):
    class Meta:
        model = Objective
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Objectif du contrat numéro {n + 1}")


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
