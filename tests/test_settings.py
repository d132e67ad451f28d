"""The settings read from the environment: production by default, development on request.

Each case imports ``creteil_cls.settings`` in a fresh Python process with a cleaned environment,
so that nothing from the test run (``tests.settings``, a DATABASE_URL in CI…) leaks in.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

# Fresh processes without the test database: run once in CI (the SQLite pass).
pytestmark = pytest.mark.database_independent

BASE_DIR = Path(__file__).resolve().parent.parent

PRINT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DEBUG); print(settings.DATABASES['default']['ENGINE'])"
)


def clean_env(**variables):
    """The process environment without any Django or database configuration, plus ``variables``."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "DATABASE_", "REDIS_")) and name not in {"PYTHONPATH"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "creteil_cls.settings"
    env.update(variables)
    return env


def run_python(*args, **variables):
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=clean_env(**variables),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_env():
    return {
        # 50+ random characters, as check --deploy asks.
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "sante.creteil.example",
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://sante.creteil.example",
    }


def test_production_is_the_default_and_refuses_to_start_without_a_secret_key():
    result = run_python("-c", PRINT_SETTINGS)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_development_starts_without_a_secret_key():
    result = run_python("-c", PRINT_SETTINGS, DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "django.db.backends.sqlite3"]


def test_production_with_a_secret_key_starts_with_debug_off():
    result = run_python("-c", PRINT_SETTINGS, **production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "False"


def test_sqlite_in_the_project_is_the_default_database():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "db = settings.DATABASES['default']; print(db['ENGINE']); print(db['NAME'])"
    )
    result = run_python("-c", code, DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr
    engine, name = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert Path(name) == BASE_DIR / "db.sqlite3"


def test_database_url_selects_postgresql():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "db = settings.DATABASES['default']; print(db['ENGINE'], db['NAME'], db['HOST'], db['PORT'], db['USER'])"
    )
    result = run_python(
        "-c", code, DJANGO_DEBUG="1", DATABASE_URL="postgres://cls:motdepasse@db.creteil.example:5433/cls_portail"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "cls_portail",
        "db.creteil.example",
        "5433",
        "cls",
    ]


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({}, "True True True 31536000"),
        (
            {
                "DJANGO_SECURE_SSL_REDIRECT": "0",
                "DJANGO_SESSION_COOKIE_SECURE": "0",
                "DJANGO_CSRF_COOKIE_SECURE": "0",
                "DJANGO_SECURE_HSTS_SECONDS": "0",
            },
            "False False False 0",
        ),
    ],
    ids=["https-by-default", "plain-http-on-a-loopback"],
)
def test_https_settings_are_on_in_production_and_can_be_turned_off(variables, expected):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"
    )
    result = run_python("-c", code, **production_env(), **variables)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_check_deploy_reports_no_warning_with_production_settings():
    result = run_python("manage.py", "check", "--deploy", "--fail-level", "WARNING", **production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def make_run_commands(*arguments, **variables):
    """The commands `make run` would run (make -n: nothing is run), in a clean environment."""
    result = subprocess.run(
        ["make", "-n", "run", *arguments],
        cwd=BASE_DIR,
        env=clean_env(**variables),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_make_run_gives_the_mails_the_address_it_serves():
    """Issue 12: the links in mails pointed to port 8000 whatever PORT `make run` served on."""
    server = [line for line in make_run_commands("PORT=8123") if "manage.py runserver" in line]
    assert len(server) == 1
    assert "DJANGO_SITE_URL=http://127.0.0.1:8123 " in server[0] and server[0].endswith("runserver 127.0.0.1:8123")
    # An address given by the developer wins.
    [server] = [line for line in make_run_commands(DJANGO_SITE_URL="https://cls.example") if "runserver" in line]
    assert "DJANGO_SITE_URL=https://cls.example " in server


def test_the_site_url_comes_from_the_environment():
    code = "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    result = run_python("-c", code, DJANGO_DEBUG="1", DJANGO_SITE_URL="http://127.0.0.1:8123/")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["http://127.0.0.1:8123"]
