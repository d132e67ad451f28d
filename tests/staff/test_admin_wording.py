"""The admin in French that agrees with each model's name (staff/wording.py, core/grammar.py).

Walks every registered ModelAdmin's list, add, change and delete pages: no « Ajout de action »,
« Modification de événement », « l’objet action », « actions sélectionnés ». And the names of
the packages' apps and models, the permissions, the index's box of one's last changes, the
page addresses.
"""

import datetime
import re
from html import unescape

import pytest
from axes.models import AccessAttempt, AccessLog
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice

from core.glossary import GlossaryTerm
from core.grammar import GENDERS, Noun
from core.site_settings import SiteSettings
from core.synonyms import Synonym
from mutuelle.models import CssScale, Formula, Offer, Permanence
from tests.actions.factories import ActionFactory, AudienceFactory, NeighbourhoodFactory, ObjectiveFactory, ThemeFactory
from tests.events.factories import EventFactory, PlaceFactory, RegistrationFactory
from tests.mutuelle.factories import AppointmentFactory, InterestRequestFactory
from tests.partners.factories import PartnerFactory

# What it checks is words and markup: the same on either database, checked once (CI's SQLite pass). The
# same admin pages are opened on PostgreSQL by the changelist and change-form tests, the fuzz and axe.
pytestmark = [pytest.mark.django_db, pytest.mark.database_independent]


def page_text(response):
    html = re.sub(r"<script.*?</script>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def title_of(response):
    return unescape(re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S).group(1)).strip()


@pytest.fixture
def one_of_each(admin_user):
    """At least one row of every registered model, for its change and delete pages."""
    partner = PartnerFactory()
    offer = Offer.objects.create(insurer=partner, summary="s", who_can_join="w", coverage="c", how_to_join="h")
    Formula.objects.create(offer=offer, name="Essentiel")
    CssScale.objects.create(
        valid_from=datetime.date(2025, 4, 1), source="s", free_extra_person=1, contribution_extra_person=1
    )
    GlossaryTerm.objects.create(term="CSS", slug="css", definition="d")
    SiteSettings.objects.get_or_create(pk=1)
    Synonym.objects.create(term="c2s", equivalents="complémentaire santé solidaire")
    ObjectiveFactory(), ThemeFactory(), AudienceFactory(), NeighbourhoodFactory()
    EventFactory(action=ActionFactory(), place=PlaceFactory())
    InterestRequestFactory()
    RegistrationFactory()
    appointment = AppointmentFactory()
    Permanence.objects.create(event=appointment.event)
    StaticDevice.objects.create(user=admin_user, name="backup", confirmed=True)
    AccessAttempt.objects.create(username="x", ip_address="10.0.0.1", user_agent="ua", failures_since_start=1)
    AccessLog.objects.create(username="x", ip_address="10.0.0.1", user_agent="ua")


def bad_phrases(noun):
    """What Django's French says about this model that our admin must never say."""
    singular, plural = noun.singular, noun.plural
    phrases = [
        "l’objet",
        "l'objet",
        "l' objet",
        "Sélectionnez l",
        "Êtes-vous sûr",
        f"Ajout de {singular}",
        f"Modification de {singular}",
        f"Affichage de {singular}",
        f"Ajouter {singular}",
    ]
    if noun.feminine:
        phrases.append(f"{plural} sélectionnés")
    return [phrase for phrase in phrases if phrase]


MODELS = sorted(admin.site._registry, key=lambda model: model._meta.label)


def test_every_model_declares_the_gender_of_its_name():
    undeclared = [model._meta.label for model in apps.get_models() if not hasattr(model, "grammatical_gender")]
    assert undeclared == []
    assert {model.grammatical_gender for model in apps.get_models()} <= GENDERS


def test_the_names_with_their_articles():
    action = Noun("action", "actions", "f")
    assert (action.un, action.d_un, action.le, action.du) == ("une action", "d’une action", "l’action", "de l’action")
    assert action.delete_selected == "Supprimer les actions sélectionnées"
    event = Noun("événement", "événements", "m")
    assert (event.d_un, event.du, event.add_title) == ("d’un événement", "de l’événement", "Ajout d’un événement")
    partner = Noun("partenaire", "partenaires", "m")
    assert (partner.le, partner.du, partner.delete_selected) == (
        "le partenaire",
        "du partenaire",
        "Supprimer les partenaires sélectionnés",
    )
    formula = Noun("formule", "formules", "f")
    assert (formula.le, formula.change_title) == ("la formule", "Modification de la formule")
    settings = Noun("réglages du site", "réglages du site", "mpl")
    assert (settings.le, settings.change_title) == ("les réglages du site", "Modification des réglages du site")


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label)
def test_every_admin_page_of_every_model_reads_right(admin_client, one_of_each, model):
    opts = model._meta
    noun = Noun.of(model)
    model_admin = admin.site._registry[model]
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"no {opts.label} to show: add one to the one_of_each fixture"
    info = opts.app_label, opts.model_name

    pages = {"changelist": reverse("admin:{}_{}_changelist".format(*info))}
    if model_admin.has_add_permission(_request_of(admin_client)):
        pages["add"] = reverse("admin:{}_{}_add".format(*info))
    pages["change"] = reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
    if model_admin.has_delete_permission(_request_of(admin_client), obj):
        pages["delete"] = reverse("admin:{}_{}_delete".format(*info), args=[obj.pk])

    for name, url in pages.items():
        response = admin_client.get(url, follow=name == "changelist")  # a singleton's list opens its form
        assert response.status_code == 200, url
        text = page_text(response)
        for phrase in bad_phrases(noun):
            assert phrase not in text, f"{url}: « {phrase} »"
        title = title_of(response)
        if name == "add":
            assert title == noun.add_title
            assert f"Ajouter {noun.un}" in text  # the breadcrumbs
        elif name == "change":
            assert title in {noun.change_title, noun.view_title}
        elif name == "delete":
            assert title == noun.delete_title
            sentence = text.replace("\u00a0", " ")
            assert (
                f"Voulez-vous vraiment supprimer « {obj} » ({noun.singular}) ?" in sentence
                or f"Impossible de supprimer « {obj} » ({noun.singular}) tant que" in sentence
            )
        else:
            assert noun.singular in title or noun.plural.lower() in title.lower()
            if "delete_selected" in model_admin.get_actions(_request_of(admin_client)):
                assert noun.delete_selected in text
            if model_admin.has_add_permission(_request_of(admin_client)):
                assert f"Ajouter {noun.un}" in text  # the button above the list


def _request_of(client):
    """A request of the client's user, for the ModelAdmin's permission methods."""
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = client.get(reverse("admin:index")).wsgi_request.user
    return request


def test_the_feminine_models_examples(admin_client):
    ActionFactory()
    response = admin_client.get(reverse("admin:actions_action_changelist"))
    text = page_text(response)
    assert title_of(response) == "Choisir une action à modifier"
    assert "Supprimer les actions sélectionnées" in text
    assert "Ajouter une action" in text
    assert title_of(admin_client.get(reverse("admin:actions_action_add"))) == "Ajout d’une action"
    # The bulk actions bar does not say « Action : » on a list of (prevention) actions.
    assert "Pour la sélection" in text
    assert "Action :" not in text
    # The filters are headed by the field's name: « Par publiée » does not agree.
    assert "Par publiée" not in text
    assert re.search(r"<summary>\s*Publiée\s*</summary>", response.content.decode())


def test_bulk_deletion_confirmation_agrees(admin_client):
    action = ActionFactory()
    response = admin_client.post(
        reverse("admin:actions_action_changelist"),
        {"action": "delete_selected", "_selected_action": [action.pk], "index": 0},
    )
    assert response.status_code == 200
    assert title_of(response) == "Suppression des actions sélectionnées"
    text = page_text(response)
    assert "objets action" not in text
    assert "je suis sûr" not in text  # the button does not guess the agent's gender
    assert 'value="Oui, supprimer"' in response.content.decode()
    assert "Voulez-vous vraiment supprimer la sélection (action) ?" in text.replace("\u00a0", " ")


def test_messages_after_a_save_need_no_agreement(admin_client):
    theme = ThemeFactory(name="Vaccination")
    response = admin_client.post(
        reverse("admin:actions_theme_change", args=[theme.pk]),
        {"name": "Vaccinations", "slug": theme.slug},
        follow=True,
    )
    messages = [re.sub("<[^>]+>", "", str(message)).replace("\u00a0", " ") for message in response.context["messages"]]
    assert messages == ["Modification enregistrée : thème « Vaccinations »."]


def test_the_index_box_of_ones_own_changes_is_not_called_actions(admin_client):
    text = page_text(admin_client.get(reverse("admin:index")))
    assert "Mes dernières modifications" in text
    assert "Mes actions" not in text
    assert "Actions récentes" not in text


def test_the_packages_apps_and_models_in_french(admin_client):
    text = page_text(admin_client.get(reverse("admin:index")))
    for french in ["Téléphones d’authentification", "Codes de secours", "Listes de codes de secours"]:
        assert french in text
    assert "Tentatives de connexion" in text
    for english in ["Otp_Totp", "Otp_Static", "TOTP devices", "Static devices", "OTP_TOTP"]:
        assert english not in text
    # « Axes » alone is the CLS's axes, never the login lockout app.
    app_names = [app["name"] for app in admin.site.get_app_list(_request_of(admin_client))]
    assert "Axes" not in app_names
    assert "Tentatives de connexion" in app_names


def test_permissions_on_a_users_page_in_french(admin_client, admin_user):
    text = page_text(admin_client.get(reverse("admin:auth_user_change", args=[admin_user.pk])))
    assert "Can add" not in text
    assert "Can view" not in text
    assert "historical" not in text
    for french in [
        "Peut modifier une action",
        "Peut voir une version d’une action",
        "Peut voir une version des partenaires associés d’une action",
        "Peut ajouter un téléphone d’authentification",
        "Peut supprimer une tentative de connexion",
        "Peut modifier les réglages du site",
    ]:
        assert french in text


def test_a_version_page_names_the_app_and_the_model_in_french(admin_client):
    partner = PartnerFactory(name="CPAM du Val-de-Marne")
    version = partner.history.first()
    response = admin_client.get(reverse("admin:partners_partner_simple_history", args=[partner.pk, version.history_id]))
    text = page_text(response)
    assert f"Accueil › Partenaires › Partenaires › {partner} › Historique ›" in text
    assert "Partners" not in text
    assert "Versions des partenaires" not in text
    assert "l' objet" not in text
    assert "Le bouton « Rétablir » ci-dessous remet en place cette version." in text.replace("\u00a0", " ")


@pytest.mark.parametrize(
    ("url_name", "source"),
    [
        ("admin:actions_action_add", "title"),
        ("admin:events_event_add", "title"),
        ("admin:events_place_add", "name"),
        ("admin:partners_partner_add", "name"),
    ],
)
def test_the_page_address_is_named_plainly_and_filled_from_the_title(admin_client, url_name, source):
    response = admin_client.get(reverse(url_name))
    html = unescape(response.content.decode())
    assert "(slug)" not in html
    assert re.search(r'<label[^>]*for="id_slug"[^>]*>Adresse de la page', html)
    assert "La fin de l’adresse web de la page, remplie à partir du" in html
    assert "à changer seulement si nécessaire" in html
    prepopulated = re.search(r'data-prepopulated-fields="([^"]*)"', response.content.decode()).group(1)
    assert '"#id_slug"' in unescape(prepopulated) and f'"#id_{source}"' in unescape(prepopulated)


def test_a_deletion_summary_names_the_link_tables_in_french(admin_client):
    """Deleting an action lists its links to themes and partners as French rows, not Django's
    « Action-theme relationship: Action_themes object (12) »."""
    theme = ThemeFactory(name="Tabac")
    action = ActionFactory(themes=[theme])
    text = page_text(admin_client.get(reverse("admin:actions_action_delete", args=[action.pk])))
    assert "relationship" not in text.casefold()
    assert "object (" not in text
    assert "Lien action – thème: Tabac" in text


def test_the_login_attempts_print_in_french(admin_client):
    when = datetime.datetime(2026, 12, 1, 9, 5, tzinfo=datetime.UTC)
    log = AccessLog.objects.create(username="awa", ip_address="10.0.0.1", user_agent="ua", attempt_time=when)
    AccessLog.objects.filter(pk=log.pk).update(attempt_time=when)
    log.refresh_from_db()
    assert str(log) == "Connexion de « awa » le 1er décembre 2026 à 10 h 05"
    page = page_text(admin_client.get(reverse("admin:axes_accesslog_change", args=[log.pk])))
    assert "Access Log" not in page
    assert "Connexion de « awa »" in page
    assert "Navigateur (User-Agent)" in page and "User Agent" not in page
    attempt = AccessAttempt.objects.create(
        username="awa", ip_address="10.0.0.1", user_agent="ua", failures_since_start=3
    )
    assert str(attempt).startswith("Tentative de connexion de « awa » le ")
