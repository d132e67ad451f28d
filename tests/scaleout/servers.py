"""Real gunicorn instances of the portal, for the scale-out tests and bench/load_and_fault.py.

Each instance is ``gunicorn -c gunicorn.conf.py`` in its own process group (so that a SIGKILL
takes its workers down with it, as a crashed machine would), on a free loopback port, with
``tests.scaleout.settings``: the production settings with HTTPS-only cookies off and static
files served from the finders (see that module for why).
"""

import contextlib
import fcntl
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import requests

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SETTINGS_MODULE = "tests.scaleout.settings"
# The ports this project's scale-out tests may use (loopback only).
PORT_RANGE = range(18100, 18200)
DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379/3"


# --- services -----------------------------------------------------------------------------------


def scaleout_redis_url():
    """The Redis database the scale-out tests flush and use (never the one of REDIS_URL)."""
    return os.environ.get("TEST_REDIS_URL", DEFAULT_TEST_REDIS_URL)


def redis_problem(url):
    """Why the Redis at ``url`` cannot be used, or None when it answers."""
    try:
        import redis
    except ImportError:
        return "le paquet Python « redis » n’est pas installé (pip install redis)"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError as error:
        return f"Redis injoignable à {url} ({type(error).__name__})"
    return None


def redis_flush(url, *, key_prefix=None):
    """Empty the Redis database at ``url``, or only the keys of one KEY_PREFIX (Django's « prefix:version:key »)."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        if key_prefix is None:
            client.flushdb()
        else:
            for key in client.scan_iter(match=f"{key_prefix}:*", count=500):
                client.delete(key)
    finally:
        client.close()


def database_url(settings_dict):
    """A DATABASE_URL for the database Django is connected to (the test database in tests)."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{credentials}{host}:{port}/{quote(settings_dict['NAME'], safe='')}"


# Ports handed out by free_ports, each held by an exclusive lock file until release_ports: two
# pytest-xdist workers (or a test and the load script) never pick the same port between the probe
# and gunicorn's bind.
_RESERVED = {}


def free_ports(count):
    """``count`` loopback ports of PORT_RANGE that nothing listens on, reserved for this process."""
    ports = []
    for port in random.sample(PORT_RANGE, len(PORT_RANGE)):
        if port in _RESERVED:
            continue
        try:
            lock = open(f"{tempfile.gettempdir()}/cls-scaleout-port-{port}.lock", "a")  # noqa: SIM115
        except OSError:
            continue
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                lock.close()
                continue
        _RESERVED[port] = lock
        ports.append(port)
        if len(ports) == count:
            return ports
    release_ports(ports)
    raise RuntimeError(f"Pas assez de ports libres entre {PORT_RANGE.start} et {PORT_RANGE.stop - 1}.")


def release_ports(ports):
    for port in ports:
        lock = _RESERVED.pop(port, None)
        if lock is not None:
            lock.close()


def instance_environment(*, database_url, redis_url, key_prefix, **extra):
    """The environment of an instance: production settings over plain HTTP on the loopback."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "DATABASE_", "REDIS_", "GUNICORN_", "MUTUELLE_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_HSTS_SECONDS": "0",
            "DJANGO_SESSION_COOKIE_SECURE": "0",
            "DJANGO_CSRF_COOKIE_SECURE": "0",
            "DJANGO_CONN_MAX_AGE": "0",
            "DJANGO_LOG_LEVEL": "WARNING",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "DJANGO_CACHE_KEY_PREFIX": key_prefix,
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update({name: str(value) for name, value in extra.items()})
    return env


# --- gunicorn -----------------------------------------------------------------------------------


@dataclass
class Instance:
    """One gunicorn instance (its arbiter and workers) on 127.0.0.1:``port``."""

    name: str
    port: int
    env: dict
    log_dir: Path
    workers: int = 1
    threads: int = 1
    process: subprocess.Popen | None = field(default=None, repr=False)
    starts: int = 0

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self):
        return self.log_dir / f"gunicorn-{self.name}.log"

    def start(self):
        env = {
            **self.env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": str(self.workers),
            "GUNICORN_THREADS": str(self.threads),
            "GUNICORN_LOG_LEVEL": "warning",
        }
        self.starts += 1
        log = self.log_path.open("a")
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null"],
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: killpg reaches every worker
            )
        finally:
            log.close()
        return self

    def wait_ready(self, timeout=60):
        """Until /sante/ answers 200; RuntimeError with the log if the process dies or never answers."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                raise RuntimeError(f"gunicorn {self.name} s’est arrêté (code {code}) :\n{self.log()}")
            try:
                if requests.get(f"{self.url}/sante/", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn {self.name} ne répond pas sur {self.url} après {timeout} s :\n{self.log()}")

    def kill(self, sig=signal.SIGKILL):
        """Signal the whole process group (arbiter and workers) and reap the arbiter."""
        if self.process is None:
            return
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)
        # Workers left behind by a SIGKILLed arbiter are in the same group: make sure they are gone.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process = None

    def stop(self):
        self.kill(signal.SIGTERM)

    def log(self, lines=40):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(pas de journal)"


@contextlib.contextmanager
def running_instances(env, log_dir, *, names="AB", workers=1):
    """Instances of the portal on free ports, ready; killed and their ports released at the end."""
    started = []
    ports = free_ports(len(names))
    try:
        for name, port in zip(names, ports, strict=True):
            started.append(Instance(name=name, port=port, env=env, log_dir=log_dir, workers=workers).start())
        for instance in started:
            instance.wait_ready()
        yield started
    finally:
        for instance in started:
            instance.kill()
        release_ports(ports)


# --- HTML forms, filled as a browser would --------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    fields: list = field(default_factory=list)  # (name, value) pairs a browser would send
    field_names: set = field(default_factory=set)  # every named control, sent or not
    has_password: bool = False

    def data(self, **values):
        """What a browser would send, with ``values`` typed in (they replace the defaults)."""
        sent = [(name, value) for name, value in self.fields if name not in values]
        return sent + list(values.items())

    def name_ending(self, suffix):
        """The control whose name is ``suffix`` or ends with ``-suffix`` (two_factor's « auth-username »)."""
        for name in sorted(self.field_names):
            if name == suffix or name.endswith(f"-{suffix}"):
                return name
        raise LookupError(f"Aucun champ « {suffix} » dans le formulaire : {sorted(self.field_names)}")


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._select = None  # [name, multiple, options, selected]
        self._option = None
        self._textarea = None

    @property
    def _form(self):
        return self.forms[-1] if self.forms else None

    def handle_starttag(self, tag, attrs):
        attrs = {name: (value if value is not None else "") for name, value in attrs}
        if tag == "form":
            self.forms.append(Form(action=attrs.get("action", ""), method=attrs.get("method", "get").lower()))
            return
        form = self._form
        if form is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            form.field_names.add(name)
            if kind == "password":
                form.has_password = True
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            form.fields.append((name, attrs.get("value", "on" if kind in {"checkbox", "radio"} else "")))
        elif tag == "select" and name:
            form.field_names.add(name)
            self._select = [name, "multiple" in attrs, [], []]
        elif tag == "option" and self._select is not None:
            self._option = [attrs.get("value"), "selected" in attrs, ""]
        elif tag == "textarea" and name:
            form.field_names.add(name)
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._option is not None:
            self._option[2] += data
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None:
            self._close_option()
        elif tag == "select" and self._select is not None:
            self._close_option()
            name, multiple, options, selected = self._select
            chosen = selected if (selected or multiple) else options[:1]
            self._form.fields.extend((name, value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            self._form.fields.append((name, text.removeprefix("\n")))
            self._textarea = None

    def _close_option(self):
        if self._option is None or self._select is None:
            return
        value, selected, text = self._option
        value = text.strip() if value is None else value
        self._select[2].append(value)
        if selected:
            self._select[3].append(value)
        self._option = None


def parse_forms(html):
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


def find_form(html, predicate, *, page="la page"):
    for form in parse_forms(html):
        if predicate(form):
            return form
    raise LookupError(f"Formulaire introuvable dans {page}.")


def submit(session, response, form, *, base_url=None, **values):
    """POST ``form`` (found in ``response``) as a browser would, with ``values`` typed in.

    ``base_url`` sends it to another instance (what a load balancer does on a retry).
    """
    url = urljoin(response.url, form.action or response.url)
    if base_url:
        parts = urlsplit(url)
        url = base_url + urlunsplit(("", "", parts.path, parts.query, ""))
    return session.post(
        url,
        data=form.data(**values),
        headers={"Referer": response.url},
        allow_redirects=False,
        timeout=30,
    )


# --- the mutuelle interest form -------------------------------------------------------------------

REQUEST_FORM_PATH = "/mutuelle/demande/"
REQUEST_DONE_PATH = "/mutuelle/demande/merci/"
RATE_LIMIT_MARK = "trop-de-demandes"  # the id of the rate-limit message in the page


def letters(number, width=6):
    """A number written with letters only (names accept letters, not digits): 0 → « aaaaaa »."""
    out = []
    for _ in range(width):
        number, digit = divmod(number, 26)
        out.append(chr(ord("a") + digit))
    return "".join(reversed(out))


def interest_form_values(last_name):
    return {
        "first_name": "Camille",
        "last_name": last_name,
        "phone": "06 12 34 56 78",
        "postal_code": "94000",
        "consent": "on",
    }


def interest_form(session, base_url):
    """GET the interest form (CSRF cookie, submission token): the response and its form."""
    page = session.get(base_url + REQUEST_FORM_PATH, timeout=30)
    page.raise_for_status()
    return page, find_form(page.text, lambda form: "consent" in form.field_names, page=REQUEST_FORM_PATH)
