"""No overbooking, ever (issue 15 §4): 100 people register at once for 20 places, through two servers.

Two gunicorn instances of two workers each (four processes) serve one database: on PostgreSQL
the test database (the event's row is locked with SELECT … FOR UPDATE), on SQLite a database
file made for the test (the write lock of the whole database, taken first). Sixteen threads post
the registration form, each person with their own session, spread over both instances; ten of
them click twice, the second post going to the other instance (what a load balancer does on a
retry). Exactly 20 are confirmed, 80 wait, ranked 1 to 80 in the order they were recorded;
nobody is lost, nobody is recorded twice, a form sent twice keeps its reference.

On PostgreSQL in CI (``CI`` set) the test is mandatory, like the other scale-out tests.
"""

import shutil
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from events.models import Registration
from tests.events.factories import PortalEventFactory
from tests.mutuelle.factories import reset_rate_limits

from .servers import database_url, find_form, instance_environment, letters, running_instances, submit

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PEOPLE = 100
PLACES = 20
DOUBLE_CLICKS = 10
THREADS = 16
SLUG = "cafe-psycho-concurrence"


@pytest.fixture
def event():
    return PortalEventFactory(slug=SLUG, title="Café psycho", registration_capacity=PLACES)


@pytest.fixture
def served_database(event, tmp_path):
    """(DATABASE_URL for the servers, a function listing the registrations they recorded by pk)."""
    from django.db import connection

    columns = "id, last_name, status, reference, submission_token"
    if connection.vendor == "postgresql":
        reset_rate_limits()

        def rows():
            return list(
                Registration.objects.order_by("pk").values_list(
                    "id", "last_name", "status", "reference", "submission_token"
                )
            )

        yield database_url(connection.settings_dict), rows
        reset_rate_limits()
        return
    # SQLite: the test database (in memory, with the event committed) written to a file the servers share.
    path = tmp_path / "portail.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()

    def rows():
        with sqlite3.connect(path) as database:
            return database.execute(f"SELECT {columns} FROM events_registration ORDER BY id").fetchall()  # noqa: S608

    yield f"sqlite:///{path}", rows
    shutil.rmtree(tmp_path / "pages", ignore_errors=True)


@pytest.fixture
def instances(served_database, tmp_path):
    url, _ = served_database
    env = instance_environment(
        database_url=url,
        redis_url="",
        key_prefix="cls-test-registrations",
        EVENTS_REGISTRATION_RATE="10000/h",
        EVENTS_REGISTRATION_FLOOD_RATE="10000/h",
        DJANGO_PAGE_CACHE_DIR=str(tmp_path / "pages"),
    )
    with running_instances(env, tmp_path, workers=2) as started:
        yield started


def register(number, instances):
    """One person: the form from one instance, posted there (and posted again to the other: a double click)."""
    here, there = instances[number % 2], instances[(number + 1) % 2]
    person = requests.Session()
    page = person.get(f"{here.url}/agenda/{SLUG}/inscription/", timeout=60)
    page.raise_for_status()
    form = find_form(page.text, lambda form: "consent" in form.field_names, page="le formulaire d’inscription")
    values = {
        "first_name": "Camille",
        "last_name": f"Personne {letters(number)}",
        "phone": "06 12 34 56 78",
        "email": f"personne{number}@example.org",
        "consent": "on",
    }
    answers = [submit(person, page, form, **values)]
    if number < DOUBLE_CLICKS:
        answers.append(submit(person, page, form, base_url=there.url, **values))
    token = dict(form.fields)["submission_token"]
    return values["last_name"], token, [answer.status_code for answer in answers]


def test_a_hundred_registrations_at_once_for_twenty_places(instances, served_database):
    _, recorded = served_database
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(lambda number: register(number, instances), range(PEOPLE)))

    for name, _, codes in results:
        assert all(code == 302 for code in codes), f"{name} : {codes}"
    rows = recorded()
    # Nobody lost, nobody twice: one registration per person, one per form (the double clicks too).
    assert len(rows) == PEOPLE
    assert sorted(row[1] for row in rows) == sorted(name for name, _, _ in results)
    assert len({row[3] for row in rows}) == PEOPLE
    assert {row[4] for row in rows} == {token for _, token, _ in results}
    # Exactly the places: the first twenty recorded are confirmed, the eighty after them wait, in order.
    statuses = [row[2] for row in rows]
    assert statuses == ["confirmee"] * PLACES + ["attente"] * (PEOPLE - PLACES), statuses
