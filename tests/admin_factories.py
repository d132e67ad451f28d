"""Factories the admin tests need beyond tests/factories.py."""

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from actions.models import Objective


class ObjectiveFactory(DjangoModelFactory):
    class Meta:
        model = Objective
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Objectif du contrat numéro {n + 1}")


class StaffUserFactory(DjangoModelFactory):
    """A staff account in no group: it may log into the admin but has no rights on content."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"agent-{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    is_staff = True


def verified_login(client, user):
    """Log ``user`` in with a session verified by two-factor authentication, as the login wizard leaves it.

    Gives the user a confirmed TOTP device (the authenticator app) and stores it in the session
    the way ``django_otp.login`` does. Returns the device.
    """
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, name="default").first() or TOTPDevice.objects.create(
        user=user, name="default", confirmed=True
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device
