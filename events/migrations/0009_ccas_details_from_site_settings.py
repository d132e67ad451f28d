"""The CCAS phone is no longer copied into events and places: it is read from the site's settings.

Rows written by ``load_cls_content`` before this change carry a copy of the number. Only the exact
copies are changed; anything an editor wrote differently is left as it is:

- an event with a registration whose phone is the CCAS's (the site's settings, or the server's
  ``CCAS_PHONE``, however it is spaced) becomes « inscription auprès du CCAS », its phone emptied;
- a place whose accessibility notes are exactly the loader's « appelez le CCAS Prévention-Santé au
  … » gets empty notes (the pages then say it, with the current phone);
- the two LAEP places lose the loader's « Pour l'adresse exacte, appelez… » sentence, and their
  « Quartier de …, 94000 Créteil » (not a street address): the pages say « adresse à confirmer ».

Backwards: events « auprès du CCAS » get the phone of the site's settings copied back.
No history row is written (a migration has no editor); the search texts follow at the next
``load_cls_content`` or save.
"""

import re

from django.conf import settings
from django.db import migrations

OLD_ACCESSIBILITY = "Pour savoir comment accéder au lieu avec un handicap, appelez le CCAS Prévention-Santé au {phone}."
OLD_DESCRIPTIONS = {
    "laep-la-habette": (
        "Ouvert depuis janvier 2023, le lieu d’accueil enfants-parents (LAEP) de la Habette reçoit "
        "les enfants de moins de 4 ans avec un parent, et les futures mamans.",
        " Pour l’adresse exacte, appelez le CCAS Prévention-Santé au {phone}.",
    ),
    "espace-jean-ferrat": (
        "Dans le quartier des Bleuets, l’Espace Jean Ferrat accueille depuis janvier 2023 un lieu "
        "d’accueil enfants-parents (LAEP), pour les enfants de moins de 4 ans avec un parent, et les futures "
        "mamans.",
        " Pour l’adresse exacte, appelez le CCAS Prévention-Santé au {phone}.",
    ),
}
OLD_ADDRESSES = {
    "laep-la-habette": "Quartier de la Habette, 94000 Créteil",
    "espace-jean-ferrat": "Quartier des Bleuets, 94000 Créteil",
}


def digits(phone):
    """« 01 49 80 88 68 », « +33 1 49 80 88 68 », « 01.49.80.88.68 » → « 0149808868 »."""
    number = re.sub(r"\D", "", str(phone or ""))
    if number.startswith("33") and len(number) == 11:
        number = "0" + number[2:]
    return number


def ccas_phones(apps):
    """The CCAS phone as it may have been copied: the server's setting and the site's settings."""
    phones = {settings.CCAS_PHONE}
    row = apps.get_model("core", "SiteSettings").objects.filter(pk=1).first()
    if row is not None and row.ccas_phone:
        phones.add(str(row.ccas_phone))
    return {phone for phone in phones if phone}


def forwards(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    Place = apps.get_model("events", "Place")
    phones = ccas_phones(apps)
    wanted = {digits(phone) for phone in phones}

    copied = [
        pk
        for pk, phone in Event.objects.exclude(registration="aucune")
        .exclude(registration_phone="")
        .values_list("pk", "registration_phone")
        if digits(phone) in wanted
    ]
    Event.objects.filter(pk__in=copied).update(registration_with_ccas=True, registration_phone="")

    Place.objects.filter(accessibility_notes__in=[OLD_ACCESSIBILITY.format(phone=p) for p in phones]).update(
        accessibility_notes=""
    )
    for slug, (kept, dropped) in OLD_DESCRIPTIONS.items():
        Place.objects.filter(slug=slug, description__in=[kept + dropped.format(phone=p) for p in phones]).update(
            description=kept
        )
    for slug, address in OLD_ADDRESSES.items():
        Place.objects.filter(slug=slug, address=address).update(address="")


def backwards(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    row = apps.get_model("core", "SiteSettings").objects.filter(pk=1).first()
    phone = str(row.ccas_phone) if row is not None and row.ccas_phone else settings.CCAS_PHONE
    Event.objects.filter(registration_with_ccas=True).update(registration_with_ccas=False, registration_phone=phone)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_site_settings"),
        ("events", "0008_event_registration_with_ccas"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
