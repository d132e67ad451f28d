"""The site's settings: one row the editors keep, shown at once on every page, read without a query once cached."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from PIL import Image

from core.images import NOT_AN_IMAGE
from core.opening_hours import parse_opening_hours, validate_opening_hours
from core.site_settings import PLACEHOLDER_LOGO, SiteSettings, clear_cached_site_settings
from events.models import Place
from tests.actions.factories import ActionFactory
from tests.events.factories import PlaceFactory
from tests.helpers import admin_url, count_queries, h1s_of, squash
from tests.mutuelle.factories import interest_form_data, reset_rate_limits

pytestmark = pytest.mark.django_db


def form_data(site_settings, **changes):
    data = {
        "city_name": site_settings.city_name,
        "logo_alt": site_settings.logo_alt,
        "ccas_name": site_settings.ccas_name,
        "ccas_address": site_settings.ccas_address,
        "ccas_opening_hours": site_settings.ccas_opening_hours,
        "ccas_phone": str(site_settings.ccas_phone or ""),
        "ccas_email": site_settings.ccas_email,
        "publisher_name": site_settings.publisher_name,
        "publisher_address": site_settings.publisher_address,
        "publisher_phone": str(site_settings.publisher_phone or ""),
        "publication_director": site_settings.publication_director,
        "host_name": site_settings.host_name,
        "host_address": site_settings.host_address,
        "host_phone": site_settings.host_phone,
    }
    return {**data, **changes}


def png_upload(name="logo.png", size=(200, 80)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def loaded(initial_content):
    """The row the initial content made (the content is loaded once for the class: tests/conftest.py)."""
    return SiteSettings.objects.get()


# The admin: an editor of « Rédaction » --------------------------------------------------------


def test_the_editors_may_see_and_change_the_settings_never_delete_them():
    codenames = set(Group.objects.get(name="Rédaction").permissions.values_list("codename", flat=True))
    assert {"view_sitesettings", "change_sitesettings", "view_historicalsitesettings"} <= codenames
    assert "delete_sitesettings" not in codenames


def test_before_the_row_exists_the_admin_link_opens_the_add_form(editor_client):
    response = editor_client.get(admin_url(SiteSettings, "changelist"))
    assert response.status_code == 302
    assert response["Location"] == admin_url(SiteSettings, "add")
    assert editor_client.get(admin_url(SiteSettings, "add")).status_code == 200


def test_the_settings_stay_closed_to_staff_without_the_permission(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("sans-droit", is_staff=True))
    assert client.get(admin_url(SiteSettings, "changelist")).status_code == 403


# Cached: no query per page -------------------------------------------------------------------


def test_without_a_row_the_pages_show_the_defaults_and_say_what_is_to_confirm(client):
    contact = squash(client.get("/contact/").content.decode())
    assert "Ville de Créteil" in contact
    assert "Adresse À confirmer : demandez-la par téléphone." in contact
    legal = squash(client.get("/mentions-legales/").content.decode())
    assert "Hébergeur à confirmer" in legal
    assert "Le maire de Créteil, directeur de la publication." in legal


# Places and actions: practical details and map links ------------------------------------------


def test_map_link_from_coordinates_else_from_the_address_else_none(client):
    with_point = PlaceFactory(address="1 rue A, 94000 Créteil", latitude="48.790367", longitude="2.455572")
    with_address = PlaceFactory(address="Place Salvador-Allende, 94000 Créteil")
    unknown = PlaceFactory(address="")
    assert with_point.map_url == "https://www.openstreetmap.org/?mlat=48.790367&mlon=2.455572#map=18/48.790367/2.455572"
    assert (
        with_address.map_url
        == "https://www.openstreetmap.org/search?query=Place+Salvador-Allende%2C+94000+Cr%C3%A9teil"
    )
    assert unknown.map_url == ""
    body = squash(client.get(unknown.get_absolute_url()).content.decode())
    assert "openstreetmap" not in body
    assert "Adresse À confirmer : appelez le CCAS au 01 49 80 88 68" in body


def test_an_action_leads_with_its_summary_and_shows_its_places_hours_and_map(client):
    action = ActionFactory(summary="Un médecin vous reçoit le soir.")
    place = PlaceFactory(
        name="Maison médicale",
        address="5 rue Juliette-Savar, 94000 Créteil",
        opening_hours="Du lundi au vendredi : 20 h – 24 h\nWeek-end et jours fériés : 8 h – 24 h",
        phone="01 45 17 00 00",
    )
    hidden = PlaceFactory(name="Lieu brouillon", published=False)
    place.actions.add(action)
    hidden.actions.add(action)
    html = client.get(action.get_absolute_url()).content.decode()
    body = squash(html)
    # The summary right after the title; the axis only at the end, in words.
    assert (
        body.index("Un médecin vous reçoit le soir.")
        < body.index("En pratique")
        < body.index("Cette action fait partie")
    )
    assert "axis-badge" not in html
    assert f"dans l’axe « {action.axis.name} » (axe {action.axis.number} sur 5)" in body
    assert "Maison médicale" in body and "Lieu brouillon" not in body
    assert "<dt>Du lundi au vendredi</dt>" in html
    assert "Week-end et jours fériés 8 h – 24 h" in body
    assert 'href="tel:+33145170000"' in html
    assert "https://www.openstreetmap.org/search?query=5+rue+Juliette-Savar" in html


def test_the_action_page_queries_do_not_grow_with_its_places(client):
    action = ActionFactory()
    PlaceFactory().actions.add(action)
    few = count_queries(client, action.get_absolute_url())
    for _ in range(5):
        PlaceFactory().actions.add(action)
    assert count_queries(client, action.get_absolute_url()) == few


def test_opening_hours_lines():
    assert parse_opening_hours(" Lundi : 9 h – 12 h \n\nMardi: fermé") == [("Lundi", "9 h – 12 h"), ("Mardi", "fermé")]
    validate_opening_hours("Samedi : 10 h – 12 h : sur rendez-vous")  # a colon in the hours is fine
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_opening_hours("Lundi :")


def test_an_action_card_shows_the_image_staff_provided_with_its_text_alternative(client):
    from tests.site.test_images import encode, two_colour_image

    action = ActionFactory(
        image_alt="Deux enfants se brossent les dents",
        image=SimpleUploadedFile("atelier.png", encode(two_colour_image(), "PNG"), content_type="image/png"),
    )
    ActionFactory(title="Sans image")
    html = client.get("/actions/").content.decode()
    assert f'src="{action.image.url}"' in html
    assert 'alt="Deux enfants se brossent les dents"' in html
    assert html.count("action-card__image") == 1


def test_a_place_page_lists_its_published_actions(client):
    place = PlaceFactory()
    shown = ActionFactory(title="Accueil enfants-parents", summary="Un lieu pour jouer.")
    hidden = ActionFactory(title="Action brouillon", published=False)
    place.actions.add(shown, hidden)
    body = squash(client.get(place.get_absolute_url()).content.decode())
    assert "Ce que vous y trouvez Accueil enfants-parents : Un lieu pour jouer." in body
    assert "Action brouillon" not in body


# The initial content ---------------------------------------------------------------------------


@pytest.mark.usefixtures("initial_content")
class TestOnTheInitialContent:
    """On the initial content of the portal, loaded once for these tests (``initial_content``)."""

    def test_initial_content_creates_the_one_row_once_and_never_overwrites_it(self, loaded):
        assert loaded.city_name == "Ville de Créteil"
        assert loaded.phone == "01 49 80 88 68"
        assert loaded.ccas_address == "" and loaded.host_name == ""  # unknown: never invented
        loaded.city_name = "Ville de Créteil (test)"
        loaded.save()
        call_command("load_cls_content", stdout=io.StringIO())
        assert SiteSettings.objects.get().city_name == "Ville de Créteil (test)"
        assert SiteSettings.objects.count() == 1

    def test_the_cami_and_the_sami_are_places_of_their_actions_with_what_is_unknown_to_confirm(self, loaded):
        cami = Place.objects.get(slug="cami-de-creteil")
        sami = Place.objects.get(slug="sami-de-creteil")
        assert [a.slug for a in cami.actions.all()] == ["cami-centre-d-accueil-medical-initial"]
        assert [a.slug for a in sami.actions.all()] == ["sami-soins-le-soir-et-le-week-end"]
        assert cami.address == cami.phone == cami.opening_hours == ""
        body = squash(Client().get(cami.actions.get().get_absolute_url()).content.decode())
        assert "Cami : centre d’accueil médical initial" in body
        assert "Adresse À confirmer : appelez le CCAS au 01 49 80 88 68" in body
        assert "Horaires À confirmer" in body

    def test_a_second_row_is_refused_by_the_database(self, loaded):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError, match="Le site n’a qu’une fiche de réglages"):
            SiteSettings(pk=2, city_name="Autre").validate_constraints()

    def test_the_admin_link_opens_the_one_row_s_form_without_add_nor_delete(self, editor_client, loaded):
        response = editor_client.get(admin_url(SiteSettings, "changelist"), follow=True)
        assert response.redirect_chain == [(admin_url(SiteSettings, "change", loaded.pk), 302)]
        page = response.content.decode()
        assert admin_url(SiteSettings, "add") not in page
        assert "Modification des réglages du site" in h1s_of(page), h1s_of(page)
        assert "deletelink" not in page
        assert editor_client.get(admin_url(SiteSettings, "add")).status_code == 403
        assert editor_client.get(admin_url(SiteSettings, "delete", loaded.pk)).status_code == 403

    def test_an_editor_changes_the_details_and_every_page_shows_them_at_once(self, editor_client, loaded, settings):
        settings.PAGE_CACHE_SECONDS = 300  # the page cache on, as in production
        visitor = Client()
        assert "8 place de test" not in visitor.get("/contact/").content.decode()  # now in the page cache
        assert visitor.get("/contact/").headers["X-Cache"] == "HIT"

        response = editor_client.post(
            admin_url(SiteSettings, "change", loaded.pk),
            form_data(
                loaded,
                city_name="Ville de Créteil – essai",
                ccas_address="Service Prévention-Santé\n8 place de test\n94000 Créteil",
                ccas_opening_hours="Du lundi au vendredi : 9 h – 12 h\nSamedi : sur rendez-vous",
                ccas_phone="01 45 17 00 00",
                host_name="Hébergeur Essai",
                host_address="1 rue du Serveur, 75000 Paris",
                host_phone="+44 20 7946 0000",
            ),
        )
        assert response.status_code == 302

        contact = visitor.get("/contact/")
        body = squash(contact.content.decode())
        assert "Ville de Créteil – essai" in body  # the header
        assert "8 place de test 94000 Créteil" in body
        assert "Du lundi au vendredi 9 h – 12 h Samedi sur rendez-vous" in body
        assert 'href="tel:+33145170000"' in contact.content.decode()
        assert (
            'href="https://www.openstreetmap.org/search?query=Service+Pr%C3%A9vention-Sant%C3%A9%2C+8+place+de+test'
            in contact.content.decode()
        )
        legal = squash(visitor.get("/mentions-legales/").content.decode())
        assert "Hébergeur Essai" in legal and "1 rue du Serveur, 75000 Paris" in legal and "+44 20 7946 0000" in legal
        # The phone changed everywhere the CCAS is named, the footer of any page included.
        assert "01 45 17 00 00" in squash(visitor.get("/actions/").content.decode())

    def test_opening_hours_without_a_colon_are_refused_and_kept_as_typed(self, editor_client, loaded):
        response = editor_client.post(
            admin_url(SiteSettings, "change", loaded.pk), form_data(loaded, ccas_opening_hours="Lundi 9 h")
        )
        assert response.status_code == 200
        body = response.content.decode()
        assert "Ligne 1 (« Lundi 9 h ») : écrivez les jours, deux-points, puis les horaires." in body
        assert "Lundi 9 h</textarea>" in body

    def test_a_logo_is_checked_by_the_image_rules_and_replaces_the_placeholder(self, editor_client, loaded):
        visitor = Client()
        assert PLACEHOLDER_LOGO in visitor.get("/contact/").content.decode()

        refused = editor_client.post(
            admin_url(SiteSettings, "change", loaded.pk),
            {**form_data(loaded), "logo": SimpleUploadedFile("logo.png", b"<svg></svg>", content_type="image/png")},
        )
        assert refused.status_code == 200
        assert NOT_AN_IMAGE in refused.content.decode()

        response = editor_client.post(
            admin_url(SiteSettings, "change", loaded.pk),
            {**form_data(loaded, logo_alt="Créteil, ville en fête"), "logo": png_upload()},
        )
        assert response.status_code == 302
        stored = SiteSettings.objects.get()
        assert stored.logo.name.startswith("site/logo") and stored.logo.name.endswith(".png")
        body = visitor.get("/contact/").content.decode()
        assert PLACEHOLDER_LOGO not in body
        assert f'src="{stored.logo.url}"' in body and 'alt="Créteil, ville en fête"' in body

    def test_the_settings_cost_no_query_once_cached(self, client, loaded):
        clear_cached_site_settings()
        first = count_queries(client, "/contact/")
        assert first == 1  # the settings, once
        assert count_queries(client, "/contact/") == 0
        assert count_queries(client, "/mentions-legales/") == 0
        assert count_queries(client, "/accessibilite/") == 0

    def test_the_mutuelle_confirmation_mail_gives_the_phone_of_the_settings(
        self, loaded, client, mailoutbox, django_capture_on_commit_callbacks
    ):
        loaded.ccas_phone = "01 23 45 67 89"
        loaded.save()
        reset_rate_limits()

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/mutuelle/demande/", interest_form_data())

        assert response.status_code == 302
        confirmation = next(mail for mail in mailoutbox if mail.to == ["fatoumata@example.org"])
        assert "01 23 45 67 89" in confirmation.body
        assert "01 49 80 88 68" not in confirmation.body
