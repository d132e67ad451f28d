import datetime
from collections import Counter
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from actions.enums import ActionKind
from actions.models import Action
from core.dates import french_public_holidays
from events import content
from events.enums import EventStatus, Registration
from events.models import Event, Place
from events.services import LAST
from tests.helpers import paris_datetime

pytestmark = pytest.mark.django_db

CONTENT_APPS = ("actions", "partners", "events")


def load():
    out = StringIO()
    call_command("load_cls_content", stdout=out)
    return out.getvalue()


def snapshot():
    """Row counts of every model of the content apps (historical models and m2m tables included),
    and every event's and place's ``updated_at``."""
    counts = {}
    for app_label in CONTENT_APPS:
        for model in apps.get_app_config(app_label).get_models():
            counts[model._meta.label] = model._default_manager.count()
            for field in model._meta.many_to_many:
                counts[field.remote_field.through._meta.label] = field.remote_field.through.objects.count()
    updated = {
        "events": dict(Event.objects.values_list("slug", "updated_at")),
        "places": dict(Place.objects.values_list("slug", "updated_at")),
    }
    return counts, updated


CAMPAIGN_DAYS = [
    # 23 November: the last Thursday of November (26th) is still ahead; March is too far.
    (datetime.date(2026, 11, 23), {"mois-sans-tabac-stand-2026-11-26"}),
    # From mid-December, Mars bleu enters the three months.
    (datetime.date(2026, 12, 20), {"mars-bleu-stand-2027-03-18"}),
    (datetime.date(2027, 7, 20), {"octobre-rose-stand-2027-10-14"}),
    (datetime.date(2027, 4, 1), {"juin-vert-stand-2027-06-10"}),
    (datetime.date(2026, 12, 1), set()),
]


def test_campaign_days_only_in_their_month_and_window(today):
    """The command, on the first day of CAMPAIGN_DAYS (the others: the same rule, below)."""
    day, expected = CAMPAIGN_DAYS[0]
    today(day)
    load()
    campaigns = Event.objects.filter(action__kind="campagne")
    assert set(campaigns.values_list("slug", flat=True)) == expected
    for event in campaigns.select_related("action"):
        assert timezone.localdate(event.start).month == event.action.campaign_month


@pytest.mark.usefixtures("initial_content")
class TestCampaignDays:
    """The dates the command plans for the campaigns' series on each day of CAMPAIGN_DAYS (one load for all)."""

    @pytest.mark.parametrize(("day", "expected"), CAMPAIGN_DAYS)
    def test_campaign_days_only_in_their_month_and_window(self, day, expected):
        campaigns = {action.slug: action for action in Action.objects.filter(kind=ActionKind.CAMPAIGN)}
        planned = {
            (content.event_slug(row, date), date.month == campaigns[row["action"]].campaign_month)
            for row in content.SERIES
            if row["action"] in campaigns
            for date in content.series_dates(row, campaigns[row["action"]], day)
        }
        assert {slug for slug, _ in planned} == expected
        assert all(in_its_month for _, in_its_month in planned)


def test_dates_across_daylight_saving_keep_the_wall_clock(today):
    today(datetime.date(2027, 2, 1))  # window to 1 May: summer time from 28 March
    load()

    cafes = Event.objects.filter(action__slug="cafes-psycho").order_by("start")
    assert [timezone.localdate(e.start) for e in cafes] == [
        datetime.date(2027, 2, 11),
        datetime.date(2027, 3, 11),
        datetime.date(2027, 4, 8),
    ]
    assert {timezone.localtime(e.start).hour for e in cafes} == {19}
    assert cafes.last().start == paris_datetime(2027, 4, 8, 19)


def test_public_holidays_are_skipped(today):
    today(datetime.date(2026, 12, 14))
    load()
    # Fridays at the Espace Jean Ferrat: 25 December and 1 January are holidays.
    fridays = {timezone.localdate(e.start) for e in Event.objects.filter(slug__startswith="laep-espace-jean-ferrat")}
    assert fridays == {datetime.date(2026, 12, 18), datetime.date(2027, 1, 8)}


def test_a_run_a_month_later_adds_only_the_new_dates(today):
    first_day = today(datetime.date(2026, 11, 23))
    load()
    first = dict(Event.objects.values_list("slug", "uid"))

    later = today(first_day + datetime.timedelta(days=31))
    output = load()

    after = dict(Event.objects.values_list("slug", "uid"))
    assert {slug: after[slug] for slug in first} == first  # nothing replaced
    new = Event.objects.exclude(slug__in=first)
    assert new.exists()
    assert f"Événements : {new.count()} créés" in output
    for event in new:
        assert later < timezone.localdate(event.start) <= later + datetime.timedelta(days=93)
    # No event twice: one per series and start.
    pairs = Counter(Event.objects.values_list("title", "start"))
    assert max(pairs.values()) == 1
    assert Event.objects.filter(slug="cafe-psycho-2027-03-11").exists()  # entered the window
    assert Event.objects.filter(slug="cafe-psycho-2026-12-10").count() == 1


def test_the_window_is_three_calendar_months():
    assert list(content.rule_dates(("mensuel", 3, (2,)), datetime.date(2026, 11, 24), datetime.date(2027, 2, 23))) == [
        datetime.date(2026, 12, 10),
        datetime.date(2027, 1, 14),
        datetime.date(2027, 2, 11),
    ]
    assert list(
        content.rule_dates(("mensuel", 3, (LAST,)), datetime.date(2026, 11, 1), datetime.date(2026, 12, 31))
    ) == [
        datetime.date(2026, 11, 26),
        datetime.date(2026, 12, 31),
    ]
    assert list(content.rule_dates(("hebdomadaire", 1), datetime.date(2026, 11, 24), datetime.date(2026, 12, 8))) == [
        datetime.date(2026, 11, 24),
        datetime.date(2026, 12, 1),
        datetime.date(2026, 12, 8),
    ]


def test_every_series_points_to_an_action_and_a_place_of_the_content():
    from actions import content as action_content

    action_slugs = {row["slug"] for row in action_content.ACTIONS}
    place_slugs = {row["slug"] for row in content.PLACES}
    audience_slugs = {row["slug"] for row in action_content.AUDIENCES}
    keys = [row["key"] for row in content.SERIES]
    assert len(keys) == len(set(keys))
    for row in content.SERIES:
        assert row["action"] in action_slugs, row["key"]
        assert row["place"] in place_slugs, row["key"]
        assert set(row.get("audiences", [])) <= audience_slugs, row["key"]
        assert "\n" not in row["description"].replace("\n\n", ""), row["key"]


@pytest.mark.usefixtures("initial_content")
class TestOnTheInitialContent:
    """On the initial content, loaded once for these tests by the command itself (``initial_content``)."""

    initial_content_by_the_command = True  # these tests are about the command: its first run too

    def test_places_of_the_sources(self):
        assert set(Place.objects.values_list("slug", flat=True)) == {row["slug"] for row in content.PLACES}
        town_hall = Place.objects.get(slug="hotel-de-ville-de-creteil")
        assert town_hall.address == "Place Salvador-Allende, 94000 Créteil"
        assert Place.objects.get(slug="laep-la-habette").neighbourhood.slug == "la-habette"
        assert Place.objects.get(slug="espace-jean-ferrat").neighbourhood.slug == "les-bleuets"
        assert Place.objects.get(slug="marche-du-mont-mesly").neighbourhood.slug == "mont-mesly"
        for place in Place.objects.all():
            place.full_clean()
            assert place.published
            assert place.latitude is None  # no coordinates we are not sure of
            # An address we are not sure of is left empty (the pages say « à confirmer »), never guessed.
            # The two LAEP: the sources name only their quartier, not a street address.
            assert "Créteil" in place.address or place.slug in {
                "cami-de-creteil",
                "sami-de-creteil",
                "laep-la-habette",
                "espace-jean-ferrat",
            }
        for slug in ("cami-de-creteil", "laep-la-habette", "espace-jean-ferrat"):
            assert Place.objects.get(slug=slug).address == "", slug
        assert [a.slug for a in Place.objects.get(slug="laep-la-habette").actions.all()] == [
            "lieux-d-accueil-enfants-parents"
        ]

    def test_upcoming_events_for_three_months_attached_to_published_actions(self):
        today = timezone.localdate()
        events = list(Event.objects.select_related("action", "place"))

        assert len(events) >= 15
        for event in events:
            day = timezone.localdate(event.start)
            assert today < day <= today + datetime.timedelta(days=93), event.slug
            assert event.start > timezone.now()
            assert event.action.published, event.slug
            assert event.place is not None and event.place.published, event.slug
            assert event.status == EventStatus.SCHEDULED
            assert day not in french_public_holidays(day.year), event.slug
            assert event.slug.endswith(f"-{day:%Y-%m-%d}")
            event.full_clean()
        assert Event.objects.published().upcoming().count() == len(events)
        assert len({event.uid for event in events}) == len(events)

    def test_the_kinds_of_events_the_issue_asks_for(self):
        by_action = Counter(Event.objects.values_list("action__slug", flat=True))

        assert 2 <= by_action["cafes-psycho"] <= 4  # monthly
        assert 2 <= by_action["mutuelle-communale"] <= 4
        assert 2 <= by_action["bilans-de-forme"] <= 4
        assert by_action["lieux-d-accueil-enfants-parents"] >= 6  # weekly, at both places
        for workshop in ("prevention-bucco-dentaire", "nutrition-bien-manger"):
            assert by_action[workshop] >= 2, workshop

        laep_places = set(
            Event.objects.filter(action__slug="lieux-d-accueil-enfants-parents").values_list("place__slug", flat=True)
        )
        assert laep_places == {"laep-la-habette", "espace-jean-ferrat"}
        assert set(Event.objects.filter(action__slug="bilans-de-forme").values_list("place__slug", flat=True)) == {
            "marche-du-mont-mesly"
        }
        for event in Event.objects.filter(action__slug="bilans-de-forme"):
            local = timezone.localtime(event.start)
            assert local.weekday() == 5 and local.hour < 12  # Saturday mornings

    def test_cafes_psycho_on_the_second_thursday_at_19h(self):
        for event in Event.objects.filter(action__slug="cafes-psycho"):
            local_start, local_end = timezone.localtime(event.start), timezone.localtime(event.end)
            assert local_start.weekday() == 3 and 8 <= local_start.day <= 14
            assert (local_start.hour, local_start.minute, local_end.hour) == (19, 0, 21)
            assert event.registration == Registration.NONE
            assert set(event.audiences.values_list("slug", flat=True)) == {"tous-publics", "adultes"}

    def test_mutuelle_permanences_recommend_calling_the_ccas(self):
        permanences = Event.objects.filter(action__slug="mutuelle-communale")
        assert permanences.exists()
        for event in permanences:
            assert event.registration == Registration.RECOMMENDED
            assert event.registration_with_ccas
            assert event.registration_phone == ""  # the CCAS phone comes from the site's settings
            assert event.place.slug == "hotel-de-ville-de-creteil"
        for event in Event.objects.filter(registration=Registration.REQUIRED):
            assert event.registration_with_ccas or event.registration_phone or event.registration_url

    def test_the_loaders_never_copy_the_ccas_phone(self, settings):
        """The CCAS phone lives in the site's settings only: nothing loaded holds a copy of it."""
        from actions.models import Action
        from core.glossary import GlossaryTerm

        assert Event.objects.filter(registration_with_ccas=True).count() >= 4
        assert not Event.objects.exclude(registration_phone="").exists()
        assert not Action.objects.exclude(contact_phone="").exists()  # their pages give the CCAS of the settings
        texts = [
            *Event.objects.values_list("description", flat=True),
            *Place.objects.values_list("description", "accessibility_notes", "address", "phone"),
            *GlossaryTerm.objects.values_list("definition", flat=True),
        ]
        flat = " ".join(" ".join(text) if isinstance(text, tuple) else text for text in texts)
        assert "CCAS" in flat  # the texts still send to the CCAS…
        assert "49 80 88 68" not in flat and settings.CCAS_PHONE not in flat  # … without its number

    def test_workshops_stay_within_their_actions_dates(self):
        for event in Event.objects.exclude(action__start_date=None).select_related("action"):
            day = timezone.localdate(event.start)
            if event.action.kind != "campagne":
                assert event.action.start_date <= day, event.slug
            if event.action.end_date and event.action.kind != "campagne":
                assert day <= event.action.end_date, event.slug

    def test_running_twice_changes_nothing(self, initial_content):
        first_output = initial_content
        before = snapshot()

        output = load()

        assert snapshot() == before
        assert f"Lieux : {len(content.PLACES)} créés, 0 déjà présent." in first_output
        created = Event.objects.count()
        assert f"Événements : {created} créés, 0 déjà présent." in first_output
        assert f"Lieux : 0 créé, {len(content.PLACES)} déjà présents." in output
        assert f"Événements : 0 créé, {created} déjà présents." in output

    def test_history_records_carry_the_reason(self):
        event = Event.objects.filter(action__slug="cafes-psycho").first()
        assert set(event.history.values_list("history_change_reason", flat=True)) == {"Contenu initial"}
        assert Place.history.get(slug="hotel-de-ville-de-creteil").history_change_reason == "Contenu initial"

    def test_editors_changes_survive_a_rerun(self):
        cafe = Event.objects.filter(action__slug="cafes-psycho").first()
        cafe.status = EventStatus.CANCELLED
        cafe.start += datetime.timedelta(days=7)
        cafe.end += datetime.timedelta(days=7)
        cafe.save()
        cafe.audiences.clear()
        place = Place.objects.get(slug="marche-du-mont-mesly")
        place.address = "Place du marché, 94000 Créteil"
        place.serves_moteur = True
        place.save()
        deleted = Event.objects.filter(action__slug="bilans-de-forme").first()
        deleted_slug = deleted.slug
        deleted.delete()
        renamed = Event.objects.filter(action__slug="mutuelle-communale").first()
        old_slug = renamed.slug
        renamed.slug = "permanence-mutuelle-speciale"
        renamed.save()
        count = Event.objects.count()

        output = load()

        cafe.refresh_from_db()
        assert cafe.status == EventStatus.CANCELLED
        assert not cafe.audiences.exists()
        place.refresh_from_db()
        assert (place.address, place.serves_moteur) == ("Place du marché, 94000 Créteil", True)
        # An event an editor deleted or renamed is not created again.
        assert not Event.objects.filter(slug__in=[deleted_slug, old_slug]).exists()
        assert Event.objects.count() == count
        assert "Événements : 0 créé" in output

    def test_a_deleted_place_comes_back_without_its_deleted_events(self):
        Event.objects.filter(place__slug="laep-la-habette").delete()
        Place.objects.filter(slug="laep-la-habette").delete()
        Place.objects.filter(slug="espace-jean-ferrat").update(name="Espace Jean-Ferrat (Bleuets)")

        output = load()

        assert "Lieux : 1 créé" in output
        assert Place.objects.filter(slug="laep-la-habette").count() == 1
        assert not Event.objects.filter(place__slug="laep-la-habette").exists()
        assert Place.objects.get(slug="espace-jean-ferrat").name == "Espace Jean-Ferrat (Bleuets)"
