"""Factories of staff accounts (the mutuelle's agents are in tests/mutuelle/factories.py)."""

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory


class StaffUserFactory(DjangoModelFactory):
    """A staff account in no group: it may log into the admin but has no rights on content."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"agent-{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    is_staff = True
