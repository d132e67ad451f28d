"""The public pages load a subset of Bootstrap (static/css/bootstrap.subset.css, made by
scripts/css/build.sh): every Bootstrap class a template names must be in it, or `make css` was
forgotten after adding one."""

import re
from pathlib import Path

import bootstrap

ROOT = Path(__file__).resolve().parents[2]
FULL = Path(bootstrap.__file__).parent / "static" / "bootstrap" / "css" / "bootstrap.min.css"
SUBSET = ROOT / "static" / "css" / "bootstrap.subset.css"
CLASS_ATTRIBUTE = re.compile(r'class="([^"]*)"')


def selectors(css):
    return set(re.findall(r"\.(-?[A-Za-z_][\w-]*)", css))


def template_classes():
    names = set()
    for template in (ROOT / "templates").rglob("*.html"):
        if "admin" in template.relative_to(ROOT / "templates").parts:
            continue  # the admin has its own stylesheets
        for attribute in CLASS_ATTRIBUTE.findall(template.read_text()):
            names.update(word for word in re.split(r"\s+", re.sub(r"{[%{].*?[%}]}", " ", attribute)) if word)
    return names


def test_every_bootstrap_class_of_the_templates_is_in_the_subset():
    full, subset = selectors(FULL.read_text()), selectors(SUBSET.read_text())
    used = template_classes() & full
    assert {"container", "row", "card", "btn", "visually-hidden"} <= used  # the check reads the templates
    assert used - subset == set(), "make css : des classes Bootstrap des gabarits manquent au sous-ensemble"


def test_the_subset_is_much_smaller_than_bootstrap_and_has_no_source_map():
    text = SUBSET.read_text()
    assert text.startswith('@charset "UTF-8";')
    assert "sourceMappingURL" not in text
    assert len(text) < FULL.stat().st_size / 3
