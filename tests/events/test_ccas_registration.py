"""« Inscription auprès du CCAS »: the CCAS phone, address and hours come from the site's settings.

Issue 11 § 6: the loaders used to copy the CCAS phone into the events (and places, glossary); a
change of number in « Réglages du site » then left the old one on every event. Now an event
« auprès du CCAS » holds no number, and every page, card and calendar file reads it from the
settings when shown.
"""

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.glossary import GlossaryTerm
from core.site_settings import SiteSettings, get_site_settings
from events.enums import Registration
from events.models import Event, Place
from tests.events.factories import EventFactory, PlaceFactory
from tests.helpers import admin_url, count_queries, squash

pytestmark = pytest.mark.django_db

OLD, NEW = "01 49 80 88 68", "01 43 99 12 34"


@pytest.fixture
def site_settings(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row = SiteSettings(ccas_phone=OLD)
        row.save()
    return row


def change_phone(row, phone, capture):
    """As the editors do in the admin: save the settings (the cached copy and the page cache go)."""
    with capture(execute=True):
        row.ccas_phone = phone
        row.save()


def ccas_event(**fields):
    return EventFactory(
        title="Atelier nutrition",
        registration=Registration.REQUIRED,
        registration_with_ccas=True,
        **fields,
    )


def test_the_event_page_and_the_agenda_card_follow_the_settings_phone(
    client, site_settings, django_capture_on_commit_callbacks
):
    event = ccas_event()
    page = squash(client.get(event.get_absolute_url()).content.decode())
    card = squash(client.get("/agenda/").content.decode())
    assert f"Auprès du service Prévention-Santé du CCAS, par téléphone : {OLD}" in page
    assert f"Inscription auprès du CCAS : {OLD}" in card

    change_phone(site_settings, NEW, django_capture_on_commit_callbacks)

    page_html = client.get(event.get_absolute_url()).content.decode()
    card_html = client.get("/agenda/").content.decode()
    page, card = squash(page_html), squash(card_html)
    assert f"Auprès du service Prévention-Santé du CCAS, par téléphone : {NEW}" in page
    assert f"Inscription auprès du CCAS : {NEW}" in card
    assert 'href="tel:+33143991234"' in page_html and 'href="tel:+33143991234"' in card_html
    assert OLD not in page and OLD not in card


def test_the_ccas_address_and_hours_of_the_settings_show_when_known(
    client, site_settings, django_capture_on_commit_callbacks
):
    event = ccas_event()
    assert "ou sur place" not in client.get(event.get_absolute_url()).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        site_settings.ccas_address = "Service Prévention-Santé\n1 rue de l’Exemple\n94000 Créteil"
        site_settings.ccas_opening_hours = "Du lundi au vendredi : 9 h – 12 h"
        site_settings.save()

    page = squash(client.get(event.get_absolute_url()).content.decode())
    assert "ou sur place : Service Prévention-Santé, 1 rue de l’Exemple, 94000 Créteil" in page
    assert "Horaires d’accueil : Du lundi au vendredi : 9 h – 12 h" in page


def test_no_ccas_line_on_a_cancelled_or_past_card(client, site_settings):
    ccas_event(status="annule")
    ccas_event(
        start=timezone.now() - datetime.timedelta(days=3), end=timezone.now() - datetime.timedelta(days=3, hours=-2)
    )
    assert "Inscription auprès du CCAS" not in client.get("/agenda/").content.decode()
    assert "Inscription auprès du CCAS" not in client.get("/agenda/?periode=passes").content.decode()


def test_query_budgets_unchanged_with_ccas_events(client, site_settings):
    # The same budgets as tests/events/test_views.py: the settings are cached, no query per event.
    event = ccas_event()
    get_site_settings()  # read once and cached, as after the first visitor
    assert count_queries(client, event.get_absolute_url()) <= 5
    few = count_queries(client, "/agenda/")
    for _ in range(30):
        ccas_event()
    assert count_queries(client, "/agenda/") == few <= 10


def test_the_calendar_files_give_the_settings_phone_and_change_when_it_does(
    client, site_settings, django_capture_on_commit_callbacks
):
    event = ccas_event()
    single = client.get(event.get_ics_url())
    feed = client.get("/agenda.ics")
    rss = client.get("/flux/agenda/")
    for response in (single, feed):
        text = response.content.decode().replace("\r\n ", "")
        assert f"Inscription obligatoire : auprès du CCAS au {OLD}" in text
    assert f"Inscription obligatoire : auprès du CCAS au {OLD}" in rss.content.decode()

    change_phone(site_settings, NEW, django_capture_on_commit_callbacks)

    # A calendar polling with its ETag gets the new file, not « 304 Not Modified ».
    for url, before in ((event.get_ics_url(), single), ("/agenda.ics", feed), ("/flux/agenda/", rss)):
        after = client.get(url, headers={"if-none-match": before["ETag"]})
        assert after.status_code == 200, url
        assert after["ETag"] != before["ETag"]
        assert f"auprès du CCAS au {NEW}" in after.content.decode().replace("\r\n ", ""), url


def test_the_rules_of_the_ccas_registration():
    # Required, with the CCAS only: enough.
    ccas_event().full_clean()
    with pytest.raises(ValidationError, match="ne va pas avec « Sans inscription »"):
        EventFactory.build(
            action=EventFactory().action, place=None, registration=Registration.NONE, registration_with_ccas=True
        ).full_clean()
    with pytest.raises(ValidationError, match="laissez « téléphone d’inscription » vide"):
        EventFactory.build(
            action=EventFactory().action,
            place=None,
            slug="avec-numero",
            registration=Registration.RECOMMENDED,
            registration_with_ccas=True,
            registration_phone=OLD,
        ).full_clean()


def test_the_admin_explains_the_ccas_registration_in_plain_french(editor_client):
    body = editor_client.get(admin_url(Event, "add")).content.decode()
    assert "Inscription auprès du CCAS" in body
    assert "tels qu’ils sont écrits dans « Réglages du site »" in body
    assert "si le CCAS change de numéro, vous le changez là une fois" in body


def test_the_glossary_gives_the_settings_phone_beside_the_ccas(
    client, site_settings, django_capture_on_commit_callbacks
):
    GlossaryTerm.objects.create(
        term="CCAS", slug="ccas", expansion="centre communal d’action sociale", definition="Le service social."
    )
    change_phone(site_settings, NEW, django_capture_on_commit_callbacks)
    body = squash(client.get("/glossaire/").content.decode())
    assert f"Le service social. Téléphone du service Prévention-Santé : {NEW}" in body
    assert OLD not in body


def test_a_place_without_accessibility_notes_sends_to_the_ccas_with_the_settings_phone(
    client, site_settings, django_capture_on_commit_callbacks
):
    event = EventFactory(place=PlaceFactory(accessibility_notes=""))
    change_phone(site_settings, NEW, django_capture_on_commit_callbacks)
    expected = f"Pas encore d’information sur l’accessibilité de ce lieu : appelez le CCAS au {NEW}"
    assert expected in squash(client.get(event.get_absolute_url()).content.decode())
    assert f"Appelez le CCAS au {NEW} avant de vous déplacer" in squash(
        client.get(event.place.get_absolute_url()).content.decode()
    )


# The data migration of the rows loaded before -------------------------------------------------


def test_the_migration_turns_the_copies_into_the_ccas_mode_and_leaves_the_rest(site_settings):
    migration = importlib.import_module("events.migrations.0009_ccas_details_from_site_settings")
    copied = EventFactory(registration=Registration.RECOMMENDED, registration_phone="+33 1 49 80 88 68")
    other = EventFactory(registration=Registration.REQUIRED, registration_phone="01 45 17 00 00")
    without = EventFactory(registration=Registration.NONE, registration_phone=OLD)
    old_notes = migration.OLD_ACCESSIBILITY.format(phone=OLD)
    habette = PlaceFactory(
        slug="laep-la-habette",
        address="Quartier de la Habette, 94000 Créteil",
        description="".join(migration.OLD_DESCRIPTIONS["laep-la-habette"]).format(phone=OLD),
        accessibility_notes=old_notes,
    )
    edited = PlaceFactory(accessibility_notes=old_notes + " Rampe à l’entrée.")
    # Stored as plain text, as before the rich-text editor (whose field now stores paragraphs).
    Place.objects.filter(pk=habette.pk).update(
        description="".join(migration.OLD_DESCRIPTIONS["laep-la-habette"]).format(phone=OLD),
        accessibility_notes=old_notes,
    )
    Place.objects.filter(pk=edited.pk).update(accessibility_notes=old_notes + " Rampe à l’entrée.")

    migration.forwards(apps, None)

    copied.refresh_from_db(), other.refresh_from_db(), without.refresh_from_db()
    assert (copied.registration_with_ccas, copied.registration_phone) == (True, "")
    assert (other.registration_with_ccas, other.registration_phone) == (False, "01 45 17 00 00")
    assert (without.registration_with_ccas, without.registration_phone) == (False, OLD)
    habette.refresh_from_db(), edited.refresh_from_db()
    assert (habette.address, habette.accessibility_notes) == ("", "")
    assert habette.description == migration.OLD_DESCRIPTIONS["laep-la-habette"][0]
    assert edited.accessibility_notes == old_notes + " Rampe à l’entrée."

    migration.backwards(apps, None)
    copied.refresh_from_db()
    assert (copied.registration_with_ccas, copied.registration_phone) == (False, OLD)


def test_a_place_without_street_address_says_it_is_to_confirm_on_the_event_page(client):
    event = EventFactory(place=PlaceFactory(name="Espace Jean Ferrat", address=""))
    body = squash(client.get(event.get_absolute_url()).content.decode())
    assert "Où ? Espace Jean Ferrat Adresse à confirmer Combien ?" in body


def test_the_contact_page_says_the_email_is_to_confirm_until_staff_enter_it(
    client, site_settings, django_capture_on_commit_callbacks
):
    assert "Courriel À confirmer : appelez le service." in squash(client.get("/contact/").content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        site_settings.ccas_email = "prevention-sante@example.org"
        site_settings.save()
    body = client.get("/contact/").content.decode()
    assert 'href="mailto:prevention-sante@example.org"' in body
    assert "Courriel À confirmer" not in squash(body)
