"""Structured logs without personal data (issue 5, item 2): core/logging.py and settings.LOGGING."""

import io
import json
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path
from unittest import mock
from urllib.parse import unquote

import pytest
from django.core import mail
from django.core.signals import got_request_exception
from django.test import RequestFactory
from django.utils.log import AdminEmailHandler
from django.views.debug import SafeExceptionReporterFilter

from core.logging import JSONFormatter, PersonalDataFilter
from mutuelle.models import InterestRequest
from tests.mutuelle.factories import reset_rate_limits

BASE_DIR = Path(__file__).resolve().parent.parent.parent
FORM_URL = "/mutuelle/demande/"
REQUIRED_KEYS = {"time", "level", "logger", "message"}
# What the applicant types below: none of it may reach a log.
PERSONAL = (
    "Bérénice",
    "Lagardère-Oumarou",
    "berenice.lagardere@example.org",
    "06 98 76 54 32",
    "0698765432",
    "1958-07-21",
    "21/07/1958",
    "arthrose du genou",
)


def personal_form(**overrides):
    return {
        "first_name": "Bérénice",
        "last_name": "Lagardère-Oumarou",
        "phone": "06 98 76 54 32",
        "email": "berenice.lagardere@example.org",
        "postal_code": "94000",
        "birth_date": "1958-07-21",
        "household_size": "1",
        "current_cover": "aucune",
        "situation": "retraite",
        "contact_method": "telephone",
        "contact_time": "matin",
        "message": "Mon arthrose du genou coûte cher : rappelez-moi le matin.",
        "consent": "on",
        "submission_token": "jeton-journaux-0123456789abcdefghijkl",
        "site_internet": "",
        **overrides,
    }


@pytest.fixture
def empty_cache(db):
    """The form's limits count per address: the tests that post it start from zero."""
    reset_rate_limits()
    yield
    reset_rate_limits()


@pytest.fixture
def production_log():
    """What the console handler configured by settings.LOGGING writes, as a list of parsed lines."""
    handlers = [h for h in logging.getLogger().handlers if isinstance(h.formatter, JSONFormatter)]
    assert len(handlers) == 1, "settings.LOGGING: un seul gestionnaire console au format JSON"
    handler = handlers[0]
    stream = io.StringIO()
    previous = handler.setStream(stream)

    class Log:
        @staticmethod
        def text():
            return stream.getvalue()

        @staticmethod
        def records():
            lines = stream.getvalue().splitlines()
            assert lines, "aucune ligne de journal"
            return [json.loads(line) for line in lines]

    try:
        yield Log
    finally:
        handler.setStream(previous)


def assert_nothing_personal(text):
    for value in PERSONAL:
        assert value not in text
    # Nor with JSON's escaping of non-ASCII characters.
    for value in PERSONAL:
        assert json.dumps(value)[1:-1] not in text


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------------------------------------
# The formatter and the filter
# ---------------------------------------------------------------------------------------------


def make_record(name="django.request", msg="Internal Server Error: %s", args=("/x/",), **extra):
    record = logging.LogRecord(name, logging.ERROR, __file__, 1, msg, args, None)
    record.__dict__.update(extra)
    return record


def test_a_record_is_one_line_of_json_with_the_request_but_not_its_query_string():
    request = RequestFactory().get("/agenda/", {"du": "2026-01-01", "quartier": "mont-mesly"})
    try:
        raise ValueError("détail technique")
    except ValueError:
        record = make_record(args=(request.path,), request=request, status_code=500, exc_info=sys.exc_info())

    line = JSONFormatter().format(record)

    assert "\n" not in line
    entry = json.loads(line)
    assert set(entry) >= REQUIRED_KEYS
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "django.request"
    assert entry["message"] == "Internal Server Error: /agenda/"
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/agenda/", 500)
    assert entry["exception"] == "ValueError"
    assert "détail technique" in entry["traceback"]
    assert "mont-mesly" not in line


def test_the_message_of_an_error_raised_under_mutuelle_stays_out_but_its_frames_and_type_are_kept():
    email = "berenice.lagardere@example.org"
    request = RequestFactory().post("/mutuelle/demande/", {"email": email})
    try:
        raise ValueError(f"la valeur {email} existe déjà")
    except ValueError:
        record = make_record(args=(request.path,), request=request, status_code=500, exc_info=sys.exc_info())
    assert PersonalDataFilter().filter(record) is True

    entry = json.loads(JSONFormatter().format(record))

    assert entry["exception"] == "ValueError"
    assert "test_the_message_of_an_error_raised_under_mutuelle" in entry["traceback"]
    assert "berenice" not in json.dumps(entry)


def test_the_plain_format_keeps_the_message_of_an_error_under_mutuelle_out_too():
    # DJANGO_LOG_FORMAT=plain is allowed in production: the filter, not the formatter, protects.
    email = "berenice.lagardere@example.org"
    request = RequestFactory().post("/mutuelle/demande/", {"email": email})
    try:
        raise ValueError(f"la valeur {email} existe déjà")
    except ValueError:
        record = make_record(args=(request.path,), request=request, status_code=500, exc_info=sys.exc_info())
    PersonalDataFilter().filter(record)

    line = logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s").format(record)

    assert "ValueError" in line
    assert "test_the_plain_format_keeps_the_message" in line
    assert "berenice" not in line


@pytest.mark.parametrize(
    "msg, args",
    [
        ('"%s" %s %s', ("GET /mutuelle/eligibilite/?foyer=2&ressources=11000&age=67 HTTP/1.1", "200", "5120")),
        ("Not Found: %s", ("http://127.0.0.1/mutuelle/eligibilite/?ressources=11000",)),
        ("GET /mutuelle/eligibilite/?ressources=11000 HTTP/1.1", ()),
        ('"%s" %s %s', ("GET /mutuelle?ressources=11000 HTTP/1.1", "301", "0")),
        ('"%s" %s %s', ("GET /admin/mutuelle/interestrequest/?q=Lagard%C3%A8re+11000 HTTP/1.1", "200", "1")),
    ],
)
def test_the_query_string_of_a_mutuelle_or_admin_address_is_dropped_wherever_it_appears(msg, args):
    record = make_record(name="django.server", msg=msg, args=args)

    PersonalDataFilter().filter(record)

    message = record.getMessage()
    assert "mutuelle" in message
    assert "11000" not in message
    assert "?" not in message


def test_gunicorn_access_lines_lose_mutuelle_query_strings_and_give_method_path_status():
    atoms = {
        "r": "GET /mutuelle/eligibilite/?ressources=11000 HTTP/1.1",
        "m": "GET",
        "U": "/mutuelle/eligibilite/",
        "q": "ressources=11000",
        "s": "200",
        "f": "http://127.0.0.1/mutuelle/eligibilite/?ressources=9000",
    }
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, '"%(r)s" %(s)s "%(f)s"', (atoms,), None)

    PersonalDataFilter().filter(record)
    entry = json.loads(JSONFormatter().format(record))

    assert entry["message"] == '"GET /mutuelle/eligibilite/ HTTP/1.1" 200 "http://127.0.0.1/mutuelle/eligibilite/"'
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/mutuelle/eligibilite/", 200)


# Spellings of /mutuelle/ and /admin/ that reach the same view, or that a proxy or a browser
# normalises to it: the filter compares the decoded, normalised path.
DISGUISED_PERSONAL_PATHS = [
    "/%6Dutuelle/demande/",
    "/%6dutuelle/demande/",
    "/%6D%75tuelle/eligibilite/",
    "/MUTUELLE/demande/",
    "/Mutuelle/eligibilite/",
    "//mutuelle/demande/",
    "///mutuelle//demande/",
    "/%2Fmutuelle/demande/",
    "/agenda/../mutuelle/demande/",
    "/./mutuelle/demande/",
    "/%61dmin/auth/user/",
    "/ADMIN/auth/user/",
    "/%41dmin/",
    "//admin/auth/user/",
    "/%256Dutuelle/demande/",  # encoded twice
]
PERSONAL_QUERY_STRING = "nom=Dupont&ressources=11000"


@pytest.mark.parametrize("path", DISGUISED_PERSONAL_PATHS)
@pytest.mark.parametrize(
    "name, msg, args",
    [
        ("django.server", '"%s" %s %s', ("GET {url} HTTP/1.1", "404", "179")),
        ("django.request", "Not Found: %s", ("{url}",)),
        ("django.request", "Not Found: %s", ("http://127.0.0.1{url}",)),
        ("django.server", "GET {url} HTTP/1.1", ()),
    ],
    ids=["request line", "not found", "not found, full address", "in the message"],
)
def test_the_query_string_of_a_disguised_mutuelle_or_admin_address_is_dropped(path, name, msg, args):
    url = f"{path}?{PERSONAL_QUERY_STRING}"
    args = tuple(arg.format(url=url) for arg in args)
    record = make_record(name=name, msg=msg.format(url=url), args=args)

    PersonalDataFilter().filter(record)

    message = record.getMessage()
    assert path in message  # the address as it came, for diagnosis
    assert "Dupont" not in message
    assert "11000" not in message
    assert "?" not in message


def gunicorn_access_record(atoms, fmt='"%(r)s" %(s)s "%(f)s"'):
    """A record as gunicorn's access log makes it: its args are the atoms (glogging.Logger.atoms)."""
    return logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, fmt, (atoms,), None)


@pytest.mark.parametrize("path", DISGUISED_PERSONAL_PATHS)
def test_gunicorn_access_lines_of_a_disguised_mutuelle_address_lose_the_query_in_every_atom(path):
    decoded = unquote(path)  # gunicorn's PATH_INFO: percent-decoded once, never normalised
    atoms = {
        "r": f"GET {path}?{PERSONAL_QUERY_STRING} HTTP/1.1",
        "m": "GET",
        "U": decoded,
        "q": PERSONAL_QUERY_STRING,
        "s": "404",
        "f": f"https://cls.example.org{path}?nom=Martin",
        "{query_string}e": PERSONAL_QUERY_STRING,
        "{raw_uri}e": f"{path}?{PERSONAL_QUERY_STRING}",
        "{referer}i": f"https://cls.example.org{path}?nom=Martin",
    }
    # An operator may add any atom to access_log_format: the query string alone (q) included.
    record = gunicorn_access_record(
        atoms, fmt='"%(r)s" %(s)s "%(f)s" %(U)s q=%(q)s %({query_string}e)s %({raw_uri}e)s %({referer}i)s'
    )

    PersonalDataFilter().filter(record)
    message = record.getMessage()

    assert "Dupont" not in message
    assert "Martin" not in message
    assert "11000" not in message
    assert record.args["q"] == ""
    assert record.args["{query_string}e"] == ""
    assert record.args["r"] == f"GET {path} HTTP/1.1"
    assert record.args["f"] == f"https://cls.example.org{path}"
    assert record.args["U"] == decoded


def test_gunicorn_query_atom_is_emptied_for_a_mutuelle_path_even_when_the_format_does_not_print_it():
    atoms = {
        "r": "GET /mutuelle/eligibilite/?ressources=11000 HTTP/1.1",
        "m": "GET",
        "U": "/mutuelle/eligibilite/",
        "q": "ressources=11000",
        "s": "200",
        "f": "-",
    }
    record = gunicorn_access_record(atoms)

    PersonalDataFilter().filter(record)

    assert record.args["q"] == ""
    assert "11000" not in json.dumps(record.args)


def test_gunicorn_access_lines_of_other_pages_keep_their_query_string():
    atoms = {
        "r": "GET /actions/?q=diabete HTTP/1.1",
        "m": "GET",
        "U": "/actions/",
        "q": "q=diabete",
        "s": "200",
        "f": "https://cls.example.org/agenda/?periode=semaine",
        "{query_string}e": "q=diabete",
    }
    record = gunicorn_access_record(atoms, fmt='"%(r)s" %(s)s "%(f)s" q=%(q)s')

    PersonalDataFilter().filter(record)

    assert record.getMessage() == (
        '"GET /actions/?q=diabete HTTP/1.1" 200 "https://cls.example.org/agenda/?periode=semaine" q=q=diabete'
    )
    assert record.args["{query_string}e"] == "q=diabete"


@pytest.mark.parametrize(
    "url", ["/actions/?q=diabete", "/agenda/?quartier=mont-mesly", "http://127.0.0.1/%61ctions/?q=diabete"]
)
def test_other_query_strings_in_messages_are_kept(url):
    record = make_record(name="django.server", msg='"%s" %s', args=(f"GET {url} HTTP/1.1", "200"))

    PersonalDataFilter().filter(record)

    assert record.getMessage() == f'"GET {url} HTTP/1.1" 200'


@pytest.mark.parametrize("path", ["/MUTUELLE/demande/", "//mutuelle/demande/", "/./Mutuelle/demande/"])
def test_a_django_error_under_a_disguised_mutuelle_path_hides_the_exception_message(path):
    # request.path is decoded by Django, but not normalised: //mutuelle/ or /MUTUELLE/ stay as typed.
    email = "berenice.lagardere@example.org"
    request = RequestFactory().get("/")
    request.path = request.path_info = path  # RequestFactory would read « //mutuelle » as a host
    try:
        raise ValueError(f"la valeur {email} existe déjà")
    except ValueError:
        record = make_record(args=(request.path,), request=request, status_code=500, exc_info=sys.exc_info())

    PersonalDataFilter().filter(record)
    entry = json.loads(JSONFormatter().format(record))

    assert entry["exception"] == "ValueError"
    assert "berenice" not in json.dumps(entry)


def test_other_query_strings_are_kept_for_diagnosis():
    record = make_record(name="django.server", msg='"%s" %s', args=("GET /agenda/?periode=semaine HTTP/1.1", "200"))

    PersonalDataFilter().filter(record)

    assert "periode=semaine" in record.getMessage()


# ---------------------------------------------------------------------------------------------
# The configuration
# ---------------------------------------------------------------------------------------------


def test_production_logs_in_json_through_the_filter_and_never_by_mail(settings):
    assert settings.LOG_FORMAT == "json"
    root_handlers = logging.getLogger().handlers
    console = [h for h in root_handlers if isinstance(h.formatter, JSONFormatter)]
    assert len(console) == 1
    assert any(isinstance(f, PersonalDataFilter) for f in console[0].filters)
    assert settings.ADMINS == []
    every_logger = [logging.getLogger()] + [
        logger for logger in logging.Logger.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    assert not [
        logger.name for logger in every_logger if any(isinstance(h, AdminEmailHandler) for h in logger.handlers)
    ]
    assert logging.getLogger("django").handlers == []
    assert logging.getLogger("django.request").getEffectiveLevel() <= logging.ERROR


def read_log_format(**variables):
    """settings.LOG_FORMAT read by a fresh process, in production mode, with these variables only."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "DATABASE_"))}
    env.update(DJANGO_SETTINGS_MODULE="creteil_cls.settings", DJANGO_SECRET_KEY="k" * 60, **variables)
    return subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.LOG_FORMAT)"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    "variables, expected",
    [({"DJANGO_DEBUG": "1"}, "plain"), ({"DJANGO_LOG_FORMAT": "plain"}, "plain"), ({}, "json")],
)
def test_log_format_is_json_in_production_and_plain_in_development(variables, expected):
    result = read_log_format(**variables)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_an_unknown_log_format_stops_the_start():
    result = read_log_format(DJANGO_LOG_FORMAT="xml")

    assert result.returncode != 0
    assert "DJANGO_LOG_FORMAT" in result.stderr


# ---------------------------------------------------------------------------------------------
# A failing interest submission, logged as production would
# ---------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("empty_cache")
def test_mail_server_down_logs_the_reference_only(client, settings, production_log, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_port()
    settings.EMAIL_TIMEOUT = 2

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(FORM_URL, personal_form())

    assert response.status_code == 302
    interest_request = InterestRequest.objects.get()
    records = production_log.records()
    failures = [r for r in records if r["logger"] == "core.mail"]  # the mails of every form go through core/mail.py
    assert len(failures) == 2  # the confirmation and the team's notification
    for record in failures:
        assert set(record) >= REQUIRED_KEYS
        assert record["level"] == "WARNING"
        assert interest_request.reference in record["message"]
        assert "ConnectionRefusedError" in record["message"]
    assert_nothing_personal(production_log.text())


@pytest.mark.usefixtures("empty_cache")
def test_an_exception_in_the_view_is_logged_as_json_without_anything_the_person_typed(client, settings, production_log):
    settings.ADMINS = [("Exploitation", "exploitation@example.org")]  # even so, no mail
    client.raise_request_exception = False
    error = RuntimeError("Échec pour Bérénice Lagardère-Oumarou <berenice.lagardere@example.org>, 06 98 76 54 32")
    seen = []
    got_request_exception.connect(lambda sender, request, **kw: seen.append(request), weak=False, dispatch_uid="h3")
    try:
        with mock.patch("mutuelle.services.requests.request_create", side_effect=error):
            response = client.post(FORM_URL, personal_form())
    finally:
        got_request_exception.disconnect(dispatch_uid="h3")

    assert response.status_code == 500
    assert_nothing_personal(response.content.decode())
    records = production_log.records()
    for record in records:
        assert set(record) >= REQUIRED_KEYS
    errors = [r for r in records if r["logger"] == "django.request"]
    assert len(errors) == 1
    assert (errors[0]["method"], errors[0]["path"], errors[0]["status"]) == ("POST", FORM_URL, 500)
    assert errors[0]["exception"] == "RuntimeError"
    assert "request_form" in errors[0]["traceback"]
    assert_nothing_personal(production_log.text())
    assert mail.outbox == []
    assert InterestRequest.objects.count() == 0
    # Were an error report ever made, the POST data would be masked in it.
    (request,) = seen
    assert set(SafeExceptionReporterFilter().get_post_parameters(request).values()) == {"********************"}
