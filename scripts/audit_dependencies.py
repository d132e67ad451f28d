"""Known vulnerabilities of the pinned requirements, with pip-audit (``make audit``).

pip-audit asks its default vulnerability service, PyPI's JSON API, about each pinned version
(``--no-deps``: the files are fully pinned by pip-compile; ``--disable-pip``: no resolution, no
virtual environment). On its own, pip-audit says « No known vulnerabilities found » even when
PyPI could not answer for a single package; this script tells the two apart:

- a known vulnerability → exit 1, with the package, the advisory and the fixed versions;
- a package that could not be checked → said plainly; exit 1 with ``--strict``
  (``make audit AUDIT_STRICT=1``), a warning otherwise, so that a machine whose PyPI mirror
  lacks that API does not block ``make quality``.

Usage: python scripts/audit_dependencies.py [--strict] requirements.txt [requirements-dev.txt …]
"""

import argparse
import json
import subprocess
import sys


def run_pip_audit(requirement_files):
    """pip-audit's JSON report on ``requirement_files``, or None when it could not run."""
    command = [sys.executable, "-m", "pip_audit", "--disable-pip", "--no-deps", "--progress-spinner", "off"]
    command += ["--format", "json"]
    for path in requirement_files:
        command += ["--requirement", path]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    # 0: nothing found, 1: vulnerabilities found; anything else is a failure of pip-audit itself.
    if result.returncode not in (0, 1):
        sys.stderr.write(result.stderr)
        return None
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError:
        sys.stderr.write(result.stderr)
        return None


def summarise(report, *, strict):
    """(lines to print, exit status) for pip-audit's JSON ``report``."""
    dependencies = report["dependencies"]
    vulnerable = [dep for dep in dependencies if dep.get("vulns")]
    skipped = [dep for dep in dependencies if "skip_reason" in dep]
    checked = len(dependencies) - len(skipped)
    lines = [f"pip-audit : {checked} paquet(s) vérifié(s) sur {len(dependencies)}."]
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "aucune"
            lines.append(f"VULNÉRABLE {dep['name']} {dep['version']} : {vuln['id']} (corrigé dans : {fixed})")
    if skipped:
        lines.append(f"{len(skipped)} paquet(s) n'ont pas pu être vérifiés, par exemple : {skipped[0]['skip_reason']}")
        if not checked:
            lines.append(
                "Aucun paquet vérifié : le service de vulnérabilités de pip-audit (API JSON de PyPI, "
                "https://pypi.org/pypi/<paquet>/<version>/json) ne répond pas depuis cette machine."
            )
    if vulnerable:
        lines.append(f"{len(vulnerable)} paquet(s) épinglé(s) avec une vulnérabilité connue : à mettre à jour.")
        return lines, 1
    if skipped:
        if strict:
            lines.append("Échec (--strict) : l'audit est incomplet.")
            return lines, 1
        lines.append("ATTENTION : audit incomplet (make audit AUDIT_STRICT=1 pour en faire une erreur).")
        return lines, 0
    lines.append("Aucune vulnérabilité connue.")
    return lines, 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strict", action="store_true", help="échouer si un paquet n'a pas pu être vérifié")
    parser.add_argument("requirements", nargs="+")
    args = parser.parse_args(argv)
    report = run_pip_audit(args.requirements)
    if report is None:
        print("pip-audit n'a pas pu s'exécuter (voir ci-dessus).", file=sys.stderr)
        return 2
    lines, status = summarise(report, strict=args.strict)
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main())
