"""Lighthouse on the pages a phone user opens first (issue 13, target 6), for ``make bench``.

Lighthouse (npm, pinned in bench/lighthouse/package.json; ``npm ci --prefix bench/lighthouse``
installs it, node_modules is not committed) drives Debian's Chromium (``CHROME_PATH``,
/usr/bin/chromium by default), headless, with its default mobile emulation (a mid-range phone,
slow 4G simulated), on the portal the benchmark started; it needs no network access beyond the
loopback. For each page: the performance, accessibility and best-practices scores, the Largest
Contentful Paint, the bytes transferred on a first visit (empty browser cache) and what the image
audits say. The server it opens sends its pages compressed, as nginx does in production
(bench/run.py starts it with BENCH_COMPRESS_HTML: bench/settings.py); the static files are
compressed by WhiteNoise (Brotli or gzip) as in production.

    python -m bench.lighthouse http://127.0.0.1:8000 /  /agenda/     # by hand, on a running portal
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "bench" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices")
MIN_SCORE = 95
MIN_ACCESSIBILITY = 100
MAX_HOME_KB = 60
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"


def pages(env):
    """(name, path) of the pages Lighthouse opens, chosen in the benchmark's database (bench.measure).

    Gives an image to an action first if none has one (a photo, as an editor would upload it).
    """
    output = subprocess.run(
        [sys.executable, "-m", "bench.measure", "--lighthouse-pages"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output)


def parse_report(report):
    """The figures of one Lighthouse JSON report: scores out of 100, LCP in ms, KB transferred."""
    categories = report["categories"]
    audits = report["audits"]

    def items(audit_id):
        return audits.get(audit_id, {}).get("details", {}).get("items", [])

    uploaded = [
        (item.get("mimeType", ""), item.get("transferSize", 0))
        for item in items("network-requests")
        if "/media/" in item.get("url", "")
    ]
    return {
        "scores": {
            name: round(categories[name]["score"] * 100) if categories[name]["score"] is not None else None
            for name in CATEGORIES
        },
        "lcp_ms": audits["largest-contentful-paint"]["numericValue"],
        "kb": audits["total-byte-weight"]["numericValue"] / 1024,
        # Images larger than they show (srcset, sizes), in an old format, fetched while off screen,
        # and a largest paint held back by loading="lazy" (Lighthouse's audits of the same names).
        "oversized_images": len(items("uses-responsive-images")),
        "old_format_images": len(items("modern-image-formats")),
        "offscreen_images": len(items("offscreen-images")),
        "lcp_lazy": audits.get("lcp-lazy-loaded", {}).get("score") == 0,
        # The uploaded images the page fetched: (content type, bytes transferred).
        "uploaded_images": uploaded,
        "failing_audits": sorted(
            audit_id
            for name in CATEGORIES
            for ref in categories[name]["auditRefs"]
            if ref["weight"] > 0
            and (audit_id := ref["id"]) in audits
            and audits[audit_id]["score"] is not None
            and audits[audit_id]["score"] < 0.9
        ),
    }


def run_one(url, workdir):
    report_path = Path(workdir) / "report.json"
    command = [
        str(LIGHTHOUSE),
        url,
        "--output=json",
        f"--output-path={report_path}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={CHROME_FLAGS}",
        "--quiet",
    ]
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    completed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180, check=False)
    if completed.returncode != 0 or not report_path.exists():
        raise RuntimeError(f"Lighthouse a échoué sur {url} : {completed.stderr.strip()[-300:]}")
    return parse_report(json.loads(report_path.read_text()))


def run_with_one_retry(url):
    """``run_one`` in a fresh directory; once more if it fails. Under load, Lighthouse sometimes
    loses the trace of the page load (« Something went wrong with recording the trace… »: seen
    here on 1 December 2026, on the first page, then not on a quiet machine): a second try says
    whether the page or the tool failed."""
    try:
        return _run_in_a_fresh_directory(url)
    except (RuntimeError, subprocess.TimeoutExpired):
        print(f"  Lighthouse a échoué sur {url} : nouvel essai", flush=True)
    return _run_in_a_fresh_directory(url)


def _run_in_a_fresh_directory(url):
    with tempfile.TemporaryDirectory(prefix="cls-lighthouse-") as workdir:
        return run_one(url, workdir)


def run_all(base_url, chosen):
    """{"pages": [{name, path, scores, lcp_ms, kb, …}]}, or {"error": why} when Lighthouse cannot run."""
    if not LIGHTHOUSE.exists():
        return {"error": "Lighthouse absent : npm ci --prefix bench/lighthouse"}
    if shutil.which(os.environ.get("CHROME_PATH", "/usr/bin/chromium")) is None:
        return {"error": "Chromium absent (CHROME_PATH)"}
    print("\n=== Lighthouse (mobile)", flush=True)
    rows = []
    for name, path in chosen:
        try:
            figures = run_with_one_retry(base_url + path)
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            return {"error": str(error), "pages": rows}
        rows.append({"name": name, "path": path, **figures})
        print(format_row(rows[-1]), flush=True)
    return {"pages": rows}


def format_row(row):
    scores = row["scores"]
    failing = f"  audits sous 0,9 : {', '.join(row['failing_audits'])}" if row["failing_audits"] else ""
    return (
        f"  {row['name']:<22} perf {scores['performance']}, accessibilité {scores['accessibility']}, "
        f"bonnes pratiques {scores['best-practices']}, LCP {row['lcp_ms'] / 1000:.1f} s, "
        f"{row['kb']:.0f} Ko transférés{failing}"
    )


def target_rows(result, prefix=""):
    """Rows (target, passed, figure) for the verdict table of bench/run.py."""
    name = f"{prefix}Lighthouse mobile : scores ≥ {MIN_SCORE}, accessibilité {MIN_ACCESSIBILITY}"
    if "error" in result:
        return [(name, False, result["error"])]
    pages = result["pages"]
    low = [
        f"{row['name']} {category} {score}"
        for row in pages
        for category, score in row["scores"].items()
        if score is None or score < (MIN_ACCESSIBILITY if category == "accessibility" else MIN_SCORE)
    ]
    worst_lcp = max(pages, key=lambda row: row["lcp_ms"])
    rows = [
        (
            name,
            not low,
            ", ".join(low)
            or "min "
            + ", ".join(f"{c} {min(r['scores'][c] for r in pages)}" for c in CATEGORIES)
            + f" ; LCP max {worst_lcp['lcp_ms'] / 1000:.1f} s ({worst_lcp['name']})",
        )
    ]
    home = next((row for row in pages if row["path"] == "/"), None)
    if home is not None:
        rows.append(
            (
                f"{prefix}accueil ≤ {MAX_HOME_KB} Ko transférés à la première visite "
                "(Lighthouse, compressés comme en production)",
                home["kb"] <= MAX_HOME_KB,
                f"{home['kb']:.0f} Ko",
            )
        )
    rows.append(image_row(pages, prefix))
    return rows


def image_row(pages, prefix=""):
    """Images responsive: at the size they show, in a modern format, lazy below the fold, eager above it."""
    problems = []
    for row in pages:
        if row.get("oversized_images"):
            problems.append(f"{row['name']} : {row['oversized_images']} trop grande(s)")
        if row.get("old_format_images"):
            problems.append(f"{row['name']} : {row['old_format_images']} en JPEG/PNG")
        if row.get("offscreen_images"):
            problems.append(f"{row['name']} : {row['offscreen_images']} hors écran chargée(s) d'emblée")
        if row.get("lcp_lazy"):
            problems.append(f"{row['name']} : image principale différée (loading=lazy)")
    with_image = [row for row in pages if "image" in row["name"]]
    for row in with_image:
        if not any(kind in ("image/avif", "image/webp") for kind, _ in row.get("uploaded_images", [])):
            problems.append(f"{row['name']} : aucune image AVIF ou WebP servie")
    served = [
        f"{row['name']} {kind.removeprefix('image/')} {size / 1024:.0f} Ko"
        for row in with_image
        for kind, size in row.get("uploaded_images", [])
    ]
    return (
        f"{prefix}images adaptées (srcset à la taille affichée, AVIF/WebP, différées hors écran)",
        not problems,
        "; ".join(problems) or (", ".join(served) if served else "aucun problème relevé"),
    )


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        raise SystemExit("python -m bench.lighthouse <adresse du portail> [chemin…]")
    base_url, paths = argv[0].rstrip("/"), argv[1:] or ["/"]
    with tempfile.TemporaryDirectory(prefix="cls-lighthouse-") as workdir:
        for path in paths:
            print(format_row({"name": path, "path": path, **run_one(base_url + path, workdir)}))


if __name__ == "__main__":
    main()
