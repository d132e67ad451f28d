"""The promised call-back time of the interest requests (mutuelle/models.py): 5 working days."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from mutuelle.enums import RequestStatus
from mutuelle.models import CALL_BACK_WORKING_DAYS, InterestRequest, call_back_deadline
from mutuelle.services.requests import CALL_BACK_DELAY
from tests.helpers import paris_datetime
from tests.mutuelle.factories import InterestRequestFactory, backdate
from tests.staff.helpers import verified_login

pytestmark = pytest.mark.django_db

# Tuesday 8 December 2026: the requests of Tuesday 1st (deadline the 8th) are due today; those of
# Monday 30 November (deadline Monday 7th) are late; those of Wednesday 2nd are not due yet.
TODAY = datetime.date(2026, 12, 8)


def received(when, **fields):
    return backdate(InterestRequestFactory(**fields), created_at=when)


def test_the_promise_is_said_from_the_rule():
    assert CALL_BACK_WORKING_DAYS == 5
    assert CALL_BACK_DELAY == "5 jours ouvrés"
    assert call_back_deadline(datetime.date(2026, 12, 1)) == TODAY


def test_overdue_and_due_today_in_paris_time():
    late = received(paris_datetime(2026, 11, 30, 23, 59))
    first_minute = received(paris_datetime(2026, 12, 1, 0, 0))
    last_minute = received(paris_datetime(2026, 12, 1, 23, 59))
    not_yet = received(paris_datetime(2026, 12, 2, 0, 0))
    requests = InterestRequest.objects.all()
    assert list(requests.call_back_overdue(TODAY)) == [late]
    assert set(requests.call_back_due_today(TODAY)) == {first_minute, last_minute}
    assert not_yet not in requests.call_back_overdue(TODAY) | requests.call_back_due_today(TODAY)


def test_a_request_received_at_the_weekend_is_due_with_the_friday_ones():
    # Friday 11 December: the deadline of Friday 4th, Saturday 5th and Sunday 6th.
    friday = received(paris_datetime(2026, 12, 4, 10))
    saturday = received(paris_datetime(2026, 12, 5, 10))
    sunday = received(paris_datetime(2026, 12, 6, 10))
    thursday = received(paris_datetime(2026, 12, 3, 10))
    requests = InterestRequest.objects.all()
    assert set(requests.call_back_due_today(datetime.date(2026, 12, 11))) == {friday, saturday, sunday}
    assert list(requests.call_back_overdue(datetime.date(2026, 12, 11))) == [thursday]
    # Nothing is due on a Saturday or a Sunday.
    assert not requests.call_back_due_today(datetime.date(2026, 12, 12)).exists()


def test_a_public_holiday_gives_one_more_day():
    # Received Monday 21 December: Friday 25th is Christmas, the last day is Tuesday 29th.
    request = received(paris_datetime(2026, 12, 21, 9))
    requests = InterestRequest.objects.all()
    assert not requests.call_back_overdue(datetime.date(2026, 12, 28)).exists()
    assert list(requests.call_back_due_today(datetime.date(2026, 12, 29))) == [request]
    assert list(requests.call_back_overdue(datetime.date(2026, 12, 30))) == [request]


def test_only_new_requests_count():
    received(paris_datetime(2026, 11, 20, 9), status=RequestStatus.TO_CALL_BACK)
    received(paris_datetime(2026, 12, 1, 9), status=RequestStatus.CONTACTED)
    requests = InterestRequest.objects.all()
    assert not requests.call_back_overdue(TODAY).exists()
    assert not requests.call_back_due_today(TODAY).exists()


def test_the_queue_filters_on_the_same_rule(client):
    from tests.mutuelle.factories import AgentFactory

    now = timezone.now()
    late = received(now - datetime.timedelta(days=30))
    fresh = received(now)
    verified_login(client, AgentFactory())
    url = reverse("admin:mutuelle_interestrequest_changelist")
    response = client.get(url, {"rappel": "en-retard"})
    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert late in shown
    assert fresh not in shown
    assert "Délai de 5 jours ouvrés dépassé" in response.text
    assert client.get(url, {"rappel": "aujourd-hui"}).status_code == 200
    assert client.get(url, {"rappel": "n-importe"}).status_code in (200, 302, 400)
