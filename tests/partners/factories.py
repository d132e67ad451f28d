"""Factories of the partners app: the contract's partners."""

import factory
from factory.django import DjangoModelFactory

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
