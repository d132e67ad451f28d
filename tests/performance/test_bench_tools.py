"""The pure parts of the benchmark (bench/run.py, bench/lighthouse.py) and of gunicorn.conf.py.

No timing is asserted: the figures are made up, only their parsing and the verdicts are tested.
"""

import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import Client

from bench import lighthouse
from bench import run as bench

WRK_OUTPUT = """Running 5s test @ http://127.0.0.1:18101/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.21ms    1.02ms  25.10ms   88.00%
    Req/Sec     2.51k   120.33     2.80k    70.00%
  Latency Distribution
     50%    3.05ms
     75%    3.60ms
     90%    4.20ms
     99%  812.00us
  25001 requests in 5.00s, 560.12MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   5000.20
Transfer/sec:    112.02MB
"""


def test_wrk_output_is_parsed():
    figures = bench.parse_wrk(WRK_OUTPUT)
    assert figures["rps"] == 5000.2
    assert figures["p50"] == 3.05
    assert figures["p99"] == 0.812
    assert figures["errors"] == 3


def test_port_range():
    assert bench.port_range("18100-18199") == range(18100, 18200)
    with pytest.raises(Exception, match="plage"):
        bench.port_range("18199-18100")


def page(name, rps, p99, minimal_rps, errors=0):
    return {
        "name": name,
        "url": "/" if name == "accueil" else f"/{name}/",
        "rps": rps,
        "p99": p99,
        "errors": errors,
        "minimal": {"rps": minimal_rps},
        "minimal_ratio": rps / minimal_rps,
        "ratio": 1.0,
        "queries": 3,
        "weight": 40 * 1024,
    }


def test_cached_pages_target_against_the_minimal_app():
    passing = [{"n": 10, "pages": [page("accueil", 900, 10.0, 1000), page("agenda", 850, 24.0, 1000)]}]
    rows = bench.target_cached_vs_minimal(passing, {"connections": 16})
    assert [passed for _, passed, _ in rows] == [True, True]
    assert "0.85 (agenda)" in rows[0][2]
    failing = [{"n": 10, "pages": [page("accueil", 700, 30.0, 1000), page("agenda", 850, 5.0, 1000)]}]
    rows = bench.target_cached_vs_minimal(failing, {"connections": 16})
    assert [passed for _, passed, _ in rows] == [False, False]
    assert "accueil 0.70" in rows[0][2]
    assert "accueil 30.0 ms" in rows[1][2]


def test_verdict_lines_say_pass_fail_or_not_measured():
    lines = bench.verdict_lines([("a", True, "1"), ("b", False, "2"), ("c", None, "3")])
    assert lines == ["PASS  a : 1", "FAIL  b : 2", "—     c : 3"]


def test_every_target_gives_rows_even_when_not_measured():
    results = [{"n": 10, "pages": [page("accueil", 900, 10.0, 1000)], "search": {"p50_ms": 1, "p95_ms": 2}}]
    rows = bench.verdicts(results, {"connections": 16})
    names = " ".join(name for name, _, _ in rows)
    assert "l'appli Django minimale" in names
    assert "demandes d'intérêt" in names
    assert "Lighthouse" in names


def test_load_fault_target():
    figures = {"rate": 250.0, "accepted": 600, "duration": 2.4, "lost": 0, "duplicated": 0, "violations": 0}
    [(_, passed, detail)] = bench.target_load_fault([], {"load_fault": figures})
    assert passed and detail.startswith("250/s")
    [(_, passed, _)] = bench.target_load_fault([], {"load_fault": {**figures, "rate": 120.0}})
    assert passed is False
    [(_, passed, _)] = bench.target_load_fault([], {"load_fault": {**figures, "duplicated": 1}})
    assert passed is False


def lighthouse_report(
    performance=1.0, accessibility=1.0, practices=1.0, kb=50, oversized=0, old_format=0, image_type="image/avif"
):
    audits = {
        "largest-contentful-paint": {"numericValue": 1200.0, "score": 1},
        "total-byte-weight": {"numericValue": kb * 1024, "score": 1},
        "uses-responsive-images": {"score": 1, "details": {"items": [{}] * oversized}},
        "modern-image-formats": {"score": 1, "details": {"items": [{}] * old_format}},
        "offscreen-images": {"score": 1, "details": {"items": []}},
        "lcp-lazy-loaded": {"score": 1},
        "network-requests": {
            "details": {
                "items": [
                    {"url": "http://127.0.0.1/", "mimeType": "text/html", "transferSize": 5000},
                    {
                        "url": "http://127.0.0.1/media/renditions/a.jpg/640w.avif",
                        "mimeType": image_type,
                        "transferSize": 9216,
                    },
                ]
            }
        },
        "color-contrast": {"score": accessibility},
    }
    return {
        "categories": {
            "performance": {"score": performance, "auditRefs": [{"id": "largest-contentful-paint", "weight": 25}]},
            "accessibility": {"score": accessibility, "auditRefs": [{"id": "color-contrast", "weight": 7}]},
            "best-practices": {"score": practices, "auditRefs": []},
        },
        "audits": audits,
    }


def test_lighthouse_report_and_verdicts():
    home = {"name": "accueil", "path": "/", **lighthouse.parse_report(lighthouse_report(kb=58))}
    assert home["scores"] == {"performance": 100, "accessibility": 100, "best-practices": 100}
    assert home["lcp_ms"] == 1200.0
    assert [passed for _, passed, _ in lighthouse.target_rows({"pages": [home]})] == [True, True, True]
    agenda = {"name": "agenda", "path": "/agenda/", **lighthouse.parse_report(lighthouse_report(0.97, 0.96))}
    assert agenda["failing_audits"] == []  # 0.96 is not under 0.9
    rows = lighthouse.target_rows({"pages": [home, agenda]})
    assert rows[0][1] is False and "agenda accessibility 96" in rows[0][2]
    heavy = {"name": "accueil", "path": "/", **lighthouse.parse_report(lighthouse_report(kb=75, oversized=2))}
    assert [passed for _, passed, _ in lighthouse.target_rows({"pages": [heavy]})] == [True, False, False]
    assert lighthouse.target_rows({"error": "Lighthouse absent"})[0][1] is False


def test_lighthouse_image_verdict():
    def page(name, **options):
        return {"name": name, "path": f"/{name}/", **lighthouse.parse_report(lighthouse_report(**options))}

    good = page("action avec image")
    assert good["uploaded_images"] == [("image/avif", 9216)]
    target, passed, figure = lighthouse.image_row([good])
    assert passed is True and "action avec image avif 9 Ko" in figure
    _, passed, figure = lighthouse.image_row([page("action avec image", image_type="image/jpeg", old_format=1)])
    assert passed is False
    assert "1 en JPEG/PNG" in figure and "aucune image AVIF ou WebP" in figure
    lazy = page("événement")
    lazy["lcp_lazy"] = True
    assert lighthouse.image_row([lazy])[1] is False


# --- gunicorn.conf.py -----------------------------------------------------------------------------

GUNICORN_CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def test_gunicorn_recycles_on_memory_not_every_thousand_requests(monkeypatch):
    for name in ("GUNICORN_MAX_REQUESTS", "GUNICORN_MAX_WORKER_MEMORY_MB", "GUNICORN_ACCESS_LOG"):
        monkeypatch.delenv(name, raising=False)
    conf = runpy.run_path(str(GUNICORN_CONF))
    assert conf["max_requests"] >= 100_000
    assert conf["accesslog"] is None  # nginx writes the access log
    worker = SimpleNamespace(alive=True, log=SimpleNamespace(info=lambda *args: None))
    post_request = conf["post_request"]
    memory = {"mb": 100.0}
    post_request.__globals__["resident_memory_mb"] = lambda: memory["mb"]
    for _ in range(conf["MEMORY_CHECK_EVERY"] * 2):
        post_request(worker, None, None, None)
    assert worker.alive
    memory["mb"] = conf["MAX_WORKER_MEMORY_MB"] + 1.0
    for _ in range(conf["MEMORY_CHECK_EVERY"] - 1):
        post_request(worker, None, None, None)
        assert worker.alive  # checked every MEMORY_CHECK_EVERY requests only
    post_request(worker, None, None, None)
    assert worker.alive is False


def test_gunicorn_access_log_can_be_turned_on(monkeypatch):
    monkeypatch.setenv("GUNICORN_ACCESS_LOG", "-")
    assert runpy.run_path(str(GUNICORN_CONF))["accesslog"] == "-"


def test_resident_memory_is_read():
    memory = runpy.run_path(str(GUNICORN_CONF))["resident_memory_mb"]()
    assert memory is None or memory > 1


# --- the CSP header, built once per process -------------------------------------------------------


@pytest.mark.django_db
def test_the_csp_header_follows_a_change_of_the_setting(settings):
    client = Client()
    first = client.get("/mentions-legales/")["Content-Security-Policy"]
    assert "default-src 'self'" in first
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert client.get("/mentions-legales/")["Content-Security-Policy"] == "default-src 'none'"


@pytest.mark.django_db
def test_the_generated_content_is_public():
    """New content is a draft by default (issue 12): the bench's rows must be published, or it would
    measure pages that show none of them."""
    import io

    from actions.models import Action
    from bench.fill import fill
    from events.models import Event, Place
    from partners.models import Partner
    from tests.actions.factories import AudienceFactory, NeighbourhoodFactory, ThemeFactory

    ThemeFactory.create_batch(2), AudienceFactory.create_batch(2), NeighbourhoodFactory()
    fill(20, out=io.StringIO())
    for model in (Action, Event, Partner, Place):
        generated = model.objects.filter(slug__contains="genere")
        assert generated.exists(), model
        assert not generated.filter(published=False).exists(), model


def invalidation(renewed, kept):
    return {
        "edit": "événement",
        "pages": len(renewed) + len(kept),
        "cached": len(renewed) + len(kept),
        "renewed": renewed,
        "kept": kept,
        "renewed_ms": 12.0,
    }


def test_invalidation_target():
    in_proportion = [
        {"n": 10, "pages": [], "invalidation": [invalidation(["agenda", "événement"], ["partenaires", "partenaire"])]}
    ]
    [(_, passed, detail)] = bench.target_invalidation(in_proportion, {})
    assert passed is True
    assert "événement 2/4" in detail
    everything = [
        {"n": 10, "pages": [], "invalidation": [invalidation(["agenda", "événement", "partenaires", "partenaire"], [])]}
    ]
    assert bench.target_invalidation(everything, {})[0][1] is False
    assert bench.target_invalidation([{"n": 10, "pages": [page("accueil", 900, 10.0, 1000)]}], {})[0][1] is None
    assert "2 pages recalculées sur 4" in bench.invalidation_lines(in_proportion[0]["invalidation"])[0]


@pytest.mark.django_db
def test_the_bench_counts_the_pages_one_edit_renews(settings):
    """bench/measure.py with the page cache on: an event's edit renews the agenda, not the partners."""
    import io

    from bench.fill import fill
    from bench.measure import measure_invalidation
    from events.models import Event
    from tests.actions.factories import AudienceFactory, NeighbourhoodFactory, ThemeFactory

    settings.ROOT_URLCONF = "bench.urls"
    ThemeFactory.create_batch(2), AudienceFactory.create_batch(2), NeighbourhoodFactory()
    fill(20, out=io.StringIO())
    titles = list(Event.objects.values_list("title", flat=True))
    edits = {row["edit"]: row for row in measure_invalidation()}
    event = edits["événement"]
    assert event["cached"] == event["pages"]
    assert {"agenda", "événement", "accueil"} <= set(event["renewed"])
    assert {"partenaires", "partenaire", "glossaire", "mentions légales"} <= set(event["kept"])
    assert "agenda" in edits["partenaire"]["kept"]
    assert list(Event.objects.values_list("title", flat=True)) == titles  # rolled back


def test_fresh_pages_target():
    """Target 2: the pages computed afresh, timed inside Django (p95), and against the minimal app in the
    same run (measure_fresh: a second portal with the page cache off), judged with the initial content."""
    fast, slow = page("accueil", 900, 10.0, 1000), page("agenda", 90, 10.0, 1000)
    results = [{"n": 10000, "pages": [{**fast, "render_p95_ms": 12.0}, {**slow, "render_p95_ms": 85.5}]}]
    [(_, passed, detail), (_, measured, how)] = bench.target_fresh_pages(results, {})
    assert passed is False and detail == "agenda 86 ms"
    assert measured is None and "--no-fresh" in how

    results[0]["pages"][0]["fresh"] = {"rps": 300, "minimal_ratio": 0.3}
    results[0]["pages"][1]["fresh"] = {"rps": 9, "minimal_ratio": 0.009}
    [_, (name, judged, figure)] = bench.target_fresh_pages(results, {})
    assert judged is None and "contenu initial" in name and figure == "agenda 0.009"  # shown, not judged

    results[0]["n"] = 10
    results[0]["pages"][1]["render_p95_ms"] = 40.0
    [(_, passed, detail), (_, against_minimal, ratios)] = bench.target_fresh_pages(results, {})
    assert passed is True and detail == "p95 max 40.0 ms (agenda)"
    assert against_minimal is False and ratios == "agenda 0.009"
    results[0]["pages"][1]["fresh"]["minimal_ratio"] = 0.12
    assert bench.target_fresh_pages(results, {})[1][1:] == (True, "ratio min 0.120")

    # A whole run with the page cache off: its own ratios are those of pages computed afresh.
    [_, (_, against_minimal, ratios)] = bench.target_fresh_pages(results, {"page_cache_off": True})
    assert against_minimal is False and ratios == "agenda 0.090"
    [(_, cached, _)] = bench.target_cached_vs_minimal(results, {"page_cache_off": True})
    assert cached is None
    assert bench.target_fresh_pages([{"n": 10, "pages": [page("accueil", 900, 10.0, 1000)]}], {}) == []


def test_the_fresh_columns_of_the_tables():
    row = page("agenda", 90, 10.0, 1000)
    assert bench.fresh_cells(row).split() == ["—", "—"]
    row["fresh"] = {"rps": 95.4, "minimal_ratio": 0.0954}
    assert bench.fresh_cells(row).split() == ["95", "0.095"]
    assert bench.fresh_cells(row, markdown=True) == "95 | 0.095"


def test_percentile_of_the_render_and_search_timings():
    from bench.measure import percentile

    timings = list(range(1, 21))  # 20 rounds: the p95 is the slowest
    assert percentile(timings, 0.95) == 20
    assert percentile(list(range(1, 101)), 0.95) == 96
    assert percentile([7.0], 0.95) == 7.0


def test_lighthouse_tries_a_page_once_more_after_a_failure(monkeypatch, capsys):
    calls = []

    def flaky(url, workdir):
        calls.append(url)
        if len(calls) == 1:
            raise RuntimeError("Something went wrong with recording the trace over your page load")
        return {"scores": {}}

    monkeypatch.setattr(lighthouse, "run_one", flaky)
    assert lighthouse.run_with_one_retry("http://127.0.0.1:1/") == {"scores": {}}
    assert len(calls) == 2 and "nouvel essai" in capsys.readouterr().out

    def broken(url, workdir):
        raise RuntimeError("toujours en panne")

    monkeypatch.setattr(lighthouse, "run_one", broken)
    with pytest.raises(RuntimeError, match="toujours en panne"):
        lighthouse.run_with_one_retry("http://127.0.0.1:1/")


def test_a_big_page_is_also_compared_with_the_minimal_app_serving_as_many_bytes():
    big = {**page("partenaires", 700, 5.0, 1000), "html_bytes": 187 * 1024, "same_size": {"rps": 760, "ratio": 0.92}}
    rows = bench.target_cached_vs_minimal([{"n": 10000, "pages": [big]}], {"connections": 16})
    assert rows[0][1] is False  # the verdict keeps the 20 KB yardstick
    assert rows[0][2] == "partenaires 0.70 (187 Ko ; 0.92 de l'appli minimale servant autant d'octets)"
    assert bench.same_size_note(page("accueil", 900, 5.0, 1000)) == ""


def test_the_minimal_app_serves_a_page_of_the_size_asked():
    from django.http import Http404
    from django.test import RequestFactory

    from bench.minimal import urls as minimal

    assert len(minimal.PAGE) == minimal.PAGE_BYTES == 20 * 1024
    response = minimal.sized(RequestFactory().get("/ko/187/"), 187)
    assert len(response.content) == 187 * 1024
    assert response.content.endswith(b"</body></html>")
    for size in (0, minimal.MAX_KILOBYTES + 1):
        with pytest.raises(Http404):
            minimal.sized(RequestFactory().get(f"/ko/{size}/"), size)


def test_alternated_rounds_give_the_median_of_each_figure():
    runs = [
        {"rps": 5000.0, "p50": 3.0, "p99": 5.0, "errors": 0, "socket_errors": ""},
        {"rps": 1200.0, "p50": 9.0, "p99": 624.0, "errors": 2, "socket_errors": "connect 0, read 1"},
        {"rps": 5200.0, "p50": 3.1, "p99": 6.0, "errors": 0, "socket_errors": ""},
    ]
    figures = bench.median_figures(runs)
    assert figures["rps"] == 5000.0 and figures["p50"] == 3.1 and figures["p99"] == 6.0  # the pause moves nothing
    assert figures["errors"] == 2 and figures["socket_errors"] == "connect 0, read 1"  # errors are never hidden
