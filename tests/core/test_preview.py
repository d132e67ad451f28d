"""« Prévisualiser » on the content admins' forms (core/preview.py): the public page with the unsaved changes.

Issue 12 §1: the preview shows the page as it will look, for live content too, without saving or
touching the page cache. Each content model with a public page is previewed from its change form
as an editor fills it: the form is read from the change page as a browser would send it.
"""

import re
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import Action, Axis
from core import cache as page_cache
from events.models import Event, Place
from partners.models import Partner
from tests.actions.factories import ActionFactory, AudienceFactory, axis
from tests.events.factories import EventFactory, PlaceFactory
from tests.helpers import admin_url, assert_not_found_page, assert_refused_page, form_data, h1s_of, squash
from tests.partners.factories import PartnerFactory
from tests.staff.factories import StaffUserFactory

pytestmark = pytest.mark.django_db

BANNER = "Aperçu — modifications non enregistrées"
# The session's own row: every admin request renews it (SESSION_SAVE_EVERY_REQUEST), preview or not.
SESSION_TABLE = "django_session"


@dataclass
class Case:
    """A content model previewed from its form: its title field, and the many-to-many field the test changes."""

    model: type
    title_field: str
    make: callable  # → (object, {"old": name shown before, "new": (field value, name shown after)} or None)


def action_case():
    old, new = AudienceFactory(name="Anciens marins"), AudienceFactory(name="Jeunes parents du quartier")
    action = ActionFactory(title="Dépistage du diabète", published=True)
    action.audiences.set([old])
    return action, {"field": "audiences", "old": old.name, "new": (new.pk, new.name)}


def event_case():
    old, new = AudienceFactory(name="Anciens marins"), AudienceFactory(name="Jeunes parents du quartier")
    event = EventFactory(title="Café santé du mardi", published=True)
    event.audiences.set([old])
    return event, {"field": "audiences", "old": old.name, "new": (new.pk, new.name)}


def place_case():
    old = ActionFactory(title="Ateliers mémoire d’autrefois", published=True)
    new = ActionFactory(title="Marche santé du dimanche", published=True)
    place = PlaceFactory(name="Maison de la santé", published=True)
    place.actions.set([old])
    return place, {"field": "actions", "old": old.title, "new": (new.pk, new.title)}


def partner_case():
    return PartnerFactory(name="Association Équilibre", published=True), None


def axis_case():
    return axis(3), None


CASES = {
    "action": Case(Action, "title", action_case),
    "evenement": Case(Event, "title", event_case),
    "lieu": Case(Place, "name", place_case),
    "partenaire": Case(Partner, "name", partner_case),
    "axe": Case(Axis, "name", axis_case),
}
ADDABLE = {name: case for name, case in CASES.items() if case.model is not Axis}


def preview_url(model, pk=None):
    return admin_url(model, "preview", *([pk] if pk is not None else []))


def change_form_data(client, obj):
    """What the object's change form posts as it stands (read from the page, as a browser would)."""
    page = client.get(admin_url(type(obj), "change", obj.pk))
    assert page.status_code == 200
    return form_data(page.text, f"{obj._meta.model_name}_form")


def writes(queries):
    """The SQL statements that change a row, apart from the session's."""
    return [
        query["sql"]
        for query in queries
        if re.match(r"\s*(INSERT|UPDATE|DELETE)\b", query["sql"], re.I) and SESSION_TABLE not in query["sql"]
    ]


def text_of(response):
    return squash(response.content.decode())


# The change form: an editor sees the new title, the new choices, nothing saved ----------------------


@pytest.mark.parametrize("name", CASES)
def test_the_preview_shows_the_unsaved_changes_and_saves_nothing(editor_client, name):
    case = CASES[name]
    obj, relation = case.make()
    saved_title = getattr(obj, case.title_field)
    data = change_form_data(editor_client, obj)
    data[case.title_field] = ["Titre pas encore enregistré"]
    if relation:
        data[relation["field"]] = [relation["new"][0]]

    generation = page_cache.current_generation()

    with CaptureQueriesContext(connection) as queries:
        response = editor_client.post(preview_url(case.model, obj.pk), data)

    assert response.status_code == 200
    assert "Titre pas encore enregistré" in h1s_of(response.content.decode())[0]
    text = text_of(response)
    assert BANNER in text
    assert saved_title not in h1s_of(response.content.decode())[0]
    if relation:
        assert relation["new"][1].casefold() in text.casefold()
        assert relation["old"].casefold() not in text.casefold()
    # Nothing written: no row, no history, no journal entry; the page cache as it was.
    assert writes(queries) == []
    obj.refresh_from_db()
    assert getattr(obj, case.title_field) == saved_title
    if relation:
        assert [str(o) for o in getattr(obj, relation["field"]).all()] == [relation["old"]]
    assert page_cache.current_generation() == generation
    assert response["X-Robots-Tag"] == "noindex"
    cache_control = response["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control
    # The public page has not changed.
    public = editor_client.get(obj.get_absolute_url())
    assert saved_title in h1s_of(public.content.decode())[0]
    assert BANNER not in text_of(public)


@pytest.mark.parametrize("name", ADDABLE)
def test_the_add_form_previews_a_new_object_without_creating_it(editor_client, name):
    case = CASES[name]
    template, _relation = case.make()
    data = change_form_data(editor_client, template)
    data[case.title_field] = ["Un tout nouveau contenu"]
    data["slug"] = ["un-tout-nouveau-contenu"]
    for key in [key for key in data if key.endswith("-INITIAL_FORMS")]:  # the inlines: no saved row yet
        data[key] = ["0"]
        data[key.replace("INITIAL", "TOTAL")] = ["0"]
    count = case.model.objects.count()
    generation = page_cache.current_generation()

    with CaptureQueriesContext(connection) as queries:
        response = editor_client.post(preview_url(case.model), data)

    assert response.status_code == 200, response.content.decode()[:2000]
    assert "Un tout nouveau contenu" in h1s_of(response.content.decode())[0]
    assert BANNER in text_of(response)
    assert writes(queries) == []
    assert case.model.objects.count() == count
    assert page_cache.current_generation() == generation


def test_a_new_action_shows_its_chosen_audiences_and_no_event_yet(editor_client):
    action, relation = action_case()
    EventFactory(action=action, title="Rendez-vous de l’action enregistrée")
    data = change_form_data(editor_client, action)
    data.update(title=["Nouvelle action"], slug=["nouvelle-action"], audiences=[relation["new"][0]])
    data["events-TOTAL_FORMS"] = data["events-INITIAL_FORMS"] = ["0"]

    response = editor_client.post(preview_url(Action), data)

    text = text_of(response)
    assert relation["new"][1] in text and relation["old"] not in text
    assert "Rendez-vous de l’action enregistrée" not in text
    assert "Aucun rendez-vous n’est programmé" in text


def test_the_preview_of_a_live_action_shows_its_saved_events(editor_client):
    action, _relation = action_case()
    EventFactory(action=action, title="Rendez-vous de l’action enregistrée")
    data = change_form_data(editor_client, action)
    data["title"] = ["Dépistage du diabète, nouvelle formule"]

    text = text_of(editor_client.post(preview_url(Action, action.pk), data))

    assert "Rendez-vous de l’action enregistrée" in text


def test_the_preview_shows_the_partners_as_the_public_will_see_them(editor_client):
    """A partner chosen but not published is not shown on the public page: nor in its preview."""
    action, _relation = action_case()
    shown = PartnerFactory(name="Partenaire publié du test", published=True)
    hidden = PartnerFactory(name="Partenaire en brouillon du test", published=False)
    data = change_form_data(editor_client, action)
    data["partners"] = [shown.pk, hidden.pk]

    text = text_of(editor_client.post(preview_url(Action, action.pk), data))

    assert "Partenaire publié du test" in text
    assert "Partenaire en brouillon du test" not in text


def test_unpublishing_in_the_form_previews_a_page_the_public_will_not_see(editor_client):
    action, _relation = action_case()
    data = change_form_data(editor_client, action)
    data["published"] = ["False"]

    text = text_of(editor_client.post(preview_url(Action, action.pk), data))

    assert "ce contenu n’est pas publié" in text
    action.refresh_from_db()
    assert action.published


def test_a_new_image_is_not_stored_and_the_preview_says_so(editor_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    action, _relation = action_case()
    data = change_form_data(editor_client, action)
    data["image"] = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")

    response = editor_client.post(preview_url(Action, action.pk), data)

    assert response.status_code == 200
    assert "L’image envoyée avec le formulaire n’apparaît pas dans l’aperçu" in text_of(response)
    assert list(tmp_path.iterdir()) == []


def test_the_preview_does_not_empty_the_page_cache(editor_client, settings):
    """A public page kept in the cache stays there: the preview is no content change."""
    from django.core.cache import caches
    from django.test import Client

    settings.PAGE_CACHE_SECONDS = 300
    caches["pages"].clear()
    page_cache.local_pages.clear()
    client = Client()
    action, _relation = action_case()
    assert client.get(action.get_absolute_url())["X-Cache"] == "MISS"
    assert client.get(action.get_absolute_url())["X-Cache"] == "HIT"
    data = change_form_data(editor_client, action)
    data["title"] = ["Titre pas encore enregistré"]

    assert editor_client.post(preview_url(Action, action.pk), data).status_code == 200

    cached = client.get(action.get_absolute_url())
    assert cached["X-Cache"] == "HIT"
    assert "Titre pas encore enregistré" not in cached.content.decode()


# Errors ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CASES)
def test_an_invalid_form_says_what_to_correct(editor_client, name):
    case = CASES[name]
    obj, _relation = case.make()
    data = change_form_data(editor_client, obj)
    data[case.title_field] = [""]

    with CaptureQueriesContext(connection) as queries:
        response = editor_client.post(preview_url(case.model, obj.pk), data)

    assert response.status_code == 200
    text = text_of(response)
    assert "L’aperçu n’a pas pu être affiché" in text
    label = str(case.model._meta.get_field(case.title_field).verbose_name)
    assert f"{label.capitalize()} : Ce champ est obligatoire." in text
    assert BANNER not in text
    assert writes(queries) == []
    assert response["X-Robots-Tag"] == "noindex"


def test_an_inline_error_is_named_with_its_event(editor_client):
    action, _relation = action_case()
    EventFactory(action=action)
    data = change_form_data(editor_client, action)
    data["events-0-title"] = [""]

    text = text_of(editor_client.post(preview_url(Action, action.pk), data))

    assert "Événement n° 1 – Titre : Ce champ est obligatoire." in text


def test_junk_posted_gives_errors_not_a_500(editor_client):
    action, _relation = action_case()
    data = {"title": "x" * 1000, "axis": "pas-un-axe", "audiences": ["abc"], "start_date": "31/02/2026"}

    response = editor_client.post(preview_url(Action, action.pk), data)

    assert response.status_code == 200
    assert "L’aperçu n’a pas pu être affiché" in text_of(response)


# Who may preview ----------------------------------------------------------------------------------


def test_the_button_is_on_the_change_and_add_forms(editor_client):
    action, _relation = action_case()
    for url, target in (
        (admin_url(Action, "change", action.pk), preview_url(Action, action.pk)),
        (admin_url(Action, "add"), preview_url(Action)),
    ):
        page = editor_client.get(url).content.decode()
        buttons = re.findall(r"<button[^>]*formaction=\"([^\"]+)\"[^>]*>([^<]*)</button>", page)
        # save_on_top: the row of buttons is above and below the form.
        assert buttons == [(target, "Prévisualiser (nouvel onglet)")] * 2
        assert 'formtarget="apercu"' in page
        # « Enregistrer » stays first: the Enter key in a field saves, it does not preview.
        assert page.index('name="_save"') < page.index("formaction=")


def test_no_button_for_who_may_only_view(client):
    action, _relation = action_case()
    reader = StaffUserFactory()
    reader.user_permissions.add(Permission.objects.get(codename="view_action"))
    client.force_login(reader)

    page = client.get(admin_url(Action, "change", action.pk))

    assert page.status_code == 200
    assert "Prévisualiser" not in page.content.decode()


def test_a_user_who_may_not_change_gets_a_403(client):
    action, _relation = action_case()
    reader = StaffUserFactory()
    reader.user_permissions.add(Permission.objects.get(codename="view_action"))
    client.force_login(reader)

    assert_refused_page(client.post(preview_url(Action, action.pk), {"title": "Essai"}))
    assert_refused_page(client.post(preview_url(Action), {"title": "Essai"}))


def test_the_axes_cannot_be_added_so_neither_previewed_new(editor_client):
    assert_refused_page(editor_client.post(preview_url(Axis), {"name": "Sixième axe"}))


def test_unknown_or_junk_ids_are_404s(editor_client):
    assert_not_found_page(editor_client.post(preview_url(Action, 999_999), {"title": "Essai"}))
    assert_not_found_page(editor_client.post(reverse("admin:index") + "actions/action/pas-un-id/apercu/", {}))


def test_get_is_not_allowed(editor_client):
    action, _relation = action_case()
    assert editor_client.get(preview_url(Action, action.pk)).status_code == 405


def test_a_visitor_is_sent_to_the_login(client):
    action, _relation = action_case()
    response = client.post(preview_url(Action, action.pk), {"title": "Essai"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_preview_needs_the_forms_csrf_token(editor):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(editor)
    action, _relation = action_case()
    assert browser.post(preview_url(Action, action.pk), {"title": "Essai"}).status_code == 403


# Queries --------------------------------------------------------------------------------------------


def test_the_preview_costs_the_same_queries_whatever_the_choices(editor_client):
    action, _relation = action_case()
    audiences = [AudienceFactory(name=f"Public du test {n}") for n in range(8)]
    partners = [PartnerFactory(name=f"Partenaire du test {n}") for n in range(8)]
    data = change_form_data(editor_client, action)

    def queries_for(count):
        data["audiences"] = [a.pk for a in audiences[:count]]
        data["partners"] = [p.pk for p in partners[:count]]
        with CaptureQueriesContext(connection) as queries:
            response = editor_client.post(preview_url(Action, action.pk), data)
        assert response.status_code == 200
        assert f"Partenaire du test {count - 1}" in text_of(response)
        return len(queries)

    few, many = queries_for(1), queries_for(8)
    assert few == many
    # The action's form and its inlines (events; indicators, milestones and evaluations since issue 14).
    assert many <= 50
