"""Drafts and scheduled publication (issue 12 §1): the rule, its validation, the admin and the page cache."""

import datetime

import pytest
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from actions.models import Action
from core import cache as page_cache
from core.publication import UNPUBLISH_BEFORE_PUBLISH
from events.models import Event, Place
from partners.models import Partner
from tests.actions.factories import ActionFactory
from tests.events.factories import EventFactory, PlaceFactory
from tests.helpers import admin_url, paris_datetime
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db

PUBLISH = paris_datetime(2026, 12, 1, 9, 30)
UNPUBLISH = paris_datetime(2026, 12, 15, 18, 0)
MINUTE = datetime.timedelta(minutes=1)
SECOND = datetime.timedelta(seconds=1)

FACTORIES = {Action: ActionFactory, Event: EventFactory, Partner: PartnerFactory, Place: PlaceFactory}


@pytest.fixture
def clock(monkeypatch):
    """``clock(moment)``: ``timezone.now()`` answers ``moment`` until the next call (a moving clock)."""
    current = {}
    monkeypatch.setattr(timezone, "now", lambda: current["now"])

    def set_now(moment):
        current["now"] = moment
        return moment

    set_now(PUBLISH - datetime.timedelta(days=1))
    return set_now


# The rule, to the minute, for each model ------------------------------------------------------


@pytest.mark.parametrize("model", [Action, Event, Partner, Place])
@pytest.mark.parametrize(
    ("now", "visible"),
    [
        (PUBLISH - MINUTE, False),
        (PUBLISH - SECOND, False),
        (PUBLISH, True),
        (UNPUBLISH - SECOND, True),
        (UNPUBLISH, False),
        (UNPUBLISH + MINUTE, False),
    ],
)
def test_published_honours_publish_at_and_unpublish_at_to_the_minute(model, now, visible):
    obj = FACTORIES[model](published=True, publish_at=PUBLISH, unpublish_at=UNPUBLISH)
    assert (obj in model.objects.published(now=now)) is visible
    assert obj.is_public_at(now) is visible


@pytest.mark.parametrize("model", [Action, Event, Partner, Place])
def test_a_draft_stays_hidden_whatever_its_dates(model):
    obj = FACTORIES[model](published=False, publish_at=PUBLISH, unpublish_at=UNPUBLISH)
    assert not model.objects.published(now=PUBLISH + MINUTE).filter(pk=obj.pk).exists()


@pytest.mark.parametrize("model", [Action, Event, Partner, Place])
def test_a_new_object_is_a_draft(model):
    assert model._meta.get_field("published").default is False


def test_an_event_follows_the_schedule_of_its_action():
    action = ActionFactory(publish_at=PUBLISH)
    event = EventFactory(action=action)
    assert event not in Event.objects.published(now=PUBLISH - MINUTE)
    assert event in Event.objects.published(now=PUBLISH - MINUTE, action_preview=True)
    assert event in Event.objects.hidden_by_action(now=PUBLISH - MINUTE)
    assert event in Event.objects.published(now=PUBLISH)
    assert event not in Event.objects.hidden_by_action(now=PUBLISH)


def test_the_agenda_place_filter_applies_the_rule_when_it_is_used_not_when_it_is_imported(clock):
    from events.filters import EventFilter

    place = PlaceFactory(name="Maison de la santé", publish_at=PUBLISH)
    clock(PUBLISH - MINUTE)
    assert place not in EventFilter(data={}).form.fields["lieu"].queryset
    clock(PUBLISH)
    assert place in EventFilter(data={}).form.fields["lieu"].queryset


@pytest.mark.parametrize("model", [Action, Event, Partner, Place])
def test_a_scheduled_page_is_a_404_for_the_public_and_a_preview_for_the_team(admin_client, model):
    client = Client()  # admin_client is pytest-django's client, logged in
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    obj = FACTORIES[model](publish_at=tomorrow)
    url = obj.get_absolute_url()
    assert client.get(url).status_code == 404
    preview = admin_client.get(url)
    assert preview.status_code == 200
    assert "ce contenu n’est pas publié en ce moment" in preview.text
    FACTORIES[model]._meta.model.objects.filter(pk=obj.pk).update(publish_at=None)
    assert client.get(url).status_code == 200


# Validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize("model", [Action, Event, Partner, Place])
@pytest.mark.parametrize("unpublish_at", [PUBLISH, PUBLISH - MINUTE])
def test_withdrawal_must_come_after_publication(model, unpublish_at):
    obj = FACTORIES[model].build(publish_at=PUBLISH, unpublish_at=unpublish_at)
    with pytest.raises(ValidationError) as error:
        obj.clean()
    assert error.value.message_dict["unpublish_at"] == [UNPUBLISH_BEFORE_PUBLISH]
    obj = FACTORIES[model]()
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=obj.pk).update(publish_at=PUBLISH, unpublish_at=unpublish_at)


def test_the_dates_are_kept_to_the_minute():
    partner = PartnerFactory.build(publish_at=PUBLISH + datetime.timedelta(seconds=42, microseconds=7))
    partner.clean()
    assert partner.publish_at == PUBLISH


# The admin -------------------------------------------------------------------------------------


def test_the_add_form_offers_draft_or_published_and_starts_as_a_draft(editor_client):
    form = editor_client.get(admin_url(Partner, "add")).context["adminform"].form
    field = form.fields["published"]
    assert [str(label) for _, label in field.choices][0].startswith("Brouillon (pas visible")
    html = str(form["published"])
    assert 'type="radio"' in html
    assert 'value="False" required id="id_published_0" checked' in html
    assert "publish_at" in form.fields and "unpublish_at" in form.fields


def test_a_partner_saved_as_a_draft_is_not_public(editor_client):
    from tests.partners.test_admin import partner_form_data

    response = editor_client.post(admin_url(Partner, "add"), partner_form_data(published="False"))
    assert response.status_code == 302
    partner = Partner.objects.get(slug="hopital-henri-mondor")
    assert partner.published is False
    assert not Partner.objects.published().filter(pk=partner.pk).exists()


def test_a_scheduled_withdrawal_before_publication_is_refused_in_french(editor_client):
    from tests.partners.test_admin import partner_form_data

    data = partner_form_data(
        publish_at_0="15/12/2026", publish_at_1="10:00", unpublish_at_0="01/12/2026", unpublish_at_1="10:00"
    )
    response = editor_client.post(admin_url(Partner, "add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["unpublish_at"] == [UNPUBLISH_BEFORE_PUBLISH]
    assert not Partner.objects.exists()


def test_change_lists_show_the_state(editor_client):
    tomorrow = timezone.localtime().replace(hour=9, minute=30, second=0, microsecond=0) + datetime.timedelta(days=1)
    ActionFactory(title="Brouillon A", published=False)
    ActionFactory(title="Programmée B", publish_at=tomorrow)
    ActionFactory(title="En ligne C")
    response = editor_client.get(admin_url(Action, "changelist"))
    model_admin = response.context["cl"].model_admin
    states = {action.title: model_admin.publication_state(action) for action in response.context["cl"].result_list}
    assert states == {
        "Brouillon A": "Brouillon",
        "Programmée B": f"Programmé : en ligne le {tomorrow:%d/%m/%Y} à 09 h 30",
        "En ligne C": "Publié",
    }
    assert f"Programmé : en ligne le {tomorrow:%d/%m/%Y} à 09 h 30" in response.text


def test_unpublishing_an_action_says_what_happens_to_its_events(editor_client):
    action = ActionFactory()
    EventFactory.create_batch(2, action=action)
    EventFactory(action=action, published=False)  # not shown anyway
    EventFactory(action=action, start=timezone.now() - datetime.timedelta(days=3))  # over
    response = editor_client.get(admin_url(Action, "change", action.pk))
    assert "Ses 2 rendez-vous à venir ne seront plus visibles sur le site." in response.text

    Action.objects.filter(pk=action.pk).update(published=False)
    assert "rendez-vous à venir ne" not in editor_client.get(admin_url(Action, "change", action.pk)).text
    lone = ActionFactory()
    EventFactory(action=lone)
    lone_page = editor_client.get(admin_url(Action, "change", lone.pk))
    assert "Son rendez-vous à venir ne sera plus visible" in lone_page.text
    quiet = ActionFactory()
    assert "rendez-vous à venir ne" not in editor_client.get(admin_url(Action, "change", quiet.pk)).text


def test_the_events_list_shows_events_hidden_by_their_action(editor_client, django_assert_max_num_queries):
    EventFactory(title="Visible", action=ActionFactory())
    EventFactory(title="Sans son action", action=ActionFactory(published=False))
    EventFactory(title="Brouillon lui-même", published=False)
    for _ in range(5):
        EventFactory(action=ActionFactory(published=False))
    url = admin_url(Event, "changelist")
    with django_assert_max_num_queries(25):
        response = editor_client.get(url)
    rows = {event.title: event for event in response.context["cl"].result_list}
    model_admin = response.context["cl"].model_admin
    assert model_admin.publication_state(rows["Sans son action"]) == "Masqué : action non publiée"
    assert model_admin.publication_state(rows["Visible"]) == "Publié"
    assert model_admin.publication_state(rows["Brouillon lui-même"]) == "Brouillon"
    assert "Masqué : action non publiée" in response.text
    filtered = editor_client.get(url, {"masque": "action"})
    titles = {event.title for event in filtered.context["cl"].result_list}
    assert "Sans son action" in titles
    assert "Visible" not in titles and "Brouillon lui-même" not in titles


# The page cache --------------------------------------------------------------------------------


@pytest.fixture
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300
    caches["pages"].clear()
    page_cache.local_pages.clear()
    page_cache.forget_kept_values()
    yield
    caches["pages"].clear()
    page_cache.local_pages.clear()
    page_cache.forget_kept_values()


def test_a_scheduled_publication_shows_at_its_minute_not_after_the_lifetime(
    client, clock, page_cache_on, django_assert_num_queries
):
    clock(PUBLISH - datetime.timedelta(minutes=2))
    ActionFactory(title="Toujours là")
    ActionFactory(title="Dépistage programmé", publish_at=PUBLISH, unpublish_at=UNPUBLISH)
    first = client.get("/actions/")
    assert first["X-Cache"] == "MISS"
    assert "Toujours là" in first.text and "Dépistage programmé" not in first.text
    clock(PUBLISH - SECOND)
    with django_assert_num_queries(0):  # the next moment is kept: a hit costs no query
        assert client.get("/actions/")["X-Cache"] == "HIT"

    clock(PUBLISH)  # well within the pages' 5 minutes
    published = client.get("/actions/")
    assert published["X-Cache"] == "MISS"
    assert "Dépistage programmé" in published.text
    with django_assert_num_queries(1):  # the following moment (the withdrawal), read once
        assert client.get("/actions/")["X-Cache"] == "HIT"

    clock(UNPUBLISH)
    withdrawn = client.get("/actions/")
    assert withdrawn["X-Cache"] == "MISS"
    assert "Dépistage programmé" not in withdrawn.text
    with django_assert_num_queries(1):
        assert client.get("/actions/")["X-Cache"] == "HIT"
    with django_assert_num_queries(0):  # nothing scheduled any more: nothing to read
        assert client.get("/actions/")["X-Cache"] == "HIT"


def test_a_scheduled_event_withdrawal_empties_the_agenda_pages(client, clock, page_cache_on):
    clock(UNPUBLISH - datetime.timedelta(hours=2))
    EventFactory(title="Atelier nutrition", start=UNPUBLISH + datetime.timedelta(days=2), unpublish_at=UNPUBLISH)
    assert "Atelier nutrition" in client.get("/agenda/").text
    clock(UNPUBLISH - MINUTE)
    assert client.get("/agenda/")["X-Cache"] == "HIT"
    clock(UNPUBLISH)
    assert "Atelier nutrition" not in client.get("/agenda/").text


def test_drafts_do_not_renew_the_cache(client, clock, page_cache_on):
    clock(PUBLISH - MINUTE)
    ActionFactory(title="Brouillon daté", published=False, publish_at=PUBLISH)
    client.get("/actions/")
    clock(PUBLISH + MINUTE)
    assert client.get("/actions/")["X-Cache"] == "HIT"


# The bulk « Publier la sélection »: the same rule as the form, said truly -----------------------


def test_the_rule_names_what_publishing_leaves_off_the_site(clock):
    from core.publication import not_public_after_publishing

    now = clock(PUBLISH + datetime.timedelta(days=30))
    withdrawn = PartnerFactory.build(name="Retiré", published=True, unpublish_at=UNPUBLISH)
    scheduled = PartnerFactory.build(name="Programmé", published=True, publish_at=now + datetime.timedelta(days=1))
    assert scheduled.publish_at == paris_datetime(2027, 1, 1, 9, 30)
    online = PartnerFactory.build(name="En ligne", published=True, publish_at=PUBLISH)
    draft = PartnerFactory.build(name="Brouillon", published=False)
    assert not_public_after_publishing([withdrawn, scheduled, online, draft], now) == [
        (withdrawn, "Retiré le 15/12/2026 à 18 h 00"),
        (scheduled, "Programmé : en ligne le 01/01/2027 à 09 h 30"),
    ]


def test_publishing_the_selection_says_which_ones_stay_off_the_site_because_of_their_dates(editor_client):
    past = timezone.now() - datetime.timedelta(days=2)
    withdrawn = ActionFactory(title="Campagne finie", published=False, unpublish_at=past)
    already = ActionFactory(title="Ancienne campagne", published=True, publish_at=past - MINUTE, unpublish_at=past)
    draft = ActionFactory(title="Nouvelle campagne", published=False)
    response = editor_client.post(
        admin_url(Action, "changelist"),
        {"action": "publish_selected", "_selected_action": [withdrawn.pk, already.pk, draft.pk]},
        follow=True,
    )
    messages = [str(message) for message in response.context["messages"]]
    assert messages[0] == "1 action publiée sur le site."  # only the one the public sees now
    assert messages[1].startswith("2 éléments choisis ne sont pas visibles sur le site à cause de leurs dates : ")
    assert "« Campagne finie » (retiré le " in messages[1]
    assert "« Ancienne campagne » (retiré le " in messages[1]
    assert "Nouvelle campagne" not in messages[1]
    withdrawn.refresh_from_db()
    assert withdrawn.published and not withdrawn.is_public  # the form's rule: the date passed wins
