#!/bin/sh
# static/css/bootstrap.subset.css: the Bootstrap rules the site's pages use (scripts/css/build.mjs).
# Reproducible: the same templates, Bootstrap (requirements.txt) and PurgeCSS (package-lock.json)
# give the same file. `make css`; `make css-check` fails when the committed file is out of date.
set -eu
cd "$(dirname "$0")/../.."
PY="${PY:-.venv/bin/python}"
[ -x scripts/css/node_modules/.bin/purgecss ] || npm ci --prefix scripts/css --no-audit --no-fund
SITE_PACKAGES="$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
BOOTSTRAP_CSS="$("$PY" -c 'import bootstrap, os; print(os.path.join(os.path.dirname(bootstrap.__file__), "static", "bootstrap", "css", "bootstrap.min.css"))')"
BOOTSTRAP_VERSION="$("$PY" -c 'from importlib.metadata import version; print(version("django-bootstrap-static"))')"
OUTPUT="${OUTPUT:-static/css/bootstrap.subset.css}"
export SITE_PACKAGES BOOTSTRAP_CSS BOOTSTRAP_VERSION OUTPUT
node scripts/css/build.mjs
