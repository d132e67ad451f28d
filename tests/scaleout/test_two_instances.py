"""Two gunicorn instances on one PostgreSQL and one Redis behave as one site (issue 5, scale-out).

The instances are real gunicorn processes serving the test database pytest-django created,
with the production settings and REDIS_URL on the test Redis database (TEST_REDIS_URL,
``redis://127.0.0.1:6379/3`` by default), under a key prefix of the test's own, deleted before
and after (tests on parallel workers share the database). PostgreSQL only (SQLite
cannot be shared by two servers); without Redis the test is skipped, except in CI.
"""

import secrets

import pytest
import requests
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import override_settings
from django.urls import reverse

from mutuelle.models import InterestRequest
from tests.actions.factories import ActionFactory

from .conftest import needs
from .servers import (
    RATE_LIMIT_MARK,
    REQUEST_DONE_PATH,
    database_url,
    find_form,
    instance_environment,
    interest_form,
    interest_form_values,
    redis_flush,
    redis_problem,
    running_instances,
    scaleout_redis_url,
    submit,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FORM_RATE = 3  # interest form submissions allowed per address and per hour, across both instances


@pytest.fixture
def key_prefix():
    """One cache key prefix per test: tests on parallel workers share the Redis database, not their keys."""
    return f"cls-test-scaleout-{secrets.token_hex(4)}"


@pytest.fixture
def redis_url(postgresql_only, key_prefix):
    """The test Redis, without any key of this test before and after it."""
    url = scaleout_redis_url()
    problem = redis_problem(url)
    if problem:
        needs(problem)
    redis_flush(url, key_prefix=key_prefix)
    yield url
    redis_flush(url, key_prefix=key_prefix)


@pytest.fixture
def shared_cache(redis_url, key_prefix):
    """This process's caches on the instances' Redis (as REDIS_URL sets them): what it invalidates, they see."""
    cache = {
        "BACKEND": "core.signed_cache.SignedRedisCache",  # signed with the instances' key (below)
        "LOCATION": redis_url,
        "KEY_PREFIX": key_prefix,
    }
    with override_settings(CACHES=dict.fromkeys(settings.CACHES, cache)):
        yield


@pytest.fixture
def instances(redis_url, key_prefix, tmp_path):
    from django.db import connection

    env = instance_environment(
        database_url=database_url(connection.settings_dict),
        redis_url=redis_url,
        key_prefix=key_prefix,
        MUTUELLE_FORM_RATE=f"{FORM_RATE}/h",
        # What this process writes in the shared Redis (shared_cache), the instances read as theirs.
        DJANGO_CACHE_SIGNING_KEY=settings.CACHE_SIGNING_KEY,
    )
    with running_instances(env, tmp_path) as started:
        yield started


def admin_login(session, base_url, *, username, password):
    """Log in through whatever login form /admin/ serves (Django's, or two_factor's wizard)."""
    page = session.get(f"{base_url}/admin/login/?next=/admin/", timeout=30)
    assert page.status_code == 200, page.status_code
    form = find_form(page.text, lambda form: form.has_password, page="la connexion de l’administration")
    values = {form.name_ending("username"): username, form.name_ending("password"): password}
    answer = submit(session, page, form, **values)
    assert answer.status_code == 302, f"connexion refusée ({answer.status_code})"
    return answer


def test_a_staff_session_opened_on_one_instance_works_on_the_other_and_its_edits_show_there(
    instances, django_user_model
):
    a, b = instances
    password = secrets.token_urlsafe(16)
    user = django_user_model.objects.create_user(
        username="redaction-scaleout", email="redaction@example.org", password=password, is_staff=True
    )
    user.groups.add(Group.objects.get(name="Rédaction"))
    staff = requests.Session()

    before = staff.get(f"{b.url}/admin/", allow_redirects=False, timeout=30)
    assert before.status_code == 302 and "login" in before.headers["Location"]

    admin_login(staff, a.url, username=user.username, password=password)
    for instance in (a, b, a):
        page = staff.get(f"{instance.url}/admin/", allow_redirects=False, timeout=30)
        assert page.status_code == 200, f"instance {instance.name} : {page.status_code}"
        assert user.username in page.text

    user.refresh_from_db()
    assert user.last_login is not None

    # The editor changes an action through the admin of A; a visitor of B sees it at once.
    action = ActionFactory(title="Atelier mémoire", slug="atelier-memoire")
    visitor = requests.Session()
    for _ in range(2):  # B has cached the page, if it caches it
        before = visitor.get(b.url + action.get_absolute_url(), timeout=30).text
        assert "Atelier mémoire" in before and "Atelier mémoire et équilibre" not in before
    change = staff.get(a.url + reverse("admin:actions_action_change", args=[action.pk]), timeout=30)
    assert change.status_code == 200
    form = find_form(change.text, lambda form: "title" in form.field_names, page="la fiche de l’action")
    saved = submit(staff, change, form, title="Atelier mémoire et équilibre", _save="Enregistrer")
    assert saved.status_code == 302, saved.text[:2000]
    page = visitor.get(b.url + action.get_absolute_url(), timeout=30)
    assert "Atelier mémoire et équilibre" in page.text
    action.refresh_from_db()
    assert action.title == "Atelier mémoire et équilibre"


def test_a_content_change_is_visible_on_both_instances_at_once(instances, shared_cache):
    a, b = instances
    action = ActionFactory(title="Dépistage du diabète", slug="depistage-diabete")
    path = action.get_absolute_url()
    visitor = requests.Session()
    for instance in (a, b, a, b):  # twice each: whatever an instance caches, it has cached it
        page = visitor.get(instance.url + path, timeout=30)
        assert page.status_code == 200 and "Dépistage du diabète" in page.text

    action.title = "Dépistage gratuit du diabète et de l’hypertension"
    action.save()

    for instance in (b, a):
        page = visitor.get(instance.url + path, timeout=30)
        assert page.status_code == 200
        assert "Dépistage gratuit du diabète et de l’hypertension" in page.text, f"instance {instance.name}"
        assert "Dépistage du diabète" not in page.text


def test_the_interest_form_rate_limit_counts_across_both_instances(instances):
    a, b = instances
    answers = []
    for number, instance in enumerate((a, b, a, b, a)):
        resident = requests.Session()  # each resident has their own session; all share one address
        page, form = interest_form(resident, instance.url)
        answer = submit(resident, page, form, **interest_form_values(f"Essai {'abcde'[number]}"))
        answers.append((instance.name, answer))

    for name, answer in answers[:FORM_RATE]:
        assert answer.status_code == 302, f"instance {name} : {answer.status_code}"
        assert answer.headers["Location"].endswith(REQUEST_DONE_PATH)
    for name, answer in answers[FORM_RATE:]:
        assert answer.status_code == 429, f"instance {name} : {answer.status_code}"
        assert RATE_LIMIT_MARK in answer.text
    assert {name for name, _ in answers[FORM_RATE:]} == {"A", "B"}
    assert sorted(InterestRequest.objects.values_list("last_name", flat=True)) == ["Essai a", "Essai b", "Essai c"]
