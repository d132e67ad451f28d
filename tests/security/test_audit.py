"""``make audit``: how pip-audit's report is read (scripts/audit_dependencies.py).

The report is pip-audit's JSON format; no network here: the run itself is ``make audit``.
"""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit_dependencies.py"


@pytest.fixture(scope="module")
def audit():
    spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CLEAN = {"name": "asgiref", "version": "3.13.0", "vulns": []}
VULNERABLE = {
    "name": "django",
    "version": "5.2.0",
    "vulns": [{"id": "PYSEC-2025-1", "fix_versions": ["5.2.1", "5.1.9"], "aliases": ["CVE-2025-1"]}],
}
SKIPPED = {"name": "brotli", "skip_reason": "Dependency not found on PyPI and could not be audited: brotli (1.2.1)"}


@pytest.mark.parametrize("strict", [False, True])
def test_a_known_vulnerability_fails_and_names_the_fix(audit, strict):
    lines, status = audit.summarise({"dependencies": [CLEAN, VULNERABLE]}, strict=strict)
    assert status == 1
    assert "VULNÉRABLE django 5.2.0 : PYSEC-2025-1 (corrigé dans : 5.2.1, 5.1.9)" in lines


def test_nothing_known_passes(audit):
    lines, status = audit.summarise({"dependencies": [CLEAN]}, strict=True)
    assert status == 0
    assert lines[0] == "pip-audit : 1 paquet(s) vérifié(s) sur 1."
    assert lines[-1] == "Aucune vulnérabilité connue."


def test_packages_that_could_not_be_checked_are_never_reported_as_clean(audit):
    lines, status = audit.summarise({"dependencies": [SKIPPED]}, strict=False)
    assert status == 0
    assert "Aucune vulnérabilité connue." not in lines
    assert lines[0] == "pip-audit : 0 paquet(s) vérifié(s) sur 1."
    assert any(line.startswith("Aucun paquet vérifié") for line in lines)
    assert lines[-1].startswith("ATTENTION : audit incomplet")


def test_strict_fails_when_a_package_could_not_be_checked(audit):
    lines, status = audit.summarise({"dependencies": [CLEAN, SKIPPED]}, strict=True)
    assert status == 1
    assert "1 paquet(s) n'ont pas pu être vérifiés" in lines[1]
    assert lines[-1] == "Échec (--strict) : l'audit est incomplet."


def test_the_makefile_runs_it_on_the_pinned_requirements_in_quality():
    makefile = (SCRIPT.parents[1] / "Makefile").read_text()
    quality = next(line for line in makefile.splitlines() if line.startswith("quality:"))
    assert "audit" in quality.split()
    assert "scripts/audit_dependencies.py $(if $(AUDIT_STRICT),--strict) requirements.txt requirements-dev.txt" in (
        makefile
    )
