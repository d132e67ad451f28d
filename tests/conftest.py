import pytest
from django.contrib.auth.models import Group
from django.db import transaction

from tests.initial_content import load_initial_content


@pytest.fixture
def editor(django_user_model):
    """A member of the « Rédaction » group, staff, no superuser."""
    user = django_user_model.objects.create_user(
        username="redaction", email="redaction@example.org", password="motdepasse-redaction", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Rédaction"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def today(monkeypatch):
    """``today(day)``: the site's today (``timezone.localdate()``) becomes ``day`` for the test.

    The project's way of freezing the date: only ``localdate()`` without argument answers ``day``;
    a datetime given to it is read as usual, and ``timezone.now()`` is untouched.
    """
    from django.utils import timezone

    real_localdate = timezone.localdate

    def set_today(day):
        def localdate(value=None, timezone=None):
            return day if value is None else real_localdate(value, timezone)

        monkeypatch.setattr(timezone, "localdate", localdate)
        return day

    return set_today


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's superuser client, with a session verified by two-factor authentication."""
    from tests.staff.helpers import verified_login

    verified_login(client, admin_user)
    return client


def _django_db(item):
    """(transactional, serialized_rollback) of the test's ``django_db`` marker, or None."""
    from pytest_django.fixtures import validate_django_db

    marker = item.get_closest_marker("django_db")
    if marker is None:
        return None
    transaction, reset_sequences, _databases, serialized_rollback, _apps = validate_django_db(marker)
    return bool(transaction or reset_sequences), bool(serialized_rollback)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Give the tests after a transactional one the database the migrations made.

    A transactional test (browser tests, real commits) ends with a flush that empties every
    table, axes and staff groups of the data migrations included. pytest-django runs those tests
    last, but xdist's work stealing can hand a worker ordinary tests after one: reload the
    snapshot taken when the test database was created, as ``serialized_rollback`` does.
    """
    yield
    django_db = _django_db(item)
    if django_db is None or not django_db[0]:
        return
    # A transactional test with serialized_rollback next: its own set-up reloads the snapshot, not
    # twice. The tables must still be emptied first: the flush after a transactional test without
    # serialized_rollback runs the post_migrate handlers, which create the content types and
    # permissions again under new ids, and the snapshot's rows would then clash with them.
    reload = nextitem is None or _django_db(nextitem) != (True, True)
    from django.core.management import call_command
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        for connection in connections.all(initialized_only=True):
            snapshot = getattr(connection, "_test_serialized_contents", None)
            if snapshot is None:
                continue
            # Sequences left as they are (as Django's own flush after a test does): restarting them
            # under the snapshot's rows would hand out the ids of those rows again.
            call_command(
                "flush",
                database=connection.alias,
                interactive=False,
                verbosity=0,
                inhibit_post_migrate=True,
                reset_sequences=False,
            )
            if reload:
                connection.creation.deserialize_db_from_string(snapshot)


@pytest.fixture(autouse=True)
def site_settings_cache(request):
    """Each test starts with the site's settings read afresh, then cached, as on a running site.

    The settings are cached across requests (core/site_settings.py): a copy left by another test
    (whose changes were rolled back) must not leak, and a test's first page must not pay the one
    query that every later page saves, or the query budgets would count it.
    """
    from core.site_settings import clear_cached_site_settings, get_site_settings

    clear_cached_site_settings()
    uses_db = request.node.get_closest_marker("django_db") or "django_db_setup" in request.fixturenames
    if uses_db:
        request.getfixturevalue("django_db_setup")
        with request.getfixturevalue("django_db_blocker").unblock():
            get_site_settings()
    yield
    clear_cached_site_settings()


@pytest.fixture(autouse=True)
def glossary_terms_cache(request):
    """Each test starts with the glossary's terms read afresh, then cached, as on a running site.

    The terms are cached across requests (core/glossary.py): terms left by another test (whose
    rows were rolled back without a signal) must not leak, and a test's first page must not pay
    the one query that every later page saves, or the query budgets would count it.
    """
    from core.glossary import clear_cached_terms, terms_for_marking

    clear_cached_terms()
    uses_db = request.node.get_closest_marker("django_db") or "django_db_setup" in request.fixturenames
    if uses_db:
        request.getfixturevalue("django_db_setup")
        with request.getfixturevalue("django_db_blocker").unblock():
            terms_for_marking()
    yield
    clear_cached_terms()


@pytest.fixture(autouse=True)
def kept_search_tables():
    """Each test reads the search's synonyms, themes, audiences and quartiers afresh.

    They are kept in the process for the current content generation (core.cache.kept_for_generation):
    a copy built by another test, whose rows were rolled back without a new generation, must not leak.
    """
    from core.cache import forget_kept_values

    forget_kept_values()
    yield
    forget_kept_values()


@pytest.fixture(scope="class")
def initial_content(request, django_db_setup, django_db_blocker):
    """The portal's initial content (``load_cls_content``) loaded once for the tests of a class.

    The tests that read it share one load (tests/initial_content.py). It is loaded in a transaction
    that stays open while the class runs; each test runs in its own savepoint inside it
    (pytest-django's ``django_db``), so what a test changes is undone after it, and the content
    is rolled back after the last test of the class (with xdist each worker has its own database).
    A class, never a module: pytest ends a class's fixtures as soon as the next test is outside
    the class, so the tests around it never see the content, whatever order xdist runs them in.
    Not for transactional tests, which commit and flush. Returns what the command printed.

    A class about the command itself sets ``initial_content_by_the_command = True``: its content
    is then loaded by the command, never copied from an earlier load.
    """
    from core.cache import forget_kept_values
    from core.glossary import clear_cached_terms
    from core.site_settings import clear_cached_site_settings

    if request.cls is None:
        raise pytest.UsageError("initial_content se demande dans une classe de tests (voir tests/conftest.py).")
    with django_db_blocker.unblock():
        loaded = transaction.atomic()
        loaded.__enter__()
        try:
            output = load_initial_content(
                copy_allowed=not getattr(request.cls, "initial_content_by_the_command", False)
            )
        except BaseException:
            transaction.set_rollback(True)
            loaded.__exit__(None, None, None)
            raise
    try:
        yield output
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            loaded.__exit__(None, None, None)
            # Cached from the rolled-back rows by the last test: never left for the next one.
            clear_cached_site_settings()
            clear_cached_terms()
            forget_kept_values()
