"""The page cache of the public pages (core/cache.py).

The test settings turn it off so that every other test measures real rendering; these tests
turn it on, with an empty cache for each test.
"""

import datetime
import io

import pytest
from django.contrib.admin.models import LogEntry
from django.core.cache import caches
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from actions.models import Action
from core import admin as content_admin
from core import cache as page_cache
from events.enums import EventStatus
from events.models import Event
from mutuelle.models import Formula, Offer
from partners.models import Partner
from tests.actions.factories import ActionFactory, ThemeFactory
from tests.events.factories import EventFactory
from tests.mutuelle.factories import InterestRequestFactory
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300
    caches["pages"].clear()
    page_cache.local_pages.clear()
    yield
    caches["pages"].clear()
    page_cache.local_pages.clear()


@pytest.fixture
def content():
    action = ActionFactory(title="Ateliers mémoire", slug="ateliers-memoire", featured=True)
    event = EventFactory(title="Café santé du mardi", slug="cafe-sante", action=action)
    partner = PartnerFactory(name="Association Équilibre", slug="equilibre")
    return {"action": action, "event": event, "partner": partner}


def public_urls(content):
    event = content["event"]
    start = timezone.localtime(event.start)
    return [
        "/",
        "/le-cls/",
        "/axes/" + content["action"].axis.slug + "/",
        "/actions/",
        "/actions/?page=1",
        content["action"].get_absolute_url(),
        "/partenaires/",
        content["partner"].get_absolute_url(),
        "/agenda/",
        f"/agenda/{start:%Y}/{start:%m}/",
        event.get_absolute_url(),
        event.get_ics_url(),
        event.place.get_absolute_url(),
        "/agenda.ics",
        "/flux/agenda/",
        "/flux/actions/",
        "/sitemap.xml",
        "/sitemap-actions.xml",
        "/sitemap-events.xml?p=1",
        "/robots.txt",
        "/mentions-legales/",
        "/contact/",
        "/mutuelle/",
        "/recherche/?q=memoire",
    ]


def test_second_anonymous_request_is_served_from_the_cache_without_sql(client, content, django_assert_num_queries):
    for url in public_urls(content):
        first = client.get(url)
        assert first.status_code == 200, url
        assert first["X-Cache"] == "MISS", url
        with django_assert_num_queries(0):
            second = client.get(url)
        assert second.status_code == 200, url
        assert second["X-Cache"] == "HIT", url
        assert second.content == first.content, url


def test_cached_pages_keep_the_security_headers(client, content):
    client.get("/")
    hit = client.get("/")
    assert hit["X-Cache"] == "HIT"
    assert "default-src 'self'" in hit["Content-Security-Policy"]
    assert hit["X-Frame-Options"] == "DENY"
    assert hit["X-Content-Type-Options"] == "nosniff"


def test_head_is_served_from_the_get_copy(client, content, django_assert_num_queries):
    client.get("/actions/")
    with django_assert_num_queries(0):
        response = client.head("/actions/")
    assert response.status_code == 200
    assert response["X-Cache"] == "HIT"


def test_a_saved_change_shows_on_the_next_request(client, content):
    action = content["action"]
    assert "Ateliers mémoire" in client.get("/").text
    assert client.get("/")["X-Cache"] == "HIT"

    action.title = "Ateliers mémoire et équilibre"
    action.save()

    for url in ("/", "/actions/", action.get_absolute_url()):
        response = client.get(url)
        assert "Ateliers mémoire et équilibre" in response.text, url


def test_a_deletion_and_a_many_to_many_change_show_at_once(client, content):
    action, partner = content["action"], content["partner"]
    theme = ThemeFactory(name="Sommeil et récupération")
    assert "Sommeil et récupération" not in client.get(action.get_absolute_url()).text
    assert "Association Équilibre" in client.get("/partenaires/").text

    action.themes.add(theme)  # m2m_changed only, no save of the action
    assert "Sommeil et récupération" in client.get(action.get_absolute_url()).text

    partner.delete()
    assert "Association Équilibre" not in client.get("/partenaires/").text


def test_a_change_of_the_mutuelle_offer_shows_at_once(client):
    offer = Offer.objects.create(
        insurer=PartnerFactory(name="Assureur de test"),
        summary="Une complémentaire santé à tarif négocié.",
        who_can_join="Les Cristoliens.",
        coverage="Soins courants.",
        how_to_join="Prendre rendez-vous.",
    )
    formula = Formula.objects.create(offer=offer, name="Formule Essentielle")
    assert "Formule Essentielle" in client.get("/mutuelle/").text
    assert client.get("/mutuelle/")["X-Cache"] == "HIT"

    formula.name = "Formule Confort"
    formula.save()

    page = client.get("/mutuelle/")
    assert "Formule Confort" in page.text
    assert "Formule Essentielle" not in page.text


def test_an_interest_request_does_not_empty_the_cache(client, content):
    client.get("/")
    InterestRequestFactory()
    assert client.get("/")["X-Cache"] == "HIT"


def test_an_admin_change_shows_at_once(client, editor_client, content, django_user_model):
    from django.test import Client

    anonymous = Client()
    event = content["event"]
    assert "Café santé du mardi" in anonymous.get("/agenda/").text
    assert anonymous.get("/agenda/")["X-Cache"] == "HIT"

    response = editor_client.post(
        "/admin/events/event/", {"action": "cancel_selected", "_selected_action": [event.pk]}, follow=True
    )
    assert response.status_code == 200
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED

    agenda = anonymous.get("/agenda/")
    assert agenda["X-Cache"] == "MISS"
    assert "annulé" in agenda.text.lower()


def test_a_bulk_publication_shows_at_once(editor_client, content):
    from django.test import Client

    anonymous = Client()
    drafts = ActionFactory.create_batch(2, published=False, title="Brouillon à publier")
    assert "Brouillon à publier" not in anonymous.get("/actions/").text

    editor_client.post(
        "/admin/actions/action/", {"action": "publish_selected", "_selected_action": [a.pk for a in drafts]}
    )

    assert anonymous.get("/actions/").text.count("Brouillon à publier") == 2


def test_a_bulk_action_that_sends_no_signal_still_empties_the_cache(editor_client, content, monkeypatch):
    """An admin action written with ``QuerySet.update()`` (no signal): the admin POST itself invalidates."""
    from django.test import Client

    def publish_with_update(self, request, queryset, *, published):
        queryset.update(published=published)

    monkeypatch.setattr(content_admin.PublishActionsMixin, "_set_published", publish_with_update)
    anonymous = Client()
    draft = ActionFactory(published=False, title="Publiée par update")
    assert "Publiée par update" not in anonymous.get("/actions/").text
    assert anonymous.get("/actions/")["X-Cache"] == "HIT"

    editor_client.post("/admin/actions/action/", {"action": "publish_selected", "_selected_action": [draft.pk]})

    assert Action.objects.get(pk=draft.pk).published
    assert "Publiée par update" in anonymous.get("/actions/").text


def test_an_admin_post_renews_the_section_of_its_model_only(editor_client, content, monkeypatch):
    """The admin POST's own invalidation (no signal) renews the pages of its model's section, not others."""
    from django.test import Client

    def publish_with_update(self, request, queryset, *, published):
        queryset.update(published=published)

    monkeypatch.setattr(content_admin.PublishActionsMixin, "_set_published", publish_with_update)
    anonymous = Client()
    draft = EventFactory(published=False, title="Atelier publié par update", action=content["action"])
    for url in ("/agenda/", "/partenaires/"):
        anonymous.get(url)
        assert anonymous.get(url)["X-Cache"] == "HIT", url

    editor_client.post("/admin/events/event/", {"action": "publish_selected", "_selected_action": [draft.pk]})

    assert Event.objects.get(pk=draft.pk).published
    assert "Atelier publié par update" in anonymous.get("/agenda/").text
    assert anonymous.get("/partenaires/")["X-Cache"] == "HIT"


def test_a_logged_in_editor_never_gets_the_anonymous_copy(client, editor_client, content):
    from django.test import Client

    anonymous = Client()
    draft = ActionFactory(published=False, title="Action en préparation", slug="en-preparation")
    anonymous.get("/")
    assert anonymous.get("/")["X-Cache"] == "HIT"

    home = editor_client.get("/")
    assert "X-Cache" not in home

    preview = editor_client.get(draft.get_absolute_url())
    assert preview.status_code == 200
    assert "Aperçu" in preview.text
    assert "X-Cache" not in preview
    # The preview is not stored for the public either.
    assert anonymous.get(draft.get_absolute_url()).status_code == 404


def test_a_visitor_with_a_pending_message_gets_a_fresh_page(client, content):
    client.get("/")
    client.cookies["messages"] = "quelque-chose"
    assert "X-Cache" not in client.get("/")


@pytest.mark.parametrize(
    "url", ["/mutuelle/demande/", "/mutuelle/eligibilite/?household_size=2&yearly_resources=12000&age=40", "/sante/"]
)
def test_private_and_form_pages_are_never_cached(client, url, django_assert_max_num_queries):
    first = client.get(url)
    second = client.get(url)
    assert first.status_code in (200, 503)
    assert "X-Cache" not in first
    assert "X-Cache" not in second


def test_the_mutuelle_form_gets_a_fresh_csrf_token_each_time(client):
    first = client.get("/mutuelle/demande/")
    fresh = type(client)()
    second = fresh.get("/mutuelle/demande/")
    assert "csrfmiddlewaretoken" in first.text
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value


def test_query_strings_are_different_pages(client, content):
    axis_slug = content["action"].axis.slug
    other = ActionFactory(title="Action d’un autre axe", axis=type(content["action"].axis).objects.get(number=1))
    everything = client.get("/actions/")
    filtered = client.get(f"/actions/?axe={axis_slug}")
    assert filtered["X-Cache"] == "MISS"
    assert other.title in everything.text
    assert other.title not in filtered.text
    assert client.get(f"/actions/?axe={axis_slug}")["X-Cache"] == "HIT"
    assert other.title not in client.get(f"/actions/?axe={axis_slug}").text


def test_junk_query_strings_do_not_fill_the_cache(client, settings, content):
    settings.PAGE_CACHE_MAX_QUERY_PAGES = 3
    for n in range(10):
        assert client.get(f"/actions/?utm_source={n}").status_code == 200
    hits = [client.get(f"/actions/?utm_source={n}").get("X-Cache") for n in range(10)]
    assert hits[:3] == ["HIT"] * 3
    assert "HIT" not in hits[3:]
    # The page without a query string is not part of that budget.
    client.get("/actions/")
    assert client.get("/actions/")["X-Cache"] == "HIT"


def test_a_very_long_query_string_is_never_stored(client, content):
    url = "/actions/?q=" + "x" * 400
    client.get(url)
    assert client.get(url).get("X-Cache") != "HIT"


def test_conditional_get_still_works_on_cached_calendars_and_feeds(client, content, django_assert_num_queries):
    for url in (content["event"].get_ics_url(), "/agenda.ics", "/flux/agenda/"):
        first = client.get(url)
        etag, last_modified = first["ETag"], first["Last-Modified"]
        with django_assert_num_queries(0):
            assert client.get(url, headers={"if-none-match": etag}).status_code == 304
            assert client.get(url, headers={"if-modified-since": last_modified}).status_code == 304
            other = client.get(url, headers={"if-none-match": '"autre"'})
            assert other.status_code == 200
            assert "Café santé du mardi" in other.content.decode()


def test_cached_html_pages_answer_revalidation_with_304(client, content):
    first = client.get("/")
    etag = first["ETag"]
    assert client.get("/", headers={"if-none-match": etag}).status_code == 304
    content["action"].save()
    renewed = client.get("/", headers={"if-none-match": etag})
    assert renewed.status_code == 200
    assert "Ateliers mémoire" in renewed.content.decode()


def test_an_event_that_starts_is_not_kept_for_long(client, settings, content):
    """The lifetime is short, and the day is part of the key: « upcoming » lists renew by themselves."""
    assert settings.PAGE_CACHE_SECONDS <= 600
    Event.objects.filter(pk=content["event"].pk).update(start=timezone.now() - datetime.timedelta(hours=1))
    client.get("/agenda/")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    # The same page tomorrow is a different key: rendered again.
    from unittest import mock

    with mock.patch("core.cache.timezone.localdate", return_value=tomorrow):
        assert client.get("/agenda/")["X-Cache"] == "MISS"


def test_signals_are_connected_to_every_content_model_and_no_personal_data_model():
    labels = {model._meta.label_lower for model in page_cache.content_models()}
    assert {
        "partners.partner",
        "actions.action",
        "actions.axis",
        "actions.theme",
        "events.place",
        "events.event",
        "mutuelle.offer",
        "mutuelle.formula",
        "mutuelle.formulaprice",
        "mutuelle.cssscale",
    } <= labels
    assert "mutuelle.interestrequest" not in labels
    assert not any(label.split(".")[1].startswith("historical") for label in labels)
    assert Partner in set(page_cache.content_models())
    assert LogEntry not in set(page_cache.content_models())


def test_a_cached_feed_is_sent_in_one_piece(client, content):
    """The feeds write their XML in many small pieces; the stored copy is sent as one."""
    client.get("/flux/agenda/")
    hit = client.get("/flux/agenda/")
    assert hit["X-Cache"] == "HIT"
    assert len(list(hit)) == 1


def unreachable_redis_caches(settings):
    """The project's caches, with the page cache in a Redis nobody listens to (port 1)."""
    return {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
    }


def test_an_unreachable_page_cache_only_costs_the_rendering(client, settings, content, caplog):
    # Redis down: the public pages are rendered as if there were no cache, never a 500.
    with override_settings(CACHES=unreachable_redis_caches(settings)):
        first = client.get("/")
        second = client.get(content["action"].get_absolute_url())
        # Saving content still works; its pages are invalidated once the cache is back.
        content["action"].title = "Ateliers mémoire et équilibre"
        content["action"].save()
        again = client.get(content["action"].get_absolute_url())

    assert [first.status_code, second.status_code, again.status_code] == [200, 200, 200]
    assert "X-Cache" not in first
    assert "Ateliers mémoire et équilibre" in again.content.decode()
    assert "Cache des pages injoignable (ConnectionError)" in caplog.text


def test_clear_page_cache_renders_every_page_again(client, content):
    # deploy/deploy.sh runs it once the new code serves: no page of the old templates is kept.
    url = content["action"].get_absolute_url()
    assert client.get(url)["X-Cache"] == "MISS"
    assert client.get(url)["X-Cache"] == "HIT"

    call_command("clear_page_cache", stdout=io.StringIO())

    assert client.get(url)["X-Cache"] == "MISS"


SECURITY_HEADERS = [
    "Content-Security-Policy",
    "Strict-Transport-Security",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Permissions-Policy",
    "X-Frame-Options",
    "Cross-Origin-Opener-Policy",
]


@pytest.mark.parametrize("secure", [True, False])
def test_a_cached_page_carries_exactly_the_headers_of_a_computed_one(client, settings, content, secure):
    settings.SECURE_HSTS_SECONDS = 31536000
    for url in public_urls(content):
        computed = client.get(url, secure=secure)
        cached = client.get(url, secure=secure)
        assert (computed["X-Cache"], cached["X-Cache"]) == ("MISS", "HIT"), url
        for header in SECURITY_HEADERS:
            if header == "Strict-Transport-Security" and not secure:
                assert header not in cached, url  # only over HTTPS, cached or not
                continue
            assert cached[header], (url, header)
        assert {k: v for k, v in cached.items() if k != "X-Cache"} == {
            k: v for k, v in computed.items() if k != "X-Cache"
        }, url


def test_a_cached_page_is_served_before_the_session_and_auth_middleware(client, content):
    client.get("/agenda/")
    hit = client.get("/agenda/")
    assert hit["X-Cache"] == "HIT"
    # The session, auth and messages middleware never ran for this request.
    assert not hasattr(hit.wsgi_request, "session")
    assert not hasattr(hit.wsgi_request, "user")
    assert not hasattr(hit.wsgi_request, "_messages")


def test_another_cookie_does_not_split_the_cache(client, content, django_assert_num_queries):
    """The key varies on what the view says, not on the « Vary: Cookie » the session middleware adds."""
    first = client.get("/actions/")
    assert "Cookie" in first["Vary"]
    client.cookies["csrftoken"] = "a" * 32
    client.cookies["preference"] = "x"
    with django_assert_num_queries(0):
        again = client.get("/actions/")
    assert again["X-Cache"] == "HIT"
    assert again.content == first.content


def test_without_the_early_middleware_the_innermost_one_still_serves_and_stores(client, settings, content):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "core.cache.CachedPageMiddleware"]
    assert client.get("/agenda/")["X-Cache"] == "MISS"
    hit = client.get("/agenda/")
    assert hit["X-Cache"] == "HIT"
    assert hit["X-Frame-Options"] == "DENY"
