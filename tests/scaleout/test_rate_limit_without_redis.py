"""The interest form's limit is one limit across server processes, without Redis (issue 9 §3).

Before, without ``REDIS_URL``, each gunicorn worker counted in its own memory: 30 posts from one
address with a limit of 5 an hour gave 23 requests with 5 workers. Here two gunicorn instances of
two workers each (four processes, as a small city server without Redis runs) serve one database:
on PostgreSQL the test database, on SQLite a database file made for the test (the test process's
own SQLite database lives in memory, where no server can reach it).
"""

import shutil
import sqlite3

import pytest
import requests

from mutuelle.models import InterestRequest
from tests.mutuelle.factories import reset_rate_limits

from .servers import (
    RATE_LIMIT_MARK,
    REQUEST_DONE_PATH,
    database_url,
    instance_environment,
    interest_form,
    interest_form_values,
    running_instances,
    submit,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FORM_RATE = 3


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory, django_db_blocker):
    """A SQLite database file migrated once for the module (a copy serves each test).

    The test database the migrations made, in memory, written to a file by SQLite's backup (a
    transactional test starts from it as the migrations left it): no second ``migrate`` process.
    """
    from django.db import connection

    path = tmp_path_factory.mktemp("sqlite") / "portail.sqlite3"
    with django_db_blocker.unblock():
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    return path


@pytest.fixture
def served_database(request, tmp_path):
    """(DATABASE_URL for the servers, a function counting the requests they recorded)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        reset_rate_limits()  # the counters' table outlives transactional tests
        yield database_url(connection.settings_dict), InterestRequest.objects.count
        reset_rate_limits()
        return
    path = tmp_path / "portail.sqlite3"
    shutil.copy(request.getfixturevalue("migrated_sqlite"), path)

    def count():
        with sqlite3.connect(path) as database:
            return database.execute("SELECT COUNT(*) FROM mutuelle_interestrequest").fetchone()[0]

    yield f"sqlite:///{path}", count


@pytest.fixture
def instances(served_database, tmp_path):
    url, _ = served_database
    env = instance_environment(
        database_url=url,
        redis_url="",  # the small deployment: no Redis
        key_prefix="cls-test",
        MUTUELLE_FORM_RATE=f"{FORM_RATE}/h",
        DJANGO_PAGE_CACHE_DIR=str(tmp_path / "pages"),
    )
    with running_instances(env, tmp_path, workers=2) as started:
        yield started


def send(instance, last_name, **values):
    resident = requests.Session()  # each resident has their own session; all share one address
    page, form = interest_form(resident, instance.url)
    return submit(resident, page, form, **{**interest_form_values(last_name), **values})


def test_the_limit_holds_across_processes_without_redis(instances, served_database):
    _, recorded = served_database
    a, b = instances
    # Twelve posts, spread over both instances (and so over their four worker processes).
    answers = [send((a, b)[number % 2], f"Essai {'abcdefghijkl'[number]}") for number in range(12)]

    codes = [answer.status_code for answer in answers]
    assert codes == [302] * FORM_RATE + [429] * (12 - FORM_RATE), codes
    assert all(answer.headers["Location"].endswith(REQUEST_DONE_PATH) for answer in answers[:FORM_RATE])
    assert all(RATE_LIMIT_MARK in answer.text for answer in answers[FORM_RATE:])
    assert recorded() == FORM_RATE


def test_forms_returned_with_mistakes_never_use_up_the_limit(instances, served_database):
    _, recorded = served_database
    a, b = instances
    for number in range(6):
        answer = send((a, b)[number % 2], "Essai", postal_code="75001")  # outside Créteil: to correct
        assert answer.status_code == 200, answer.status_code
        assert "is-invalid" in answer.text
    # Then the right one, on either instance: accepted.
    answer = send(a, "Essai", postal_code="94000")
    assert answer.status_code == 302
    assert recorded() == 1
