"""The database goes away and comes back: a real server, a real outage, no restart (issue 5, item 2).

The portal runs in a subprocess (gunicorn, one worker, production settings) on the test database.
On PostgreSQL it reaches the database through a TCP proxy in this process, which the test cuts
(every connection closed, new ones refused) and restores; on SQLite the database file is moved
away (a directory takes its place, so that SQLite cannot create an empty database there) and back.
The first requests to cacheable pages happen during the outage, so that a page cache cannot hide it.
"""

import contextlib
import http.client
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.db import connection

from tests.actions.factories import ActionFactory

BASE_DIR = Path(__file__).resolve().parent.parent.parent
OUTAGE_TITLE = "Le site est momentanément indisponible"
STARTUP_LIMIT = 60  # seconds before a server that does not answer counts as broken

# Real commits that the server process sees; the data migrations' rows are restored afterwards.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class DatabaseProxy:
    """A TCP proxy to the database that can be cut and restored, as a network or server failure would."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.sockets = set()
        self.accepting = True
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept_loop, daemon=True)
        self.thread.start()

    def _accept_loop(self):
        while not self.stopped.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self.lock:
                if not self.accepting:
                    # Refused: the client sees its connection closed before the server spoke.
                    client.close()
                    continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self.lock:
                self.sockets.update((client, server))
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source, target):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            self._close(source)
            self._close(target)

    def _close(self, sock):
        with self.lock:
            self.sockets.discard(sock)
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()

    def cut(self):
        with self.lock:
            self.accepting = False
            sockets = list(self.sockets)
        for sock in sockets:
            self._close(sock)

    def restore(self):
        with self.lock:
            self.accepting = True

    def stop(self):
        self.cut()
        self.stopped.set()
        self.thread.join(timeout=5)
        self.listener.close()


class SqliteOutage:
    """The database file moved away and back."""

    def __init__(self, path):
        self.path = Path(path)
        self.away = self.path.with_name(self.path.name + ".ailleurs")

    def cut(self):
        self.path.rename(self.away)
        self.path.mkdir()

    def restore(self):
        self.path.rmdir()
        self.away.rename(self.path)

    def stop(self):
        if self.away.exists():
            self.restore()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(database_url, port, **extra):
    """Production settings (see server_settings.py), plain HTTP on a loopback, nothing inherited."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "DATABASE_", "REDIS_", "GUNICORN_", "MUTUELLE_")) and name != "PYTHONPATH"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tests.robustness.server_settings",
        DJANGO_SECRET_KEY="outage-test-" + "k" * 50,
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DATABASE_URL=database_url,
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
        GUNICORN_THREADS="1",
        **extra,
    )
    return env


class Portal:
    """A gunicorn subprocess and a minimal HTTP client that keeps its cookies."""

    def __init__(self, env, log_path):
        self.port = int(env["GUNICORN_BIND"].rsplit(":", 1)[1])
        self.cookies = {}
        self.log_path = log_path
        self.log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_until_up(self):
        deadline = time.monotonic() + STARTUP_LIMIT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"Le serveur s’est arrêté au démarrage :\n{self.output()}")
            try:
                return self.request("GET", "/sante/")
            except OSError:
                time.sleep(0.1)
        pytest.fail(f"Le serveur ne répond pas après {STARTUP_LIMIT} s :\n{self.output()}")

    def request(self, method, path, form=None):
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.text = response.read().decode()
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response

    def output(self, tail=5000):
        """The server's log (its end only, by default: for failure messages)."""
        self.log.flush()
        text = self.log_path.read_text(errors="replace")
        return text[-tail:] if tail else text

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


@pytest.fixture
def portal_and_outage(tmp_path):
    """A running portal on a copy of (SQLite) or a proxy to (PostgreSQL) the test database."""
    ActionFactory(slug="ateliers-equilibre", title="Ateliers équilibre")
    port = free_port()
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        outage = DatabaseProxy((settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432)))
        user = settings_dict["USER"] or "postgres"
        password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
        database_url = f"postgres://{user}{password}@127.0.0.1:{outage.port}/{settings_dict['NAME']}"
        extra = {}
    elif connection.vendor == "sqlite":
        path = tmp_path / "portail.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        outage = SqliteOutage(path)
        database_url = f"sqlite:///{path}"
        # A file that SQLite has open stays readable after a move: each request opens it afresh.
        extra = {"DJANGO_CONN_MAX_AGE": "0"}
    else:  # pragma: no cover
        pytest.skip(f"pas de coupure simulée pour {connection.vendor}")
    # The page cache (core/cache.py) of this server alone: no page cached by another run.
    extra["DJANGO_PAGE_CACHE_DIR"] = str(tmp_path / "pages")
    portal = Portal(server_environment(database_url, port, **extra), tmp_path / "gunicorn.log")
    try:
        yield portal, outage
    finally:
        portal.stop()
        outage.stop()


def assert_outage_page(response, portal):
    assert response.status == 503, portal.output()
    assert response.getheader("Retry-After") == "120"
    assert response.getheader("Content-Type").startswith("text/html")
    assert f"<h1>{OUTAGE_TITLE}</h1>" in response.text
    assert "01 49 80 88 68" in response.text
    assert "Traceback" not in response.text
    assert "Error" not in response.text


def form_fields(html):
    return {
        name: re.search(rf'name="{name}" value="([^"]*)"', html).group(1)
        for name in ("csrfmiddlewaretoken", "submission_token")
    }


def interest_form(html):
    return {
        **form_fields(html),
        "first_name": "Awa",
        "last_name": "Traoré",
        "phone": "06 12 34 56 78",
        "email": "",
        "postal_code": "94000",
        "birth_date": "1970-02-03",
        "household_size": "1",
        "current_cover": "aucune",
        "situation": "retraite",
        "contact_method": "telephone",
        "contact_time": "matin",
        "message": "",
        "consent": "on",
        "site_internet": "",
    }


def test_pages_answer_503_while_the_database_is_away_and_200_as_soon_as_it_is_back(portal_and_outage):
    portal, outage = portal_and_outage
    assert portal.wait_until_up().status == 200
    # The resident opens the interest form (never cached) before the outage.
    form_page = portal.request("GET", "/mutuelle/demande/")
    assert form_page.status == 200
    typed = interest_form(form_page.text)

    outage.cut()

    for path in ("/", "/actions/ateliers-equilibre/", "/actions/", "/mutuelle/demande/"):
        assert_outage_page(portal.request("GET", path), portal)
    health = portal.request("GET", "/sante/")
    assert health.status == 503
    assert health.getheader("Content-Type") == "application/json"
    assert json.loads(health.text) == {"status": "erreur", "database": "injoignable"}
    # The form sent during the outage: the page says so, no confirmation, no redirect to one.
    sent = portal.request("POST", "/mutuelle/demande/", typed)
    assert_outage_page(sent, portal)
    assert sent.getheader("Location") is None
    assert "Demande envoyée" not in sent.text
    assert "MC-" not in sent.text
    assert "Ce que vous venez d’envoyer n’a pas été enregistré." in sent.text

    outage.restore()

    health = portal.request("GET", "/sante/")
    assert health.status == 200, portal.output()
    assert json.loads(health.text) == {"status": "ok", "database": "ok"}
    for path in ("/", "/actions/ateliers-equilibre/", "/actions/"):
        page = portal.request("GET", path)
        assert page.status == 200, portal.output()
        assert OUTAGE_TITLE not in page.text
    assert "Ateliers équilibre" in portal.request("GET", "/actions/ateliers-equilibre/").text
    # The same form sent again once the database is back is recorded.
    sent = portal.request("POST", "/mutuelle/demande/", typed)
    assert sent.status == 302, portal.output()
    assert sent.getheader("Location") == "/mutuelle/demande/merci/"
    done = portal.request("GET", "/mutuelle/demande/merci/")
    assert done.status == 200
    assert re.search(r"MC-[A-Z2-9]{4}-[A-Z2-9]{4}", done.text)
    assert portal.process.poll() is None
    # The server's own logs: JSON, the outage logged as such, nothing the person typed.
    log = portal.output(tail=None)
    records = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert any(
        r["logger"] == "django.request" and r.get("status") == 503 and r.get("path") == "/mutuelle/demande/"
        for r in records
    )
    for typed_value in ("Awa", "Traoré", "06 12 34 56 78", "1970-02-03"):
        assert typed_value not in log


def test_a_connection_left_stale_by_a_short_outage_is_replaced_at_the_next_request(portal_and_outage):
    """The worker keeps its database connection (CONN_MAX_AGE); after a cut nobody saw, it must not fail once."""
    portal, outage = portal_and_outage
    assert portal.wait_until_up().status == 200

    outage.cut()
    outage.restore()

    assert portal.request("GET", "/actions/").status == 200, portal.output()
    assert portal.request("GET", "/sante/").status == 200
