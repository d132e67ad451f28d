"""The portal's benchmark, in one command: ``make bench N=1000`` (or ``N="10 1000 10000"``).

For each N: creates a PostgreSQL database ``cls_bench_<N>``, migrates it, loads the initial
content and fills it with N actions, N events and N partners (bench/fill.py); measures inside
Django the SQL queries and the weight of each page, and the search latency (bench/measure.py);
starts gunicorn with the production settings (gunicorn.conf.py, ``bench.settings``: the same
plus a bare view) on a free port in 18000–18099; loads each page with wrk (16 connections),
the bare view before and after them; prints the figures and PASS/FAIL per target; stops
gunicorn and drops the database (``--keep`` keeps it).

wrk comes from Debian: ``sudo apt-get install -y wrk``. PostgreSQL is reached as ``postgres``
on 127.0.0.1:5432 unless ``--postgres postgres://user@host:port`` says otherwise.
Run on demand only: never in CI, never in the test suite.
"""

import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PORTS = range(18000, 18100)
BARE_URL = "/bench/nu/"
# Targets of issue 5, as ratios within one run.
MIN_RATIO = 0.5
MAX_P99_MS = 50.0
MAX_HOME_KB = 150
# Issue 11: the whole search (every kind of result), inside Django, without cache.
MAX_SEARCH_P95_MS = 30.0


def free_port():
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit("Aucun port libre entre 18000 et 18099.")


def run(command, env, **kwargs):
    return subprocess.run(command, env=env, cwd=ROOT, check=True, **kwargs)


def recreate_database(postgres, name, *, drop_only=False):
    import psycopg2

    connection = psycopg2.connect(f"{postgres}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def wait_until_up(base_url, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), urllib.request.urlopen(base_url + "/sante/", timeout=2) as response:
            if response.status == 200:
                return
        time.sleep(0.3)
    raise SystemExit("gunicorn ne répond pas sur /sante/.")


def to_ms(value):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url, *, duration, connections, threads):
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": to_ms(re.search(r"\s50%\s+(\S+)", output).group(1)),
        "p99": to_ms(re.search(r"\s99%\s+(\S+)", output).group(1)),
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1).strip() if socket_errors else "",
    }


def bench_one(n, args, env, static_root, workdir):
    database = f"cls_bench_{n}"
    env = {
        **env,
        "DATABASE_URL": f"{args.postgres}/{database}",
        "DJANGO_PAGE_CACHE_DIR": str(workdir / f"pages-{n}"),
    }
    print(f"\n=== N = {n} : base {database}", flush=True)
    recreate_database(args.postgres, database)
    quiet = {"stdout": subprocess.DEVNULL}
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    run([PYTHON, "manage.py", "load_cls_content"], env, **quiet)
    run([PYTHON, "-m", "bench.fill", str(n)], env)
    if args.search_only:
        measures = json.loads(
            run([PYTHON, "-m", "bench.measure", "--search-only"], env, capture_output=True, text=True).stdout
        )
        if not args.keep:
            recreate_database(args.postgres, database, drop_only=True)
        return {"n": n, "pages": [], "search": measures["search"]}
    measures = json.loads(run([PYTHON, "-m", "bench.measure"], env, capture_output=True, text=True).stdout)

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "-c", "gunicorn.conf.py"],
        # Worker recycling off: after ~1000 requests each, every worker would restart at the same
        # moment and the figures would measure Django's start-up instead of the pages.
        env={
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_LOG_LEVEL": "warning",
            "GUNICORN_MAX_REQUESTS": "0",
        },
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=open(workdir / f"gunicorn-{n}.log", "w"),  # noqa: SIM115 (closed with the process)
    )
    try:
        wait_until_up(base_url)
        load = {"connections": args.connections, "duration": args.duration, "threads": args.threads}
        wrk(base_url + BARE_URL, **{**load, "duration": 2})  # every worker started and warm
        rows = []
        for page in measures["pages"]:
            url = base_url + page["url"]
            with urllib.request.urlopen(url, timeout=30) as response:  # the first visit fills the cache
                response.read()
            # One second of load first, so that every worker has the page in its memory, as a
            # server that has been running for a while has: the figures measure the steady state.
            wrk(url, **{**load, "duration": 1})
            # The bare view just before each page: on a shared machine the load drifts during a run.
            bare = wrk(base_url + BARE_URL, **load)
            figures = wrk(url, **load)
            rows.append({**page, **figures, "bare": bare, "ratio": figures["rps"] / bare["rps"]})
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        if not args.keep:
            recreate_database(args.postgres, database, drop_only=True)
    return {"n": n, "pages": rows, "search": measures["search"]}


def print_run(result):
    print(f"\nN = {result['n']} (actions, événements, partenaires générés, en plus du contenu initial)")
    if not result["pages"]:  # --search-only
        search = result["search"]
        print(search_line(search))
        return
    print("ratio : débit de la page / débit de la vue nue mesuré juste avant elle, sur le même serveur")
    header = (
        f"{'page':<24} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'nue req/s':>9} {'nue p50':>7} {'nue p99':>7} "
        f"{'ratio':>6} {'SQL':>4} {'rendu ms':>8} {'poids Ko':>8}"
    )
    print(header)
    print("-" * len(header))
    for row in result["pages"]:
        errors = f"  {row['errors']} réponses non 2xx/3xx" if row["errors"] else ""
        bare = row["bare"]
        print(
            f"{row['name']:<24} {row['rps']:>7.0f} {row['p50']:>7.1f} {row['p99']:>7.1f} {bare['rps']:>9.0f} "
            f"{bare['p50']:>7.1f} {bare['p99']:>7.1f} {row['ratio']:>6.2f} {row['queries']:>4} "
            f"{row['render_ms']:>8.1f} {row['weight'] / 1024:>8.1f}{errors}"
        )
    print(search_line(result["search"]))


def search_line(search):
    return (
        f"recherche dans Django, sans cache ({search['actions']} actions publiées, {search['samples']} recherches) : "
        f"p50 {search['p50_ms']} ms, p95 {search['p95_ms']} ms, p99 {search['p99_ms']} ms ; requêtes SQL par "
        f"recherche : {search['sql_mean']} en moyenne, {search['sql_max']} au plus"
    )


def markdown_tables(results):
    """The tables of docs/performances.md's « Les chiffres d'une exécution », one per N."""
    lines = []
    for result in results:
        lines += [
            f"**N = {result['n']:,}**".replace(",", "\u202f"),
            "",
            "| page | req/s | p50 ms | p99 ms | vue nue req/s | vue nue p99 ms | ratio | SQL | calcul sans cache ms "
            "| poids Ko |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in result["pages"]:
            bare = row["bare"]
            lines.append(
                f"| {row['name']} | {row['rps']:.0f} | {row['p50']:.1f} | {row['p99']:.1f} | {bare['rps']:.0f} "
                f"| {bare['p99']:.1f} | {row['ratio']:.2f} | {row['queries']} | {row['render_ms']:.1f} "
                f"| {row['weight'] / 1024:.1f} |"
            )
        failing = [f"{row['name']} ({row['errors']})" for row in result["pages"] if row["errors"]]
        if failing:
            lines += ["", f"Réponses autres que 2xx/3xx pendant la charge : {', '.join(failing)}."]
        line = search_line(result["search"])
        lines += ["", f"{line[0].upper()}{line[1:]}.", ""]
    return "\n".join(lines)


def verdicts(results):
    """(target, passed, detail) for each target of issue 5."""
    out = []
    for result in results:
        n = result["n"]
        cached = result["pages"]
        if cached:  # not with --search-only
            slow = [f"{r['name']} {r['ratio']:.2f}" for r in cached if r["ratio"] < MIN_RATIO or r["errors"]]
            out.append(
                (
                    f"N={n} pages publiques ≥ {MIN_RATIO:.0%} du débit de la vue nue",
                    not slow,
                    ", ".join(slow) or f"ratio min {min(r['ratio'] for r in cached):.2f}",
                )
            )
            late = [f"{r['name']} {r['p99']:.1f} ms" for r in result["pages"] if r["p99"] >= MAX_P99_MS]
            worst = max(result["pages"], key=lambda r: r["p99"])
            out.append(
                (
                    f"N={n} p99 < {MAX_P99_MS:.0f} ms à 16 connexions",
                    not late,
                    ", ".join(late) or f"p99 max {worst['p99']:.1f} ms ({worst['name']})",
                )
            )
            home = next(r for r in result["pages"] if r["url"] == "/")
            out.append(
                (
                    f"N={n} accueil < {MAX_HOME_KB} Ko (HTML gzip + CSS + JS)",
                    home["weight"] / 1024 < MAX_HOME_KB,
                    f"{home['weight'] / 1024:.1f} Ko",
                )
            )
        search = result["search"]
        out.append(
            (
                f"N={n} recherche p95 ≤ {MAX_SEARCH_P95_MS:.0f} ms (dans Django, sans cache)",
                search["p95_ms"] <= MAX_SEARCH_P95_MS,
                f"p50 {search['p50_ms']} ms, p95 {search['p95_ms']} ms",
            )
        )
    if not any(result["pages"] for result in results):
        return out
    if len(results) > 1:
        counts = {}
        for result in results:
            for row in result["pages"]:
                counts.setdefault(row["name"], []).append(row["queries"])
        varying = [f"{name} {values}" for name, values in counts.items() if len(set(values)) > 1]
        ns = "/".join(str(r["n"]) for r in results)
        out.append((f"requêtes SQL constantes quel que soit N ({ns})", not varying, ", ".join(varying) or "identiques"))
    else:
        out.append(("requêtes SQL constantes quel que soit N", None, 'à vérifier avec plusieurs N : N="10 1000"'))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description="Banc de mesure du portail (make bench N=1000).")
    parser.add_argument("n", nargs="+", type=int, help="nombre(s) d’actions, d’événements et de partenaires")
    parser.add_argument("--duration", type=int, default=5, help="secondes de charge par page (5)")
    parser.add_argument("--connections", type=int, default=16, help="connexions simultanées de wrk (16)")
    parser.add_argument("--threads", type=int, default=2, help="fils de wrk (2)")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432", help="serveur PostgreSQL")
    parser.add_argument("--redis", default="", help="REDIS_URL pour le cache partagé (par défaut : aucun)")
    parser.add_argument("--keep", action="store_true", help="garder les bases cls_bench_<N>")
    parser.add_argument("--json", help="écrire aussi les résultats dans ce fichier")
    parser.add_argument("--markdown", help="écrire aussi les tableaux de docs/performances.md dans ce fichier")
    parser.add_argument(
        "--search-only",
        action="store_true",
        help="mesurer seulement la recherche (p50/p95/p99 dans Django), sans gunicorn ni wrk",
    )
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None and not args.search_only:
        raise SystemExit("wrk est introuvable : installez-le avec « sudo apt-get install -y wrk » (paquet Debian).")

    workdir = Path(tempfile.mkdtemp(prefix="cls-bench-"))
    static_root = workdir / "static"
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_DEBUG": "0",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_STATIC_ROOT": str(static_root),
            "DJANGO_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    if args.redis:
        env["REDIS_URL"] = args.redis
    print(f"Fichiers statiques (collectstatic) dans {static_root}…", flush=True)
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)

    started = datetime.datetime.now(datetime.UTC)
    load_before = os.getloadavg()[0]
    results = []
    try:
        for n in args.n:
            result = bench_one(n, args, env, static_root, workdir)
            print_run(result)
            results.append(result)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    workers = os.environ.get("GUNICORN_WORKERS") or os.environ.get("WEB_CONCURRENCY") or os.cpu_count() * 2 + 1
    print(
        f"\nMesuré le {started:%Y-%m-%d %H:%M} UTC sur {platform.node()} : {os.cpu_count()} cœurs, "
        f"Python {platform.python_version()}, "
        + (
            "recherche seulement (--search-only). "
            if args.search_only
            else f"gunicorn {workers} processus, wrk {args.threads} fils × {args.connections} connexions × "
            f"{args.duration} s par page, cache des pages {'Redis' if args.redis else 'fichiers locaux'}. "
        )
        + "Charge moyenne de la machine (1 min) : "
        f"{load_before:.1f} au début, {os.getloadavg()[0]:.1f} à la fin (au-delà du nombre de cœurs, "
        "d'autres programmes se partageaient le processeur : les débits absolus en pâtissent)."
    )
    failed = False
    for target, passed, detail in verdicts(results):
        label = "PASS" if passed else ("—   " if passed is None else "FAIL")
        failed |= passed is False
        print(f"{label}  {target} : {detail}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2))
    if args.markdown:
        Path(args.markdown).write_text(markdown_tables(results))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
