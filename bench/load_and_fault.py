"""Load and fault test: interest submissions on two instances while one is killed (issue 5, scale-out).

    make load-fault                       # or: .venv/bin/python bench/load_and_fault.py --help

On demand only (never in CI), on the loopback only, bounded (``--submissions``, 200 by default,
and a deadline). It creates a fresh PostgreSQL database (``--database``, dropped at the end
unless ``--keep``), migrates it and loads the CLS content, flushes a Redis database
(``--redis-url``), and starts two gunicorn instances on them (tests/scaleout/servers.py) with
the rate limit raised for the run. Then every simulated resident, all at once, with their own
client session: GETs /mutuelle/demande/ on instance A or B (alternately) for the CSRF cookie and
the submission token, and POSTs valid data with a unique marker in the last name. Once a third
of them have finished, instance A is killed (SIGKILL on its whole process group: arbiter and
workers, as a crashed machine) and restarted.

A resident who sees a connection error (refused, reset, truncated answer, timeout) tries once
more on the other instance, with the same form (same CSRF cookie, same submission token): the
token makes the request stored once even when the first attempt had been committed before the
crash. Afterwards the script counts the stored rows per marker and checks:

- every submission the resident saw accepted (302 to the confirmation page) is stored exactly once;
- every submission not accepted was told so (an HTTP error status, or a connection error seen);
- a submission seen refused without retry is not stored; one seen refused after a retry is
  stored at most once;
- nothing else is stored, and nothing is lost (stored rows == accepted submissions, plus at most
  those refused after a retry).

It prints the figures and exits 1 on any violation (2 when it could not run at all).
"""

import argparse
import json
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import requests

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from tests.scaleout import servers  # noqa: E402
from tests.scaleout.servers import (  # noqa: E402
    REQUEST_DONE_PATH,
    Instance,
    free_ports,
    instance_environment,
    interest_form,
    interest_form_values,
    letters,
    redis_flush,
    redis_problem,
    submit,
)

# Issue 13, target 5: interest requests accepted per second across the two instances.
MIN_RATE = 200
MARKER = "Charge"  # last names are « Charge <letters> », one per simulated resident
# What a resident's HTTP client reports when the server went away under it.
CONNECTION_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


@dataclass
class Outcome:
    number: int
    marker: str
    first_instance: str
    accepted: bool = False
    told: str = ""  # how a refusal was told: « HTTP 429 », « connexion », …
    retried: bool = False  # posted a second time, on the other instance, after a connection error


class Run:
    def __init__(self, instances, submissions):
        self.instances = instances
        self.submissions = submissions
        self.lock = threading.Lock()
        self.finished = 0
        self.in_flight = Counter()
        self.half_done = threading.Event()

    def _other(self, instance):
        return self.instances[1] if instance is self.instances[0] else self.instances[0]

    def form(self, number):
        """A resident opens the form (first phase): (outcome, session, page, form); page None if refused."""
        instance = self.instances[number % 2]
        outcome = Outcome(number=number, marker=f"{MARKER} {letters(number)}", first_instance=instance.name)
        session = requests.Session()
        # The form: asked again of the other instance if this one does not answer.
        for attempt in (instance, self._other(instance)):
            try:
                page, form = self._attempt(attempt, lambda a=attempt: interest_form(session, a.url))
                return outcome, session, page, form
            except CONNECTION_ERRORS:
                continue
            except requests.HTTPError as error:
                outcome.told = f"HTTP {error.response.status_code} (formulaire)"
                return outcome, session, None, None
        outcome.told = "connexion (formulaire)"
        return outcome, session, None, None

    def submit(self, opened):
        """The resident sends the form (second phase, during which instance A is killed)."""
        outcome, session, page, form = opened
        try:
            if page is not None:
                self._submit(session, page, form, outcome)
        finally:
            session.close()
            with self.lock:
                self.finished += 1
                if self.finished >= self.submissions // 3:
                    self.half_done.set()
        return outcome

    def _attempt(self, instance, action):
        with self.lock:
            self.in_flight[instance.name] += 1
        try:
            return action()
        finally:
            with self.lock:
                self.in_flight[instance.name] -= 1

    def _submit(self, session, page, form, outcome):
        values = interest_form_values(outcome.marker)
        instance = self.instances[outcome.number % 2]
        # The submission; after a connection error, the same form once more on the other instance.
        for target in (instance, self._other(instance)):
            outcome.retried = target is not instance
            try:
                answer = self._attempt(target, lambda t=target: submit(session, page, form, base_url=t.url, **values))
            except CONNECTION_ERRORS:
                outcome.told = "connexion"
                continue
            if answer.status_code == 302 and answer.headers.get("Location", "").endswith(REQUEST_DONE_PATH):
                outcome.accepted, outcome.told = True, ""
            elif answer.status_code >= 400:
                outcome.told = f"HTTP {answer.status_code}"
            else:
                outcome.told = f"réponse inattendue {answer.status_code}"
            return


def create_database(server, name):
    admin = psycopg2.connect(f"{server}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def drop_database(server, name):
    admin = psycopg2.connect(f"{server}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def manage(env, *args):
    import subprocess

    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True, timeout=600)


def stored_rows(database_url):
    """{marker: (count, first created_at as a POSIX time)} of the rows this run stored."""
    with psycopg2.connect(database_url) as db, db.cursor() as cursor:
        cursor.execute(
            "SELECT last_name, count(*), extract(epoch FROM min(created_at)) FROM mutuelle_interestrequest "
            "WHERE last_name LIKE %s GROUP BY last_name",
            (f"{MARKER} %",),
        )
        rows = {marker: (count, float(created)) for marker, count, created in cursor.fetchall()}
    db.close()
    return rows


def check(outcomes, stored):
    """The violations of the rules in this module's docstring (an empty list when all hold)."""
    violations = []
    markers = {outcome.marker for outcome in outcomes}
    for outcome in outcomes:
        count = stored.get(outcome.marker, 0)
        if outcome.accepted and count != 1:
            violations.append(f"{outcome.marker} : acceptée, enregistrée {count} fois")
        elif not outcome.accepted and not outcome.told:
            violations.append(f"{outcome.marker} : ni acceptée ni refusée")
        elif not outcome.accepted and outcome.told.startswith("réponse inattendue"):
            violations.append(f"{outcome.marker} : {outcome.told}")
        elif not outcome.accepted and not outcome.retried and count:
            violations.append(f"{outcome.marker} : refusée ({outcome.told}) mais enregistrée {count} fois")
        elif not outcome.accepted and count > 1:
            violations.append(f"{outcome.marker} : refusée après nouvel essai, enregistrée {count} fois")
    for marker, count in stored.items():
        if marker not in markers:
            violations.append(f"{marker} : enregistrée {count} fois sans avoir été envoyée")
    return violations


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=600, help="demandes envoyées (600)")
    parser.add_argument(
        "--concurrency", type=int, default=48, help="habitants qui envoient leur demande au même moment (48)"
    )
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432", help="serveur PostgreSQL")
    parser.add_argument("--database", default="cls_load_fault", help="base créée pour l’essai, puis supprimée")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/4", help="base Redis vidée avant et après")
    parser.add_argument("--workers", type=int, default=2, help="processus gunicorn par instance (2)")
    parser.add_argument("--threads", type=int, default=4, help="fils par processus gunicorn (4)")
    parser.add_argument("--keep", action="store_true", help="garder la base après l’essai")
    parser.add_argument("--ports", help="plage de ports des deux instances, e.g. 18100-18199")
    parser.add_argument("--json", help="écrire aussi les chiffres dans ce fichier (make bench)")
    args = parser.parse_args(argv)
    if args.ports:
        low, _, high = args.ports.partition("-")
        servers.PORT_RANGE = range(int(low), int(high) + 1)
    if not 1 <= args.submissions <= 2000:
        parser.error("--submissions : entre 1 et 2000")
    if not 1 <= args.concurrency <= 200:
        parser.error("--concurrency : entre 1 et 200")
    if not args.database.replace("_", "").isalnum():
        parser.error("--database : lettres, chiffres et _ seulement")
    if "127.0.0.1" not in args.postgres and "localhost" not in args.postgres:
        parser.error("--postgres : un serveur sur la boucle locale seulement")
    problem = redis_problem(args.redis_url)
    if problem:
        print(f"Impossible de lancer l’essai : {problem}.", file=sys.stderr)
        return 2

    database_url = f"{args.postgres}/{args.database}"
    log_dir = Path(f"/tmp/cls-load-fault-{args.database}")  # noqa: S108 - the runner's own logs
    log_dir.mkdir(exist_ok=True)
    env = instance_environment(
        database_url=database_url,
        redis_url=args.redis_url,
        key_prefix="cls-load-fault",
        # Every simulated resident comes from 127.0.0.1: both ceilings of one address raised for the run.
        MUTUELLE_FORM_RATE="100000/h",
        MUTUELLE_FORM_FLOOD_RATE="100000/h",
        # As production (settings: 60 s), not the scale-out tests' 0: a new PostgreSQL connection,
        # and a new server process behind it, for every request would be measured instead.
        DJANGO_CONN_MAX_AGE="60",
    )
    env["DJANGO_SETTINGS_MODULE"] = "bench.load_settings"
    instances = [
        Instance(name=name, port=port, env=env, log_dir=log_dir, workers=args.workers, threads=args.threads)
        for name, port in zip("AB", free_ports(2), strict=True)
    ]
    print(f"Base {args.database} neuve : migrations et contenu du CLS…", flush=True)
    create_database(args.postgres, args.database)
    try:
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "load_cls_content")
        redis_flush(args.redis_url)
        for instance in instances:
            instance.start()
        for instance in instances:
            instance.wait_ready()
        print(f"Instances A {instances[0].url} et B {instances[1].url} prêtes.", flush=True)
        code, figures = run(args, instances, database_url)
        if args.json:
            Path(args.json).write_text(json.dumps(figures, ensure_ascii=False))
        return code
    finally:
        for instance in instances:
            instance.kill()
        redis_flush(args.redis_url)
        if not args.keep:
            drop_database(args.postgres, args.database)
        print(f"Journaux des instances : {log_dir}")


def run(args, instances, database_url):
    load = Run(instances, args.submissions)
    victim = instances[0]
    fault = {}

    def kill_and_restart():
        load.half_done.wait(timeout=120)
        with load.lock:
            fault["in_flight"] = dict(load.in_flight)
            fault["finished"] = load.finished
        started = time.monotonic()
        fault["killed_at"] = time.time()
        victim.kill()
        victim.start()
        victim.wait_ready()
        fault["back_after"] = time.monotonic() - started

    # First phase: every resident opens the form (a page, not an interest request: not counted).
    opening = time.monotonic()
    with ThreadPoolExecutor(max_workers=args.concurrency, thread_name_prefix="formulaire") as pool:
        opened = list(pool.map(load.form, range(args.submissions)))
    forms_duration = time.monotonic() - opening
    # Second phase: they send it, ``concurrency`` at a time; instance A is killed after a third.
    chaos = threading.Thread(target=kill_and_restart, name="panne")
    chaos.start()
    started, generator_cpu = time.monotonic(), time.process_time()
    with ThreadPoolExecutor(max_workers=args.concurrency, thread_name_prefix="habitant") as pool:
        outcomes = list(pool.map(load.submit, opened))
    duration = time.monotonic() - started
    # This script's own processor time meanwhile: on a small machine, its share is not the servers'.
    generator_cpu = time.process_time() - generator_cpu
    chaos.join(timeout=180)

    rows = stored_rows(database_url)
    stored = {marker: count for marker, (count, _) in rows.items()}
    violations = check(outcomes, stored)
    # A retried submission whose row predates the kill had been stored by its first attempt: the
    # submission token made the second attempt answer with that row instead of storing another.
    killed_at = fault.get("killed_at", float("inf"))
    deduplicated = sum(1 for o in outcomes if o.retried and o.marker in rows and rows[o.marker][1] < killed_at)
    accepted = [o for o in outcomes if o.accepted]
    refused = [o for o in outcomes if not o.accepted]
    told = Counter(o.told for o in refused)
    lost = sum(1 for o in accepted if stored.get(o.marker, 0) == 0)
    duplicated = sum(1 for c in stored.values() if c > 1)
    rate = len(accepted) / duration if duration else 0.0
    print()
    print(
        f"Formulaires ouverts               : {len(opened)} en {forms_duration:.1f} s "
        f"({len(opened) / forms_duration:.0f}/s, {args.concurrency} à la fois)"
    )
    print(f"Demandes envoyées                 : {len(outcomes)} en {duration:.1f} s, moitié vers A, moitié vers B")
    verdict = "atteint" if rate >= MIN_RATE else "NON atteint"
    print(
        f"Débit                             : {rate:.0f} demandes acceptées par seconde "
        f"(objectif {MIN_RATE} : {verdict})"
    )
    print(
        f"Processeur de ce script           : {generator_cpu:.1f} s pendant l’envoi "
        f"({generator_cpu / duration if duration else 0:.0%} d’un cœur)"
    )
    print(
        f"Panne                             : instance A tuée (SIGKILL) après {fault.get('finished', '?')} "
        f"demandes terminées, {fault.get('in_flight', {}).get('A', 0)} en cours sur A ; "
        f"de nouveau prête en {fault.get('back_after', float('nan')):.1f} s"
    )
    print(
        f"Acceptées (302 vers la confirmation) : {len(accepted)}, dont {sum(o.retried for o in accepted)} "
        "après un nouvel essai sur l’autre instance"
    )
    print(f"Refusées et dites refusées        : {len(refused)} {dict(told) if told else ''}")
    print(
        f"Nouveaux essais après une erreur de connexion : {sum(o.retried for o in outcomes)}, dont {deduplicated} "
        "déjà enregistrés par le premier essai (reconnus grâce au jeton, pas de doublon)"
    )
    print(f"Lignes enregistrées               : {sum(stored.values())} ({len(stored)} marqueurs distincts)")
    print(f"Enregistrées en double            : {duplicated}")
    print(f"Perdues (acceptées, non enregistrées) : {lost}")
    figures = {
        "submissions": len(outcomes),
        "accepted": len(accepted),
        "duration": duration,
        "rate": rate,
        "forms_duration": forms_duration,
        "generator_cpu": generator_cpu,
        "lost": lost,
        "duplicated": duplicated,
        "violations": len(violations),
        "concurrency": args.concurrency,
    }
    if violations:
        print(f"\nÉCHEC : {len(violations)} anomalie(s)")
        for violation in violations[:50]:
            print(f"  - {violation}")
        return 1, figures
    print("\nOK : chaque demande acceptée est enregistrée une fois, chaque refus a été signalé, aucune perte.")
    return 0, figures


if __name__ == "__main__":
    sys.exit(main())
