"""Site-wide pages: the contract, contact and legal pages, errors, health, robots, sitemap, feed."""

import datetime
import re
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.shortcuts import render
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import Axis, Objective
from creteil_cls.sitemaps import ActionSitemap
from tests.actions.factories import ActionFactory, axis
from tests.events.factories import EventFactory, PlaceFactory
from tests.helpers import assert_not_found_page, h1s_of, paris_datetime, squash, title_of
from tests.partners.factories import PartnerFactory

FOOTER_CONFORMANCE = "Accessibilité : partiellement conforme"


def element_by_id(body, element_id):
    """The HTML of the element with this id, up to its closing tag (no nesting of the same tag)."""
    match = re.search(rf'<(\w+)[^>]*\bid="{element_id}"[^>]*>(.*?)</\1>', body, re.S)
    assert match, f"pas d’élément #{element_id}"
    return match.group(2)


STATIC_PAGES = [
    ("about", "Le Contrat local de santé", "Le Contrat local de santé de Créteil"),
    ("contact", "Contact", "Contacter le service Prévention-Santé"),
    ("legal", "Mentions légales", "Mentions légales"),
    ("privacy", "Données personnelles", "Données personnelles"),
    ("accessibility", "Déclaration d’accessibilité", "Déclaration d’accessibilité"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("url_name", "title", "h1"), STATIC_PAGES)
def test_static_page_has_its_title_one_h1_and_the_footer_conformance(client, url_name, title, h1):
    response = client.get(reverse(url_name))

    assert response.status_code == 200
    body = response.content.decode()
    assert title_of(body) == f"{title} | CLS Créteil"
    assert h1s_of(body) == [h1]
    assert FOOTER_CONFORMANCE in body
    assert 'name="description"' in body
    # The CSP forbids inline script and style.
    assert "<script" not in body
    assert "style=" not in body


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["contact", "legal", "privacy", "accessibility"])
def test_contact_and_legal_pages_make_no_query(client, django_assert_num_queries, url_name):
    with django_assert_num_queries(0):
        client.get(reverse(url_name))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "label"),
    [
        ("about", "Le CLS"),
        ("contact", "Contact"),
        ("legal", "Mentions légales"),
        ("privacy", "Données personnelles"),
        ("accessibility", "Accessibilité"),
    ],
)
def test_static_page_breadcrumbs_end_on_the_page(client, url_name, label):
    body = client.get(reverse(url_name)).content.decode()

    breadcrumbs = re.search(r'<nav[^>]*aria-label="Fil d’Ariane"[^>]*>(.*?)</nav>', body, re.S).group(1)
    assert squash(breadcrumbs) == f"Accueil {label}"
    assert f'aria-current="page">{label}</li>' in breadcrumbs


@pytest.mark.django_db
def test_contact_page_gives_the_ccas_phone_and_the_emergency_numbers(client):
    body = client.get(reverse("contact")).content.decode()

    assert '<a href="tel:+33149808868">01 49 80 88 68</a>' in body
    assert '<a href="tel:15">15</a>' in body
    assert '<a href="tel:112">112</a>' in body
    assert '<a href="tel:3114">3114</a>' in body
    assert '<a href="tel:116117">116 117</a>' in body
    main = body.split('id="contenu"', 1)[1]
    assert "<form" not in main  # no contact form in this version, only the header's search


@pytest.mark.django_db
def test_privacy_page_has_the_mutuelle_section_and_the_cnil(client):
    body = client.get(reverse("privacy")).content.decode()

    assert "Demande d’information sur la mutuelle communale" in body
    assert 'href="https://www.cnil.fr/fr/plaintes"' in body
    assert '<th scope="col">Nom</th>' in body
    assert '<th scope="row">csrftoken</th>' in body


@pytest.mark.django_db
def test_accessibility_statement_gives_status_date_and_recourse(client):
    body = squash(client.get(reverse("accessibility")).content.decode())

    assert "partiellement conforme" in body
    assert "RGAA" in body
    assert "Déclaration établie le 23 novembre 2026, mise à jour le 30 novembre 2026." in body
    # What was checked, how, and what remains.
    assert "analysées par l’outil axe-core" in body
    assert "320 pixels" in body
    assert "Aucun audit n’a encore été mené par un auditeur RGAA" in body
    assert "pas encore été essayé avec des lecteurs d’écran" in body
    assert "article 47 de la loi n° 2005-102" in body
    assert "09 69 39 00 00" in body
    assert "Libre réponse 71120, 75342 Paris CEDEX 07" in body


@pytest.mark.django_db
def test_legal_page_names_the_publisher_without_inventing_people(client):
    body = squash(client.get(reverse("legal")).content.decode())

    assert "Ville de Créteil" in body
    assert "Le maire de Créteil, directeur de la publication." in body
    assert "Hébergement" in body
    assert "licence MIT" in body
    assert "À compléter" not in body  # the reminders for the editors stay in template comments


# The contract page -------------------------------------------------------------------------


@pytest.mark.django_db
def test_le_cls_tells_the_history(client):
    body = squash(client.get(reverse("about")).content.decode())

    assert "Octobre 2015" in body
    assert "2013" in body
    assert "7 mars 2022" in body
    assert "2027" in body
    assert "Conseil local de santé mentale" in body
    assert "Agence régionale de santé Île-de-France" in body
    assert "préfecture du Val-de-Marne" in body


@pytest.mark.django_db
def test_le_cls_lists_the_objectives_from_the_data_in_order(client):
    texts = [f"Objectif numéro {number} du contrat" for number in range(1, 7)]
    for number, text in reversed(list(enumerate(texts, start=1))):
        Objective.objects.create(number=number, text=text)

    body = client.get(reverse("about")).content.decode()

    objectives = element_by_id(body, "titre-objectifs")
    assert objectives == "Les objectifs du contrat de 2022"
    listed = re.findall(r"<li>(Objectif numéro \d du contrat)</li>", body)
    assert listed == texts


@pytest.mark.django_db
def test_le_cls_without_objectives_has_no_empty_list(client):
    body = client.get(reverse("about")).content.decode()

    assert 'id="titre-objectifs"' not in body


@pytest.mark.django_db
def test_le_cls_links_the_five_axes_with_their_number_of_published_actions(client):
    ActionFactory.create_batch(2, axis=axis(1))
    ActionFactory(axis=axis(3))
    ActionFactory(axis=axis(3), published=False)

    body = client.get(reverse("about")).content.decode()

    for current in Axis.objects.all():
        assert f'href="{current.get_absolute_url()}"' in body
    text = squash(body)
    assert f"Axe 1 : {axis(1).name} {axis(1).summary} 2 actions publiées" in text
    assert f"Axe 3 : {axis(3).name} {axis(3).summary} 1 action publiée" in text
    assert f"Axe 2 : {axis(2).name} {axis(2).summary} Pas encore d’action publiée" in text


@pytest.mark.django_db
def test_le_cls_lists_the_signatories_and_counts_them_from_the_data(client):
    names = ["Hôpital des Essais", "Université des Essais", "Caisse des Essais"]
    for name in names:
        PartnerFactory(name=name, is_signatory=True)
    PartnerFactory(name="Association Non Signataire", is_signatory=False)
    PartnerFactory(name="Signataire Dépublié", is_signatory=True, published=False)

    body = client.get(reverse("about")).content.decode()

    assert squash(element_by_id(body, "nombre-signataires")) == "Le contrat de 2022 réunit 3 signataires :"
    signatories = element_by_id(body, "liste-signataires")
    assert all(name in signatories for name in names)
    assert "Association Non Signataire" not in signatories
    assert "Association Non Signataire" not in body
    assert "Signataire Dépublié" not in body


@pytest.mark.django_db
def test_le_cls_without_signatories_says_so(client):
    PartnerFactory(is_signatory=False)

    body = client.get(reverse("about")).content.decode()

    assert 'id="liste-signataires"' not in body
    assert "La liste des signataires sera bientôt publiée." in body


@pytest.mark.django_db
def test_le_cls_points_to_the_access_to_care_actions_and_the_ccas(client):
    body = client.get(reverse("about")).content.decode()

    assert f'href="{reverse("actions:list")}?axe=acces-aux-droits-et-aux-soins"' in body
    assert Axis.objects.filter(slug="acces-aux-droits-et-aux-soins").exists()
    assert '<a href="tel:+33149808868">01 49 80 88 68</a>' in body


@pytest.mark.django_db
@pytest.mark.parametrize("signatory_count", [3, 30])
def test_le_cls_query_budget_does_not_grow_with_the_signatories(client, django_assert_max_num_queries, signatory_count):
    PartnerFactory.create_batch(signatory_count, is_signatory=True)
    for number in range(1, 7):
        Objective.objects.create(number=number, text=f"Objectif {number}")
    ActionFactory.create_batch(3)

    with django_assert_max_num_queries(3):
        response = client.get(reverse("about"))

    assert response.status_code == 200
    assert f"réunit {signatory_count} signataires" in response.content.decode()


@pytest.mark.django_db
def test_le_cls_same_number_of_queries_with_3_and_30_signatories(client):
    PartnerFactory.create_batch(3, is_signatory=True)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("about"))
    PartnerFactory.create_batch(27, is_signatory=True)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("about"))

    assert len(few.captured_queries) == len(many.captured_queries)


# Errors ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_unknown_url_gives_the_french_404_page_with_a_search_form(client):
    response = client.get("/cette-page-n-existe-pas/")

    assert response.status_code == 404
    body = response.content.decode()
    assert h1s_of(body) == ["Page introuvable"]
    assert title_of(body) == "Page introuvable | CLS Créteil"
    assert f'action="{reverse("search")}"' in body
    assert '<label for="recherche-404"' in body
    assert re.search(r'<input id="recherche-404"[^>]*name="q"[^>]*maxlength="200"', body, re.S)
    assert f'href="{reverse("home")}"' in body
    assert FOOTER_CONFORMANCE in body


@pytest.mark.django_db
def test_unknown_action_gives_the_french_404_page(client):
    response = client.get(reverse("actions:detail", args=["action-inconnue"]))

    assert response.status_code == 404
    assert h1s_of(response.content.decode()) == ["Page introuvable"]


@pytest.mark.django_db
@pytest.mark.urls("tests.site.urls_error")
def test_a_bad_request_gives_the_french_400_page(client):
    response = client.get("/test/illisible/")

    assert response.status_code == 400
    body = response.content.decode()
    assert h1s_of(body) == ["Cette adresse ne peut pas être lue"]
    assert "01 49 80 88 68" in body
    assert f'href="{reverse("home")}"' in body


@pytest.mark.django_db
@pytest.mark.urls("tests.site.urls_error")
def test_permission_denied_gives_the_french_403_page(client):
    response = client.get("/test/interdit/")

    assert response.status_code == 403
    body = response.content.decode()
    assert h1s_of(body) == ["Vous n’avez pas accès à cette page"]
    assert f'href="{reverse("home")}"' in body
    assert f'href="{reverse("search")}"' in body


@pytest.mark.django_db
@pytest.mark.urls("tests.site.urls_error")
def test_server_error_gives_the_french_500_page(client):
    client.raise_request_exception = False

    response = client.get("/test/panne/")

    assert response.status_code == 500
    body = response.content.decode()
    assert h1s_of(body) == ["Le site rencontre un problème"]
    assert title_of(body) == "Erreur du site | CLS Créteil"
    assert f'href="{reverse("home")}"' in body
    assert f'href="{reverse("search")}"' in body
    # The handler passes the site's variables itself: the footer's phone link is complete.
    assert '<a href="tel:+33149808868">01 49 80 88 68</a>' in body
    assert FOOTER_CONFORMANCE in body


@pytest.mark.django_db
@pytest.mark.urls("tests.site.urls_error")
def test_database_down_gives_a_503_page_that_asks_to_come_back(client):
    client.raise_request_exception = False

    response = client.get("/test/base-indisponible/")

    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    assert h1s_of(response.content.decode()) == ["Le site est momentanément indisponible"]


@pytest.mark.django_db
@pytest.mark.urls("tests.site.urls_error")
def test_server_error_page_needs_neither_context_processors_nor_database(client, settings):
    """A failing context processor or database must not take the 500 page down with it."""
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "OPTIONS": {
                **settings.TEMPLATES[0]["OPTIONS"],
                "context_processors": ["tests.site.test_pages.exploding_context_processor"],
            },
        }
    ]
    client.raise_request_exception = False

    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError):
        response = client.get("/test/panne/")

    assert response.status_code == 500
    assert h1s_of(response.content.decode()) == ["Le site rencontre un problème"]


def exploding_context_processor(request):
    raise AssertionError("the 500 page must not run the context processors")


def test_500_template_renders_with_no_context_at_all():
    response = render(None, "500.html")

    body = response.content.decode()
    assert h1s_of(body) == ["Le site rencontre un problème"]
    assert '<a href="tel:+33149808868">01 49 80 88 68</a>' in body


# Health ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_health_answers_200_when_the_database_answers(client):
    response = client.get(reverse("health"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_answers_503_when_the_database_does_not(client):
    with mock.patch("django.db.connection.cursor", side_effect=OperationalError("injoignable")):
        response = client.get(reverse("health"))

    assert response.status_code == 503
    assert response.json()["status"] == "erreur"


@pytest.mark.django_db
def test_health_also_checks_redis_when_the_site_uses_it(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    reachable = client.get(reverse("health"))
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    unreachable = client.get(reverse("health"))
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    assert reachable.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert unreachable.status_code == 503
    assert unreachable.json() == {"status": "erreur", "database": "ok", "cache": "injoignable"}


@pytest.mark.django_db
def test_health_answers_plain_http_where_every_other_page_goes_to_https(client, settings):
    # The load balancer probes an instance directly, without the proxy's X-Forwarded-Proto.
    settings.SECURE_SSL_REDIRECT = True

    health = client.get(reverse("health"))
    home = client.get(reverse("home"))

    assert health.status_code == 200
    assert health.json() == {"status": "ok", "database": "ok"}
    assert home.status_code == 301
    assert home["Location"] == "https://testserver/"


# Machine-readable --------------------------------------------------------------------------


def test_robots_txt_disallows_the_admin_and_names_the_sitemap(client):
    response = client.get(reverse("robots"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


@pytest.mark.django_db
def test_actions_feed_is_rss_with_published_actions_only(client):
    ActionFactory(title="Atelier publié sur le sommeil")
    ActionFactory(title="Brouillon non publié", published=False)

    response = client.get(reverse("actions:feed"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    body = response.content.decode()
    assert "<rss" in body
    assert "<title>Atelier publié sur le sommeil</title>" in body
    assert "Brouillon non publié" not in body


# Sitemap: an index (/sitemap.xml) of one sitemap per section, each paginated ---------------

SITEMAP_SECTIONS = ["pages", "mutuelle", "axes", "actions", "partners", "events", "places"]


def sitemap_locations(response):
    """The paths of a sitemap's or a sitemap index's <loc>s, in order."""
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    return re.findall(r"<loc>http://testserver(.*?)</loc>", response.content.decode())


def section_url(section):
    return reverse("sitemap", kwargs={"section": section})


@pytest.mark.django_db
def test_sitemap_is_an_index_of_one_sitemap_per_section(client):
    ActionFactory()

    response = client.get(reverse("sitemap"))

    assert "<sitemapindex" in response.content.decode()
    assert sitemap_locations(response) == [f"/sitemap-{section}.xml" for section in SITEMAP_SECTIONS]


@pytest.mark.django_db
def test_sitemap_index_gives_the_latest_change_of_a_section(client):
    ActionFactory()
    latest = ActionFactory()
    ActionFactory(published=False)  # saved last, but not in the sitemap

    body = client.get(reverse("sitemap")).content.decode()

    entry = re.search(r"<loc>http://testserver/sitemap-actions.xml</loc>\s*<lastmod>(.*?)</lastmod>", body)
    assert datetime.datetime.fromisoformat(entry.group(1)) == latest.updated_at


@pytest.mark.django_db
def test_sitemap_index_links_every_page_of_a_long_section(client, monkeypatch):
    monkeypatch.setattr(ActionSitemap, "limit", 2)
    actions = ActionFactory.create_batch(5)

    index = sitemap_locations(client.get(reverse("sitemap")))

    pages = [loc for loc in index if loc.startswith("/sitemap-actions.xml")]
    assert pages == ["/sitemap-actions.xml", "/sitemap-actions.xml?p=2", "/sitemap-actions.xml?p=3"]
    listed = [sitemap_locations(client.get(page)) for page in pages]
    assert [len(locations) for locations in listed] == [2, 2, 1]
    assert sorted(sum(listed, [])) == sorted(action.get_absolute_url() for action in actions)
    assert_not_found_page(client.get("/sitemap-actions.xml?p=4"))


@pytest.mark.django_db
def test_sitemap_sections_list_axes_and_static_pages(client):
    pages = set(sitemap_locations(client.get(section_url("pages"))))
    axes = sitemap_locations(client.get(section_url("axes")))

    static = ["home", "about", "actions:list", "events:list", "partners:list", "contact", "legal", "privacy"]
    assert {reverse(name) for name in [*static, "accessibility"]} <= pages
    assert axes == [a.get_absolute_url() for a in Axis.objects.order_by("number")]


@pytest.mark.django_db
def test_sitemap_sections_list_published_actions_and_partners_only(client):
    published_action = ActionFactory(slug="action-publiee")
    hidden_action = ActionFactory(slug="action-cachee", published=False)
    published_partner = PartnerFactory(slug="partenaire-publie")
    hidden_partner = PartnerFactory(slug="partenaire-cache", published=False)

    actions = sitemap_locations(client.get(section_url("actions")))
    partners = sitemap_locations(client.get(section_url("partners")))

    assert actions == [published_action.get_absolute_url()]
    assert partners == [published_partner.get_absolute_url()]
    assert hidden_action.get_absolute_url() not in actions
    assert hidden_partner.get_absolute_url() not in partners


@pytest.mark.django_db
def test_sitemap_sections_list_upcoming_events_and_published_places_only(client):
    upcoming = EventFactory(start=paris_datetime(2030, 3, 14, 10), end=paris_datetime(2030, 3, 14, 12))
    past = EventFactory(start=paris_datetime(2020, 3, 14, 10), end=paris_datetime(2020, 3, 14, 12))
    of_a_hidden_action = EventFactory(action=ActionFactory(published=False))
    hidden_place = PlaceFactory(published=False)

    events = sitemap_locations(client.get(section_url("events")))
    places = sitemap_locations(client.get(section_url("places")))

    assert events == [upcoming.get_absolute_url()]
    assert past.get_absolute_url() not in events
    assert of_a_hidden_action.get_absolute_url() not in events
    assert upcoming.place.get_absolute_url() in places
    assert hidden_place.get_absolute_url() not in places


# The index: the latest change and the count of each of the four content sections, the count of
# the axes. A section page: its count and its rows.
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "budget"), [("/sitemap.xml", 9), ("/sitemap-actions.xml", 2), ("/sitemap-events.xml", 2)]
)
def test_sitemap_query_count_does_not_grow_with_the_content(client, url, budget, django_assert_max_num_queries):
    EventFactory.create_batch(3)  # each with its own action and place
    PartnerFactory.create_batch(3)
    with django_assert_max_num_queries(budget) as few:
        client.get(url)

    EventFactory.create_batch(27)
    PartnerFactory.create_batch(27)
    with django_assert_max_num_queries(budget) as many:
        response = client.get(url)

    assert sitemap_locations(response)
    assert len(many) == len(few)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "page", ["0", "-1", "3", "99999", "abc", "1.5", "", pytest.param("9" * 5000, id="5000-chiffres")]
)
def test_sitemap_bogus_page_number_is_a_404(client, page):
    ActionFactory.create_batch(3)

    first = client.get("/sitemap-actions.xml", {"p": "1"})
    assert first.status_code == 200
    assert len(sitemap_locations(first)) == 3
    assert_not_found_page(client.get("/sitemap-actions.xml", {"p": page}))
    assert_not_found_page(client.get("/sitemap-pages.xml", {"p": page}))


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/sitemap-inconnue.xml", "/sitemap-.xml", "/sitemap-actions.xml/"])
def test_sitemap_unknown_section_is_a_404(client, path):
    assert_not_found_page(client.get(path))


@pytest.mark.django_db
def test_sitemap_section_gives_each_page_its_day_of_last_change_in_paris_time(client):
    """A change at 23:30 UTC on 1 December is on 2 December in Créteil (the date of Django's own template)."""
    late = ActionFactory(slug="modifiee-tard")
    early = ActionFactory(slug="modifiee-tot")
    type(late).objects.filter(pk=late.pk).update(updated_at=datetime.datetime(2026, 12, 1, 23, 30, tzinfo=datetime.UTC))
    type(early).objects.filter(pk=early.pk).update(updated_at=datetime.datetime(2026, 12, 1, 8, tzinfo=datetime.UTC))

    body = client.get(section_url("actions")).content.decode()

    entries = dict(re.findall(r"<loc>http://testserver(.*?)</loc><lastmod>(.*?)</lastmod>", body))
    assert entries == {late.get_absolute_url(): "2026-12-02", early.get_absolute_url(): "2026-12-01"}
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<urlset ')
    assert "<changefreq>weekly</changefreq>" in body
