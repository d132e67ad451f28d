import datetime

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.cache import forget_kept_values
from core.grammar import Noun
from events.enums import EventStatus, Registration
from events.models import Event, Place
from tests.actions.factories import ActionFactory, AudienceFactory, NeighbourhoodFactory, axis
from tests.events.factories import EventFactory, PlaceFactory
from tests.helpers import admin_url, assert_refused_page, h1s_of, paris_datetime, squash, title_of
from tests.staff.factories import StaffUserFactory

pytestmark = pytest.mark.django_db

STAFF_CLIENTS = ["admin_client", "editor_client"]
EVENTS = reverse("admin:events_event_changelist")
PLACES = reverse("admin:events_place_changelist")


def duplicate_url(event):
    return reverse("admin:events_event_duplicate", args=[event.pk])


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def titles(client, query=None):
    response = client.get(EVENTS, query or {})
    assert response.status_code == 200
    return sorted(event.title for event in response.context["cl"].result_list)


@pytest.fixture
def frozen_now(monkeypatch):
    """Wednesday 18 November 2026, 10:00 in Paris (the copies' « past » and the « Quand » filter use it)."""
    now = paris_datetime(2026, 11, 18, 10)
    monkeypatch.setattr(timezone, "now", lambda: now)
    return now


# Who may see what ---------------------------------------------------------------------------


@pytest.mark.parametrize("client_fixture", STAFF_CLIENTS)
@pytest.mark.parametrize("model", [Place, Event])
def test_changelist_add_change_and_history(request, client_fixture, model):
    client = request.getfixturevalue(client_fixture)
    event = EventFactory(audiences=[AudienceFactory()], place=PlaceFactory(neighbourhood=NeighbourhoodFactory()))
    obj = event if model is Event else event.place
    changelist = client.get(admin_url(model, "changelist"))
    assert changelist.status_code == 200
    label = obj.title if model is Event else obj.name
    assert label in changelist.text
    noun = Noun.of(model)
    add = client.get(admin_url(model, "add"))
    assert add.status_code == 200
    assert h1s_of(add.text) == [noun.add_title]  # « Ajout d’un événement »
    change = client.get(admin_url(model, "change", obj.pk))
    assert change.status_code == 200
    assert h1s_of(change.text) == [noun.change_title]
    assert title_of(change.text) == f"{obj} | {noun.change_title} | CLS Créteil"
    history = client.get(admin_url(model, "history", obj.pk))
    assert history.status_code == 200
    assert h1s_of(history.text) == [f"Historique des changements : {obj}"]


@pytest.mark.parametrize("model", [Place, Event])
def test_staff_without_group_is_refused(client, model):
    event = EventFactory()
    client.force_login(StaffUserFactory())
    assert_refused_page(client.get(admin_url(model, "changelist")))
    assert_refused_page(client.get(admin_url(model, "add")))
    assert_refused_page(client.get(duplicate_url(event)))


def test_event_change_form_in_french_with_its_fieldsets(editor_client):
    event = EventFactory()
    response = editor_client.get(admin_url(Event, "change", event.pk))
    for legend in ("Quoi", "Quand", "Où", "Pour qui et inscription", "Statut", "Publication", "Calendrier technique"):
        assert f">{legend}<" in response.text
    assert str(event.uid) in response.text  # read-only, shown in the collapsed fieldset
    assert duplicate_url(event) in response.text
    assert "Enregistrer comme nouvel élément" in response.text  # save_as


def test_place_change_form_groups_the_five_needs(editor_client):
    place = PlaceFactory()
    response = editor_client.get(admin_url(Place, "change", place.pk))
    for legend in ("Identité", "Infos pratiques", "Transports", "Accessibilité", "Coordonnées GPS", "Publication"):
        assert f">{legend}<" in response.text
    for need in ("auditif", "visuel", "psychique", "moteur", "intellectuel"):
        assert f'name="serves_{need}"' in response.text


def test_editor_creates_a_place_and_an_event(editor_client, editor):
    neighbourhood = NeighbourhoodFactory(name="Mont-Mesly", slug="mont-mesly")
    response = editor_client.post(
        admin_url(Place, "add"),
        {
            "name": "Marché du Mont-Mesly",
            "slug": "marche-du-mont-mesly",
            "neighbourhood": neighbourhood.pk,
            "address": "Quartier du Mont-Mesly, 94000 Créteil",
            "serves_moteur": "on",
            "published": "True",
            "_save": "Enregistrer",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    place = Place.objects.get(slug="marche-du-mont-mesly")
    assert place.serves_moteur and not place.serves_visuel
    assert place.history.first().history_user == editor

    action, audience = ActionFactory(), AudienceFactory()
    response = editor_client.post(
        admin_url(Event, "add"),
        {
            "title": "Bilan de forme",
            "slug": "bilan-de-forme-2026-12-05",
            "action": action.pk,
            "description": "",
            "start_0": "05/12/2026",
            "start_1": "09:30",
            "end_0": "05/12/2026",
            "end_1": "12:30",
            "place": place.pk,
            "audiences": [audience.pk],
            "registration": Registration.REQUIRED,
            "registration_url": "",
            "registration_phone": "",
            "is_free": "on",
            "price": "",
            "status": EventStatus.SCHEDULED,
            "status_note": "",
            "published": "True",
            "_save": "Enregistrer",
        },
    )
    assert response.status_code == 200
    assert "demande un lien, un numéro de téléphone, ou l’inscription auprès du CCAS" in response.text
    assert 'value="Bilan de forme"' in response.text  # what was typed stays

    data = response.context["adminform"].form.data.copy()
    data["registration_phone"] = "01 49 80 88 68"
    response = editor_client.post(admin_url(Event, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = Event.objects.get(slug="bilan-de-forme-2026-12-05")
    assert timezone.localtime(event.start) == paris_datetime(2026, 12, 5, 9, 30)
    assert list(event.audiences.all()) == [audience]
    assert event.history.first().history_user == editor


# Change list: columns, filters, search --------------------------------------------------------


def test_changelist_columns(admin_client):
    EventFactory(
        title="Café psycho",
        slug="cafe-psycho-2026-12-10",
        start=paris_datetime(2026, 12, 10, 19),
        end=paris_datetime(2026, 12, 10, 21),
        place=PlaceFactory(name="Hôtel de Ville de Créteil"),
        action=ActionFactory(title="Les Cafés psycho"),
        registration=Registration.RECOMMENDED,
    )
    response = admin_client.get(EVENTS)
    assert "jeu. 10/12/2026, 19 h" in response.text
    assert "Hôtel de Ville de Créteil" in response.text
    assert "Les Cafés psycho" in response.text
    assert "Inscription conseillée" in response.text
    assert 'href="/agenda/cafe-psycho-2026-12-10/"' in response.text
    assert "Voir<span" in response.text


@pytest.fixture
def agenda(frozen_now):
    """Events around Wednesday 18 November 2026, 10:00 (Paris)."""
    mont_mesly = NeighbourhoodFactory(name="Mont-Mesly", slug="mont-mesly")
    market = PlaceFactory(name="Marché du Mont-Mesly", neighbourhood=mont_mesly)
    town_hall = PlaceFactory(name="Hôtel de Ville")
    mental_health = ActionFactory(title="Cafés psycho", axis=axis(3))
    fitness = ActionFactory(title="Bilans de forme", axis=axis(4))

    def event(title, start, hours=2, **kwargs):
        return EventFactory(
            title=title, start=start, end=start + datetime.timedelta(hours=hours), **{"action": fitness, **kwargs}
        )

    return {
        "market": market,
        "town_hall": town_hall,
        "mont_mesly": mont_mesly,
        "mental_health": mental_health,
        "events": [
            event("Passé le mois dernier", paris_datetime(2026, 10, 15, 19), place=town_hall, action=mental_health),
            event("Lundi de cette semaine", paris_datetime(2026, 11, 16, 9), place=market),
            event("En cours ce matin", paris_datetime(2026, 11, 18, 9), place=market),
            event("Ce soir", paris_datetime(2026, 11, 18, 19), place=town_hall, action=mental_health),
            event(
                "Dimanche soir tard",
                paris_datetime(2026, 11, 22, 23),
                hours=0.5,
                place=market,
                is_free=False,
                price="2 €",
            ),
            event("Lundi prochain", paris_datetime(2026, 11, 23, 0, 30), place=market, status=EventStatus.CANCELLED),
            event("Brouillon en décembre", paris_datetime(2026, 12, 10, 19), place=town_hall, published=False),
        ],
    }


def test_when_filter(admin_client, agenda):
    assert titles(admin_client, {"quand": "a-venir"}) == [
        "Brouillon en décembre",
        "Ce soir",
        "Dimanche soir tard",
        "En cours ce matin",
        "Lundi prochain",
    ]
    assert titles(admin_client, {"quand": "passes"}) == ["Lundi de cette semaine", "Passé le mois dernier"]
    assert titles(admin_client, {"quand": "aujourd-hui"}) == ["Ce soir", "En cours ce matin"]
    assert titles(admin_client, {"quand": "semaine"}) == [
        "Ce soir",
        "Dimanche soir tard",
        "En cours ce matin",
        "Lundi de cette semaine",
    ]
    assert len(titles(admin_client)) == 7  # every event by default
    response = admin_client.get(EVENTS)
    for label in ("À venir", "Passés", "Aujourd’hui", "Cette semaine"):
        assert label in response.text


def test_other_filters_select_the_right_events(admin_client, agenda):
    assert titles(admin_client, {"status__exact": EventStatus.CANCELLED}) == ["Lundi prochain"]
    assert titles(admin_client, {"action__axis__id__exact": axis(3).pk}) == ["Ce soir", "Passé le mois dernier"]
    assert titles(admin_client, {"action__id__exact": agenda["mental_health"].pk}) == [
        "Ce soir",
        "Passé le mois dernier",
    ]
    assert titles(admin_client, {"place__id__exact": agenda["town_hall"].pk}) == [
        "Brouillon en décembre",
        "Ce soir",
        "Passé le mois dernier",
    ]
    assert len(titles(admin_client, {"place__neighbourhood__id__exact": agenda["mont_mesly"].pk})) == 4
    assert titles(admin_client, {"published__exact": "0"}) == ["Brouillon en décembre"]
    assert titles(admin_client, {"is_free__exact": "0"}) == ["Dimanche soir tard"]
    assert titles(admin_client, {"start__year": "2026", "start__month": "12"}) == ["Brouillon en décembre"]
    assert titles(admin_client, {"quand": "a-venir", "place__id__exact": agenda["market"].pk}) == [
        "Dimanche soir tard",
        "En cours ce matin",
        "Lundi prochain",
    ]


def test_search_events_by_title_description_place_and_action(admin_client, agenda):
    assert titles(admin_client, {"q": "brouillon"}) == ["Brouillon en décembre"]
    assert titles(admin_client, {"q": "decembre"}) == ["Brouillon en décembre"]  # accents ignored
    assert len(titles(admin_client, {"q": "Mont-Mesly"})) == 4  # the place's name
    assert titles(admin_client, {"q": "cafés psycho"}) == ["Ce soir", "Passé le mois dernier"]  # the action's title


def test_place_filters_and_search(admin_client):
    mont_mesly = NeighbourhoodFactory(name="Mont-Mesly")
    PlaceFactory(name="Marché du Mont-Mesly", neighbourhood=mont_mesly, serves_moteur=True, serves_visuel=True)
    PlaceFactory(name="Hôtel de Ville", published=False, serves_auditif=True)

    def names(query):
        response = admin_client.get(PLACES, query)
        assert response.status_code == 200
        return [place.name for place in response.context["cl"].result_list]

    assert names({"neighbourhood__id__exact": mont_mesly.pk}) == ["Marché du Mont-Mesly"]
    assert names({"published__exact": "0"}) == ["Hôtel de Ville"]
    assert names({"serves_moteur__exact": "1"}) == ["Marché du Mont-Mesly"]
    assert names({"serves_auditif__exact": "1"}) == ["Hôtel de Ville"]
    assert names({"serves_visuel__exact": "1"}) == ["Marché du Mont-Mesly"]
    for need in ("psychique", "intellectuel"):
        assert names({f"serves_{need}__exact": "1"}) == []
    assert names({"q": "marché"}) == ["Marché du Mont-Mesly"]
    assert "visuel, moteur" in admin_client.get(PLACES).text


@pytest.mark.parametrize(
    "query",
    [
        {"quand": "demain"},
        {"quand": "<script>"},
        {"status__exact": "inconnu"},
        {"place__id__exact": "abc"},
        {"action__axis__id__exact": "999999"},
        {"start__year": "deux-mille"},
        {"start__month": "13", "start__year": "2026"},
        {"q": "\x00"},
        {"q": "é" * 3000},
        {"o": "99.abc"},
    ],
)
def test_junk_parameters_do_not_break_the_changelist(admin_client, query):
    EventFactory()
    response = admin_client.get(EVENTS, query)
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert "e=1" in response["Location"]


def test_autocompletes_used_by_the_event_form(editor_client):
    choices = {
        "action": ActionFactory(title="Cafés psycho"),
        "place": PlaceFactory(name="Hôtel de Ville"),
        "audiences": AudienceFactory(name="Aidants"),
    }
    for field_name, choice in choices.items():
        response = editor_client.get(
            reverse("admin:autocomplete"),
            {"app_label": "events", "model_name": "event", "field_name": field_name, "term": ""},
        )
        assert response.status_code == 200, field_name
        assert {"id": str(choice.pk), "text": str(choice)} in response.json()["results"], field_name
    neighbourhood = NeighbourhoodFactory(name="Mont-Mesly")
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "events", "model_name": "place", "field_name": "neighbourhood", "term": ""},
    )
    assert response.status_code == 200
    assert {"id": str(neighbourhood.pk), "text": "Mont-Mesly"} in response.json()["results"]


# Bulk status changes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action_name", "status", "message"),
    [
        ("cancel_selected", EventStatus.CANCELLED, "2 événements annulés."),
        ("postpone_selected", EventStatus.POSTPONED, "2 événements reportés."),
        ("mark_full_selected", EventStatus.FULL, "2 événements marqués complets."),
    ],
)
def test_status_actions_save_each_event_with_history_and_sequence(editor_client, editor, action_name, status, message):
    audience = AudienceFactory()
    selected = EventFactory.create_batch(2, audiences=[audience])
    other = EventFactory()

    response = editor_client.post(
        EVENTS, {"action": action_name, "_selected_action": [e.pk for e in selected]}, follow=True
    )

    assert response.status_code == 200
    assert message in messages_of(response)
    for event in selected:
        event.refresh_from_db()
        assert event.status == status
        assert event.sequence == 1  # calendars replace their copy
        record = event.history.first()
        assert record.history_user == editor
        assert record.status == status
        assert record.history_change_reason.startswith("Statut changé depuis la liste")
        assert [a.audience for a in record.audiences.all()] == [audience]
        assert LogEntry.objects.filter(object_id=str(event.pk), user=editor).exists()
    other.refresh_from_db()
    assert (other.status, other.sequence) == (EventStatus.SCHEDULED, 0)

    again = editor_client.post(EVENTS, {"action": action_name, "_selected_action": [selected[0].pk]}, follow=True)
    assert any(m.startswith("Rien n’a changé") for m in messages_of(again))
    selected[0].refresh_from_db()
    assert selected[0].sequence == 1


def test_reschedule_and_publish_actions(editor_client, editor):
    event = EventFactory(status=EventStatus.CANCELLED, published=False)
    response = editor_client.post(
        EVENTS, {"action": "reschedule_selected", "_selected_action": [event.pk]}, follow=True
    )
    assert "1 événement remis au programme." in messages_of(response)
    response = editor_client.post(EVENTS, {"action": "publish_selected", "_selected_action": [event.pk]}, follow=True)
    assert "1 événement publié sur le site." in messages_of(response)
    event.refresh_from_db()
    assert (event.status, event.published, event.sequence) == (EventStatus.SCHEDULED, True, 1)
    assert event.history.first().history_user == editor
    history = editor_client.get(admin_url(Event, "history", event.pk))
    assert "Statut : Annulé → Programmé" in squash(history.text)


def test_bulk_actions_are_offered_in_french(editor_client):
    EventFactory()
    response = editor_client.get(EVENTS)
    for label in (
        "Annuler les événements sélectionnés",
        "Reporter les événements sélectionnés",
        "Marquer comme complets",
        "Publier la sélection",
        "Dupliquer vers de nouvelles dates",
    ):
        assert label in response.text


# Duplication --------------------------------------------------------------------------------


@pytest.fixture
def cafe_psycho(frozen_now):
    """The Café psycho of Thursday 12 November 2026, 19 h–21 h (winter time)."""
    audiences = [AudienceFactory(name="Adultes"), AudienceFactory(name="Tous publics")]
    return EventFactory(
        title="Café psycho",
        slug="cafe-psycho-2026-11-12",
        action=ActionFactory(title="Les Cafés psycho", axis=axis(3)),
        place=PlaceFactory(name="Hôtel de Ville de Créteil"),
        start=paris_datetime(2026, 11, 12, 19),
        end=paris_datetime(2026, 11, 12, 21),
        description="Une soirée pour parler de santé psychique.",
        audiences=audiences,
        registration=Registration.RECOMMENDED,
        registration_phone="01 49 80 88 68",
        status=EventStatus.FULL,
        status_note="Salle comble",
    )


def test_the_duplicate_action_leads_to_the_page_for_one_event(editor_client, cafe_psycho):
    response = editor_client.post(EVENTS, {"action": "duplicate_selected", "_selected_action": [cafe_psycho.pk]})
    assert response.status_code == 302
    assert response["Location"] == duplicate_url(cafe_psycho)

    page = editor_client.get(duplicate_url(cafe_psycho))
    assert page.status_code == 200
    assert "Dupliquer « Café psycho (12/11/2026) »" in page.text
    assert "le 2e jeudi du mois" in page.text
    assert "le 12 de chaque mois" in page.text
    assert page.templates[0].name == "admin/events/event/duplicate.html"

    other = EventFactory()
    refused = editor_client.post(
        EVENTS, {"action": "duplicate_selected", "_selected_action": [cafe_psycho.pk, other.pk]}, follow=True
    )
    assert "Pour dupliquer, sélectionnez un seul événement" in " ".join(messages_of(refused))
    assert Event.objects.count() == 2


def test_a_year_of_cafes_psycho_keeps_19h_across_daylight_saving(editor_client, editor, cafe_psycho):
    response = editor_client.post(
        duplicate_url(cafe_psycho), {"mode": "mensuel", "months": "12", "rule": "jour-de-semaine"}, follow=True
    )

    assert response.status_code == 200
    copies = list(Event.objects.exclude(pk=cafe_psycho.pk).order_by("start"))
    assert len(copies) == 12
    assert [timezone.localdate(copy.start) for copy in copies] == [
        datetime.date(2026, 12, 10),
        datetime.date(2027, 1, 14),
        datetime.date(2027, 2, 11),
        datetime.date(2027, 3, 11),
        datetime.date(2027, 4, 8),  # summer time from 28 March
        datetime.date(2027, 5, 13),
        datetime.date(2027, 6, 10),
        datetime.date(2027, 7, 8),
        datetime.date(2027, 8, 12),
        datetime.date(2027, 9, 9),
        datetime.date(2027, 10, 14),
        datetime.date(2027, 11, 11),  # winter time again from 31 October
    ]
    for copy in copies:
        local_start, local_end = timezone.localtime(copy.start), timezone.localtime(copy.end)
        assert (local_start.hour, local_start.minute, local_end.hour) == (19, 0, 21)
        assert copy.title == "Café psycho"
        assert copy.slug == f"cafe-psycho-{local_start:%Y-%m-%d}"
        assert (copy.action_id, copy.place_id) == (cafe_psycho.action_id, cafe_psycho.place_id)
        assert copy.description == cafe_psycho.description
        assert set(copy.audiences.all()) == set(cafe_psycho.audiences.all())
        assert (copy.registration, copy.registration_phone) == (Registration.RECOMMENDED, "01 49 80 88 68")
        assert (copy.status, copy.status_note, copy.sequence) == (EventStatus.SCHEDULED, "", 0)
        record = copy.history.earliest()
        assert record.history_type == "+"
        assert record.history_user == editor
        assert record.history_change_reason == "Dupliqué depuis « Café psycho (12/11/2026) »"
    # UTC moves by an hour with the clocks: 18:00 UTC in winter, 17:00 UTC in summer.
    assert copies[0].start.astimezone(datetime.UTC).hour == 18
    assert copies[5].start.astimezone(datetime.UTC).hour == 17
    assert len({copy.uid for copy in copies} | {cafe_psycho.uid}) == 13
    assert LogEntry.objects.filter(action_flag=ADDITION, user=editor).count() == 12

    messages = messages_of(response)
    assert "12 copies de « Café psycho » créées, du 10/12/2026 au 11/11/2027." in messages[0]
    changelist = f"{EVENTS}?action__id__exact={cafe_psycho.action_id}"
    assert f'href="{changelist}"' in messages[0].replace("&amp;", "&")
    assert "Attention, jour férié : 11/11/2027." in messages[1]
    assert response.redirect_chain[-1][0] == changelist
    cafe_psycho.refresh_from_db()
    assert (cafe_psycho.status, cafe_psycho.sequence) == (EventStatus.FULL, 0)  # the model is untouched


def test_same_day_of_month_and_a_fifth_weekday(editor_client, frozen_now):
    event = EventFactory(title="Atelier", start=paris_datetime(2026, 12, 31, 14), end=paris_datetime(2026, 12, 31, 16))
    page = editor_client.get(duplicate_url(event))
    assert "le dernier jeudi du mois" in page.text
    assert "le 31 de chaque mois (ou le dernier jour des mois plus courts)" in page.text

    editor_client.post(duplicate_url(event), {"mode": "mensuel", "months": "3", "rule": "jour-du-mois"})
    assert [timezone.localdate(e.start) for e in Event.objects.exclude(pk=event.pk).order_by("start")] == [
        datetime.date(2027, 1, 31),
        datetime.date(2027, 2, 28),
        datetime.date(2027, 3, 31),
    ]
    editor_client.post(duplicate_url(event), {"mode": "mensuel", "months": "2", "rule": "jour-de-semaine"})
    assert Event.objects.filter(start__date=datetime.date(2027, 1, 28)).exists()  # last Thursday of January


def test_monthly_copies_on_the_first_of_the_month_say_1er(editor_client, frozen_now):
    event = EventFactory(title="Atelier", start=paris_datetime(2027, 4, 1, 14), end=paris_datetime(2027, 4, 1, 16))
    assert "le 1er de chaque mois" in editor_client.get(duplicate_url(event)).text


def test_typed_dates_and_unique_slugs(editor_client, cafe_psycho):
    EventFactory(slug="cafe-psycho-2027-03-04")  # another event took the natural slug
    response = editor_client.post(
        duplicate_url(cafe_psycho), {"mode": "dates", "dates": "4/3/2027\n 18/03/2027 \n\n01.04.2027"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{EVENTS}?action__id__exact={cafe_psycho.action_id}"
    slugs = set(Event.objects.filter(title="Café psycho").exclude(pk=cafe_psycho.pk).values_list("slug", flat=True))
    assert slugs == {"cafe-psycho-2027-03-04-2", "cafe-psycho-2027-03-18", "cafe-psycho-2027-04-01"}
    april = Event.objects.get(slug="cafe-psycho-2027-04-01")
    assert timezone.localtime(april.start).hour == 19  # summer time, same wall clock


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"mode": "dates", "dates": ""}, "Saisissez au moins une date"),
        (
            {"mode": "dates", "dates": "10/12/2026\n31/02/2027\ndemain"},
            "Ces lignes ne sont pas des dates valides : « 31/02/2027 », « demain ».",
        ),
        ({"mode": "dates", "dates": "10/12/2026\n10/12/2026"}, "Ces dates sont saisies plusieurs fois : 10/12/2026."),
        (
            {"mode": "dates", "dates": "10/12/2026\n01/09/2026"},
            "Ces dates sont déjà passées : 01/09/2026. Choisissez des dates à venir.",
        ),
        ({"mode": "dates", "dates": "12/11/2026"}, "Ces dates sont déjà passées : 12/11/2026."),
        ({"mode": "mensuel", "months": ""}, "Indiquez pendant combien de mois répéter l’événement."),
        ({"mode": "mensuel", "months": "61"}, "60 copies au plus à la fois"),
        ({"mode": "mensuel", "months": "0"}, "Indiquez au moins 1 mois."),
        ({"mode": "mensuel", "months": "douze"}, "Indiquez un nombre de mois, en chiffres."),
        ({"mode": "autre"}, "Sélectionnez un choix valide."),
    ],
)
def test_duplicate_form_errors_are_french_and_keep_what_was_typed(editor_client, cafe_psycho, data, error):
    response = editor_client.post(duplicate_url(cafe_psycho), data)
    assert response.status_code == 200
    assert error in response.text.replace("&#x27;", "’")
    assert "Aucune copie n’a été créée" in response.text
    assert Event.objects.count() == 1
    if data.get("dates"):
        form = response.context["form"]
        assert form["dates"].value() == data["dates"]
        assert 'aria-invalid="true"' in response.text


def test_too_many_typed_dates(editor_client, cafe_psycho):
    first = datetime.date(2026, 12, 1)
    dates = "\n".join(f"{first + datetime.timedelta(days=n):%d/%m/%Y}" for n in range(61))
    response = editor_client.post(duplicate_url(cafe_psycho), {"mode": "dates", "dates": dates})
    assert "60 copies au plus à la fois : vous avez saisi 61 dates." in response.text
    assert response.context["form"]["dates"].value() == dates
    assert Event.objects.count() == 1


def test_monthly_copies_of_an_old_event_are_refused_as_past(editor_client, frozen_now):
    old = EventFactory(start=paris_datetime(2025, 6, 12, 19), end=paris_datetime(2025, 6, 12, 21))
    response = editor_client.post(duplicate_url(old), {"mode": "mensuel", "months": "12", "rule": "jour-de-semaine"})
    assert "Ces dates sont déjà passées" in response.text
    assert "saisissez plutôt les dates une à une" in response.text
    assert Event.objects.count() == 1


def test_duplicating_twice_does_not_create_doubles(editor_client, cafe_psycho):
    editor_client.post(duplicate_url(cafe_psycho), {"mode": "dates", "dates": "10/12/2026"})
    response = editor_client.post(duplicate_url(cafe_psycho), {"mode": "dates", "dates": "10/12/2026\n14/01/2027"})
    assert response.status_code == 200
    assert "« Café psycho » a déjà lieu à la même heure le 10/12/2026" in response.text
    assert Event.objects.count() == 2


def test_duplicate_of_an_unknown_event_redirects(editor_client):
    response = editor_client.get(reverse("admin:events_event_duplicate", args=[999999]), follow=True)
    assert response.redirect_chain == [(reverse("admin:index"), 302)]
    [message] = messages_of(response)
    assert message.startswith("Aucun élément «\xa0événement\xa0» n’a l’identifiant «\xa0999999\xa0»")


def save_as_new_data(event, **overrides):
    """What the event's change form posts with « Enregistrer comme nouvel élément », fields unchanged."""
    return {
        "title": event.title,
        "slug": event.slug,
        "action": event.action_id,
        "description": event.description,
        "start_0": f"{timezone.localtime(event.start):%d/%m/%Y}",
        "start_1": f"{timezone.localtime(event.start):%H:%M}",
        "end_0": f"{timezone.localtime(event.end):%d/%m/%Y}",
        "end_1": f"{timezone.localtime(event.end):%H:%M}",
        "place": event.place_id or "",
        "audiences": [a.pk for a in event.audiences.all()],
        "registration": event.registration,
        "registration_url": event.registration_url,
        "registration_phone": event.registration_phone,
        "is_free": "on" if event.is_free else "",
        "price": event.price,
        "status": event.status,
        "status_note": event.status_note,
        "published": str(event.published),
        "image_alt": "",
        "_saveasnew": "Enregistrer comme nouvel élément",
        **overrides,
    }


def test_save_as_new_keeping_the_slug_gives_the_copy_the_next_free_one(editor_client, cafe_psycho):
    """Issue 12: the copy kept the original's slug, failed as « already used », and the page answered 500."""
    EventFactory(slug="cafe-psycho-2026-11-12-2")  # the first suffix is taken too
    response = editor_client.post(
        admin_url(Event, "change", cafe_psycho.pk),
        save_as_new_data(cafe_psycho, start_0="17/12/2026", end_0="17/12/2026"),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    copy = Event.objects.get(slug="cafe-psycho-2026-11-12-3")
    assert copy.pk != cafe_psycho.pk and copy.uid != cafe_psycho.uid
    assert timezone.localdate(copy.start) == datetime.date(2026, 12, 17)
    cafe_psycho.refresh_from_db()
    assert cafe_psycho.slug == "cafe-psycho-2026-11-12"  # the original keeps its address
    messages = messages_of(editor_client.get(response["Location"]))
    assert any("« cafe-psycho-2026-11-12-3 »" in message for message in messages), messages


def test_save_as_new_with_errors_shows_them_on_the_form(editor_client, cafe_psycho):
    """An invalid copy: its errors on the form (no 500), the original untouched, nothing created."""
    data = save_as_new_data(cafe_psycho, start_0="17/12/2026", end_0="16/12/2026")
    response = editor_client.post(admin_url(Event, "change", cafe_psycho.pk), data)
    assert response.status_code == 200
    assert "La fin de l’événement doit être après son début." in response.text.replace("&#x27;", "’")
    assert response.context["adminform"].form["start"].value() == ["17/12/2026", "19:00"]  # what was typed stays
    assert "Enregistrer comme nouvel élément" in response.text  # the save-as button again
    assert duplicate_url(cafe_psycho) not in response.text  # the copy has no « Dupliquer » page yet
    assert Event.objects.count() == 1


def test_save_as_new_makes_a_new_calendar_entry(editor_client, cafe_psycho):
    data = {
        "title": "Café psycho",
        "slug": "cafe-psycho-hors-serie",
        "action": cafe_psycho.action_id,
        "description": cafe_psycho.description,
        "start_0": "17/12/2026",
        "start_1": "19:00",
        "end_0": "17/12/2026",
        "end_1": "21:00",
        "place": cafe_psycho.place_id,
        "audiences": [a.pk for a in cafe_psycho.audiences.all()],
        "registration": cafe_psycho.registration,
        "registration_url": "",
        "registration_phone": cafe_psycho.registration_phone,
        "is_free": "on",
        "price": "",
        "status": EventStatus.SCHEDULED,
        "status_note": "",
        "published": "True",
        "_saveasnew": "Enregistrer comme nouvel élément",
    }
    response = editor_client.post(admin_url(Event, "change", cafe_psycho.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    copy = Event.objects.get(slug="cafe-psycho-hors-serie")
    assert copy.pk != cafe_psycho.pk
    assert copy.uid != cafe_psycho.uid
    assert copy.sequence == 0


# Events on their action's page -----------------------------------------------------------------


def test_the_action_change_form_lists_its_events(editor_client):
    action = ActionFactory()
    EventFactory(title="Café de décembre", action=action, start=paris_datetime(2026, 12, 10, 19))
    EventFactory(title="Café de janvier", action=action, start=paris_datetime(2027, 1, 14, 19))
    EventFactory(title="Un autre événement")
    response = editor_client.get(reverse("admin:actions_action_change", args=[action.pk]))
    assert response.status_code == 200
    text = response.text
    assert 'name="events-TOTAL_FORMS"' in text
    assert text.index("Café de janvier") < text.index("Café de décembre")  # the furthest first
    assert "Un autre événement" not in text
    assert "inlinechangelink" in text  # link to each event's full form


def _action_post_data(action, **overrides):
    data = {
        "title": action.title,
        "slug": action.slug,
        "axis": action.axis_id,
        "summary": action.summary,
        "body": action.body,
        "how_to_join": "",
        "kind": action.kind,
        "campaign_month": "",
        "status": action.status,
        "start_date": "",
        "end_date": "",
        "lead_partner": "",
        "contact_name": "",
        "contact_phone": "",
        "contact_email": "",
        "image_alt": "",
        "published": "True",
        "_save": "Enregistrer",
    }
    data.update(overrides)
    return data


def test_saving_the_action_with_its_events_inline(editor_client, editor):
    action = ActionFactory()
    place = PlaceFactory()
    event = EventFactory(action=action, place=place, start=paris_datetime(2026, 12, 10, 19))
    prefix = "events"
    data = _action_post_data(
        action,
        **{
            f"{prefix}-TOTAL_FORMS": "2",
            f"{prefix}-INITIAL_FORMS": "1",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
            f"{prefix}-0-id": event.pk,
            f"{prefix}-0-action": action.pk,
            f"{prefix}-0-title": event.title,
            f"{prefix}-0-slug": event.slug,
            f"{prefix}-0-start_0": "10/12/2026",
            f"{prefix}-0-start_1": "19:00",
            f"{prefix}-0-end_0": "10/12/2026",
            f"{prefix}-0-end_1": "21:00",
            f"{prefix}-0-place": place.pk,
            f"{prefix}-0-status": EventStatus.CANCELLED,
            f"{prefix}-0-published": "on",
            f"{prefix}-1-action": action.pk,
            f"{prefix}-1-title": "Café de janvier",
            f"{prefix}-1-slug": "cafe-de-janvier",
            f"{prefix}-1-start_0": "14/01/2027",
            f"{prefix}-1-start_1": "19:00",
            f"{prefix}-1-end_0": "14/01/2027",
            f"{prefix}-1-end_1": "21:00",
            f"{prefix}-1-place": place.pk,
            f"{prefix}-1-status": EventStatus.SCHEDULED,
            f"{prefix}-1-published": "on",
        },
    )
    response = editor_client.post(reverse("admin:actions_action_change", args=[action.pk]), data)
    assert response.status_code == 302, response.context["errors"]
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED
    assert event.sequence == 1
    assert event.history.first().history_user == editor
    new = Event.objects.get(slug="cafe-de-janvier")
    assert new.action == action
    assert timezone.localtime(new.start) == paris_datetime(2027, 1, 14, 19)


def test_an_action_posted_without_its_events_block_leaves_them_alone(editor_client):
    action = ActionFactory()
    event = EventFactory(action=action)
    response = editor_client.post(
        reverse("admin:actions_action_change", args=[action.pk]), _action_post_data(action, summary="Nouveau résumé.")
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:actions_action_changelist")
    action.refresh_from_db()
    assert action.summary == "Nouveau résumé."
    assert Event.objects.filter(pk=event.pk, action=action).exists()


# Query budget --------------------------------------------------------------------------------


def _create_events(count):
    audiences = AudienceFactory.create_batch(2)
    neighbourhood = NeighbourhoodFactory()
    for index in range(count):
        EventFactory(
            action=ActionFactory(axis=axis(index % 5 + 1)),
            place=PlaceFactory(neighbourhood=neighbourhood),
            audiences=audiences,
        )


def _queries(client, url, query=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query or {})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("client_fixture", STAFF_CLIENTS)
def test_event_changelist_query_count_does_not_grow_with_rows(request, client_fixture):
    client = request.getfixturevalue(client_fixture)
    _create_events(3)
    few = _queries(client, EVENTS)
    few_filtered = _queries(client, EVENTS, {"quand": "a-venir", "q": "psycho"})
    _create_events(27)
    assert Event.objects.count() == 30
    assert _queries(client, EVENTS) == few
    # The search's synonyms stay kept while no synonym changes (core/cache.py's sections): both
    # counts with the kept tables read afresh, as the first one was.
    forget_kept_values()
    assert _queries(client, EVENTS, {"quand": "a-venir", "q": "psycho"}) == few_filtered


def test_place_changelist_query_count_does_not_grow_with_rows(admin_client):
    PlaceFactory.create_batch(3, neighbourhood=NeighbourhoodFactory())
    few = _queries(admin_client, PLACES)
    for _ in range(27):
        PlaceFactory(neighbourhood=NeighbourhoodFactory())
    assert _queries(admin_client, PLACES) == few
