"""One slot is never booked twice (issue 15 §3 and §4): ten people post the same slot of a mutuelle
permanence at once, through two servers.

Two gunicorn instances of one worker each serve one database (the test database on PostgreSQL, a
file made for the test on SQLite), as in test_registration_concurrency.py, smaller: ten threads
each load the form and post the 9 h slot, spread over both instances. Exactly one appointment is
booked; the nine others get the form back, told that the hour is no longer free, nothing lost.
"""

import shutil
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from mutuelle.models import Appointment
from tests.mutuelle.factories import PermanenceEventFactory, reset_rate_limits

from .servers import database_url, find_form, instance_environment, letters, running_instances, submit

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PEOPLE = 10
SLUG = "permanence-concurrence"


@pytest.fixture
def permanence():
    return PermanenceEventFactory(slug=SLUG)


@pytest.fixture
def served_database(permanence, tmp_path):
    """(DATABASE_URL for the servers, a function counting the appointments they recorded)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        reset_rate_limits()
        yield (
            database_url(connection.settings_dict),
            lambda: list(Appointment.objects.values_list("last_name", "status")),
        )
        reset_rate_limits()
        return
    path = tmp_path / "portail.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()

    def rows():
        with sqlite3.connect(path) as database:
            return database.execute("SELECT last_name, status FROM mutuelle_appointment").fetchall()

    yield f"sqlite:///{path}", rows
    shutil.rmtree(tmp_path / "pages", ignore_errors=True)


@pytest.fixture
def instances(served_database, tmp_path):
    url, _ = served_database
    env = instance_environment(
        database_url=url,
        redis_url="",
        key_prefix="cls-test-appointments",
        MUTUELLE_APPOINTMENT_RATE="10000/h",
        MUTUELLE_APPOINTMENT_FLOOD_RATE="10000/h",
        DJANGO_PAGE_CACHE_DIR=str(tmp_path / "pages"),
    )
    with running_instances(env, tmp_path, workers=1) as started:
        yield started


def book(number, instances, slot):
    here = instances[number % 2]
    person = requests.Session()
    page = person.get(f"{here.url}/mutuelle/rendez-vous/{SLUG}/", timeout=60)
    page.raise_for_status()
    form = find_form(page.text, lambda form: "consent" in form.field_names, page="le formulaire de rendez-vous")
    answer = submit(
        person,
        page,
        form,
        slot=slot,
        first_name="Camille",
        last_name=f"Personne {letters(number)}",
        phone="06 12 34 56 78",
        email=f"personne{number}@example.org",
        consent="on",
    )
    return answer.status_code, answer.text


def test_ten_people_at_once_for_one_slot_one_appointment(instances, served_database, permanence):
    from django.utils import timezone

    _, recorded = served_database
    slot = timezone.localtime(permanence.start).strftime("%Y-%m-%dT%H:%M")
    with ThreadPoolExecutor(max_workers=PEOPLE) as pool:
        answers = list(pool.map(lambda number: book(number, instances, slot), range(PEOPLE)))

    codes = sorted(code for code, _ in answers)
    assert codes.count(302) == 1, codes
    # The others: the form again (200, or 409 when the slot went between the check and the lock),
    # told the hour is taken.
    assert all(code in (200, 409) for code in codes if code != 302), codes
    assert all("plus libre" in text for code, text in answers if code != 302)
    rows = recorded()
    assert len(rows) == 1 and rows[0][1] == "confirmee", rows
