"""Attendance after an event: who came, by audience; a cancelled event counts nothing; the sums."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from events.enums import EventStatus
from events.models import FUTURE_ATTENDANCE, Event, EventAttendance, attendance_breakdown_problem
from tests.actions.factories import ActionFactory, AudienceFactory, NeighbourhoodFactory, axis
from tests.events.factories import EventFactory, PlaceFactory
from tests.helpers import admin_url, form_data, paris_datetime, squash
from tests.staff.factories import StaffUserFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def past_event(days_ago=10, **fields):
    start = fields.pop("start", timezone.now() - days_ago * DAY)
    return EventFactory(start=start, end=start + datetime.timedelta(hours=2), **fields)


# Rules --------------------------------------------------------------------------------


def test_a_cancelled_event_takes_no_attendance():
    event = past_event(status=EventStatus.CANCELLED)
    event.attendance = 12
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert error.value.message_dict["attendance"] == [
        "Un événement annulé ne compte aucun participant : laissez le nombre vide."
    ]


def test_the_database_refuses_attendance_on_a_cancelled_event():
    event = past_event(attendance=12)
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(status=EventStatus.CANCELLED)


def test_only_a_started_event_takes_attendance():
    event = EventFactory(attendance=12)  # next week
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert error.value.message_dict["attendance"] == [FUTURE_ATTENDANCE]
    past_event(attendance=12).full_clean()


@pytest.mark.parametrize(
    ("total", "counts", "problem"),
    [
        (20, [], ""),
        (20, [12, 10], ""),  # a parent may also be a senior: the breakdown may exceed the total
        (None, [5], "Indiquez d’abord le nombre total de participants"),
        (10, [12], "Un public ne peut pas compter plus de personnes que le total de l’événement (10)."),
    ],
)
def test_breakdown_fits_the_total(total, counts, problem):
    assert attendance_breakdown_problem(total, counts).startswith(problem)


def test_held_events_and_their_totals():
    action = ActionFactory()
    past_event(action=action, attendance=12)
    past_event(action=action, attendance=8)
    past_event(action=action)  # held, not counted yet
    past_event(action=action, status=EventStatus.CANCELLED)
    EventFactory(action=action)  # to come
    held = Event.objects.filter(action=action).held()
    assert held.count() == 3
    assert held.attendance_totals() == {"events": 3, "participants": 20, "counted": 2}
    assert Event.objects.none().attendance_totals() == {"events": 0, "participants": 0, "counted": 0}


def test_attendance_by_action_axis_neighbourhood_month_and_year():
    north, south = NeighbourhoodFactory(name="Nord"), NeighbourhoodFactory(name="Sud")
    first, second = ActionFactory(axis=axis(1)), ActionFactory(axis=axis(3))
    in_north, in_south = PlaceFactory(neighbourhood=north), PlaceFactory(neighbourhood=south)
    past_event(action=first, place=in_north, start=paris_datetime(2025, 3, 31, 23, 30), attendance=10)
    past_event(action=first, place=in_south, start=paris_datetime(2026, 4, 1, 10), attendance=5)
    past_event(action=second, place=in_north, start=paris_datetime(2026, 4, 15, 10), attendance=7)
    past_event(action=second, place=None, start=paris_datetime(2026, 5, 2, 10))
    held = Event.objects.held()

    def by(dimension):
        return {row["key"]: (row["events"], row["participants"]) for row in held.attendance_by(dimension)}

    assert by("action") == {first.pk: (2, 15), second.pk: (2, 7)}
    assert by("axis") == {axis(1).pk: (2, 15), axis(3).pk: (2, 7)}
    assert by("neighbourhood") == {north.pk: (2, 17), south.pk: (1, 5), None: (1, 0)}
    assert by("year") == {2025: (1, 10), 2026: (3, 12)}
    months = {(key.year, key.month): value for key, value in by("month").items()}
    # 31 March 23 h 30 in Paris is in March, whatever the UTC date.
    assert months == {(2025, 3): (1, 10), (2026, 4): (2, 12), (2026, 5): (1, 0)}
    with pytest.raises(ValueError, match="Regroupement inconnu"):
        held.attendance_by("planet")


def test_attendance_keeps_its_history():
    event = past_event(attendance=10)
    event.attendance = 14
    event.save()
    row = EventAttendance.objects.create(event=event, audience=AudienceFactory(), count=6)
    assert [version.attendance for version in event.history.order_by("history_date")] == [10, 14]
    assert row.history.count() == 1


# Admin ---------------------------------------------------------------------------------


def _change_data(client, event):
    response = client.get(admin_url(Event, "change", event.pk))
    assert response.status_code == 200
    data = form_data(response.text, "event_form")
    data["_save"] = "Enregistrer"
    return data


def test_editor_records_attendance_by_audience(editor_client, editor):
    event = past_event()
    parents, seniors = AudienceFactory(name="Parents"), AudienceFactory(name="Seniors")
    data = _change_data(editor_client, event)
    data.update(
        {
            "attendance": "25",
            "attendances-TOTAL_FORMS": "2",
            "attendances-0-audience": parents.pk,
            "attendances-0-count": "15",
            "attendances-1-audience": seniors.pk,
            "attendances-1-count": "10",
        }
    )
    response = editor_client.post(admin_url(Event, "change", event.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event.refresh_from_db()
    assert event.attendance == 25
    assert {row.audience.name: row.count for row in event.attendances.all()} == {"Parents": 15, "Seniors": 10}
    assert event.history.first().history_user == editor
    assert EventAttendance.history.filter(history_user=editor).count() == 2


def test_admin_refuses_attendance_before_the_event_and_a_breakdown_above_the_total(editor_client):
    future = EventFactory()
    data = _change_data(editor_client, future)
    data["attendance"] = "12"
    response = editor_client.post(admin_url(Event, "change", future.pk), data)
    assert response.status_code == 200
    assert "Le nombre de participants se note une fois l’événement commencé." in response.text

    event = past_event()
    data = _change_data(editor_client, event)
    data.update({"attendance": "5", "attendances-TOTAL_FORMS": "1"})
    data.update({"attendances-0-audience": AudienceFactory().pk, "attendances-0-count": "9"})
    response = editor_client.post(admin_url(Event, "change", event.pk), data)
    assert response.status_code == 200
    assert "Un public ne peut pas compter plus de personnes que le total de l’événement (5)." in squash(response.text)
    assert not EventAttendance.objects.exists()


def test_staff_without_group_cannot_record_attendance(client):
    client.force_login(StaffUserFactory())
    assert client.get(admin_url(Event, "change", past_event().pk)).status_code == 403


def test_bulk_cancel_leaves_counted_events_alone(editor_client):
    counted, other = past_event(attendance=9), past_event()
    response = editor_client.post(
        admin_url(Event, "changelist"),
        {"action": "cancel_selected", "_selected_action": [counted.pk, other.pk]},
        follow=True,
    )
    assert response.status_code == 200
    text = squash(response.text)
    assert "1 événement a déjà des participants comptés : il n’est pas annulé." in text
    counted.refresh_from_db()
    other.refresh_from_db()
    assert counted.status == EventStatus.SCHEDULED and other.status == EventStatus.CANCELLED


# On the action page ---------------------------------------------------------------------


def test_action_page_shows_events_held_and_participants(client):
    action = ActionFactory()
    past_event(action=action, attendance=12)
    past_event(action=action, attendance=8)
    past_event(action=action)
    past_event(action=action, status=EventStatus.CANCELLED)
    past_event(action=action, attendance=50, published=False)
    text = squash(client.get(action.get_absolute_url()).text)
    assert "Rendez-vous tenus 3" in text
    assert "Participants comptés 20 sur 2 rendez-vous comptés" in text


def test_the_events_list_shows_the_held_events_whose_participants_are_to_note(editor_client):
    to_note = past_event(title="Atelier à compter")
    noted = past_event(title="Atelier compté", attendance=12)
    past_event(title="Atelier annulé", status=EventStatus.CANCELLED)
    EventFactory(title="Atelier à venir", start=timezone.now() + 3 * DAY)
    assert list(Event.objects.attendance_to_record()) == [to_note]
    url = admin_url(Event, "changelist")
    listed = editor_client.get(url, {"participation": "a-noter"}).context["cl"].result_list
    assert list(listed) == [to_note]
    listed = editor_client.get(url, {"participation": "notee"}).context["cl"].result_list
    assert list(listed) == [noted]
    assert editor_client.get(url, {"participation": "nimporte"}).status_code == 200
