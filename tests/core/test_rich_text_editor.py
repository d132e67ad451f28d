"""The editors' long texts in the rich-text editor: cleaned on save by core/rich_text.py's rules,
stored as HTML (the plain texts of before converted without changing a page), edited in the admin
with django-prose-editor under the CSP."""

import datetime
import re

import pytest
from django.apps import apps
from django.core.cache import caches
from django.core.management import call_command
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse

from actions.models import Action
from core.glossary import GlossaryTerm
from core.migration_helpers import convert_rich_texts
from core.rich_text import EDITOR_HELP_TEXT, HELP_TEXT, clean_html, plain_text, stored_html
from core.rich_text_fields import RichTextField, RichTextFormField
from core.words import words_of
from tests.actions.factories import ActionFactory
from tests.helpers import admin_url

HOSTILE = [
    ('<p>Avant</p><script>alert("piège")</script><p>Après</p>', "<p>Avant</p><p>Après</p>"),
    ("<style>p { display: none }</style><p>Texte</p>", "<p>Texte</p>"),
    ('<p onclick="alert(1)" style="color: red" class="x" lang="en" title="t">Texte</p>', "<p>Texte</p>"),
    (
        '<p><a href="javascript:alert(2)">clic</a> et <a href="data:text/html,x">data</a></p>',
        "<p>clic et data</p>",
    ),
    ("<h2>Un titre</h2><p>Texte</p>", "<p>Un titre</p><p>Texte</p>"),
    ('<p>Image <img src="https://exemple.fr/x.png" onerror="alert(3)" alt="x"></p>', "<p>Image </p>"),
    ('<table><tr><td>Cellule</td></tr></table><p><span style="color: red">rouge</span></p>', "Cellule<p>rouge</p>"),
    # What the editor writes: list items as paragraphs, empty paragraphs, a link's target and title.
    ("<ul><li><p>un</p></li><li><p>deux</p></li></ul>", "<ul><li>un</li><li>deux</li></ul>"),
    ("<p>Un</p><p></p><p><br></p><p>Deux</p>", "<p>Un</p><p>Deux</p>"),
    (
        '<p><a target="_blank" rel="nofollow" title="" href="https://www.ameli.fr/">ameli</a></p>',
        '<p><a href="https://www.ameli.fr/" rel="noopener noreferrer">ameli</a></p>',
    ),
]


def all_rich_text_fields():
    """{(app label, model name): [field names]} of every RichTextField of the project's models."""
    found = {}
    for model in apps.get_models():
        names = [field.name for field in model._meta.fields if isinstance(field, RichTextField)]
        if names and not model.__name__.startswith("Historical"):
            found[(model._meta.app_label, model._meta.model_name)] = sorted(names)
    return found


@pytest.mark.parametrize(("value", "expected"), HOSTILE)
def test_the_form_field_keeps_only_the_allowed_subset(value, expected):
    assert RichTextFormField(required=False).clean(value) == expected


def test_the_form_field_turns_plain_text_into_paragraphs():
    assert RichTextFormField().clean("Premier.\nSuite.\n\nSecond.") == "<p>Premier.<br>\nSuite.</p>\n\n<p>Second.</p>"


@pytest.mark.parametrize("value", ["", "<p></p>", "<p> <br> </p>", "<script>alert(1)</script>"])
def test_a_required_text_with_nothing_to_read_is_refused(value):
    field = RichTextFormField()
    with pytest.raises(Exception, match="obligatoire"):
        field.clean(value)
    assert RichTextFormField(required=False).clean(value) == ""


def test_stored_html_changes_nothing_the_second_time():
    for value, _expected in HOSTILE:
        once = stored_html(value)
        assert stored_html(once) == once
        assert clean_html(once) == once


def test_plain_text_of_the_editors_lists():
    assert plain_text(
        "<p>Apportez :</p><ul><li><p>la carte Vitale ;</p></li><li><p>un justificatif.</p></li></ul>"
    ) == ("Apportez :\n\n- la carte Vitale ;\n- un justificatif.")


@pytest.mark.django_db
def test_every_save_stores_the_cleaned_html():
    action = ActionFactory(body=HOSTILE[0][0], how_to_join="Appelez le CCAS.\n\nC’est gratuit.")
    action.refresh_from_db()
    assert action.body == "<p>Avant</p><p>Après</p>"
    assert action.how_to_join == "<p>Appelez le CCAS.</p>\n\n<p>C’est gratuit.</p>"
    assert Action.history.filter(id=action.pk).latest().body == action.body


@pytest.mark.django_db
def test_the_words_of_list_items_and_paragraphs_stay_apart_for_the_search():
    action = ActionFactory(
        title="Bilan",
        summary="Un bilan.",
        body="<p>Apportez</p><ul><li><p>dentiste</p></li><li><p>vaccins</p></li></ul>",
    )
    assert {"apportez", "dentiste", "vaccins"} <= {word.lower() for word in words_of(action.get_search_text())}
    assert list(Action.objects.search("vaccins")) == [action]


@pytest.mark.django_db
def test_the_glossary_marks_a_term_in_the_editors_html(client):
    GlossaryTerm.objects.create(
        term="CSS", slug="css", expansion="complémentaire santé solidaire", definition="<p>Une aide.</p>"
    )
    action = ActionFactory(body="<ul><li><p>La <strong>CSS</strong> peut vous aider.</p></li></ul>")
    page = client.get(action.get_absolute_url()).content.decode()
    assert '<abbr title="complémentaire santé solidaire">CSS</abbr>' in page
    assert "<li>La <strong>" in page


def test_the_migrations_convert_every_rich_text_field():
    """Each app's data migration names all its RichTextFields: none stays plain text."""
    converted = {}
    for migration in MigrationLoader(None, ignore_no_migrations=True).disk_migrations.values():
        for operation in migration.operations:
            for app_label, fields_by_model in getattr(operation, "rich_text_fields", {}).items():
                for model_name, names in fields_by_model.items():
                    converted[(app_label, model_name)] = sorted(names)
    assert converted == all_rich_text_fields()


def public_pages():
    """The public pages that show the editors' long texts, for every row of the initial content."""
    from actions.models import Axis
    from events.models import Event, Place
    from partners.models import Partner

    pages = [reverse("mutuelle:home"), reverse("glossary")]
    for model in (Axis, Action, Place, Partner):
        pages += [row.get_absolute_url() for row in model.objects.all()]
    pages += [event.get_absolute_url() for event in Event.objects.all()[:10]]
    return pages


def render(client, pages):
    for cache in caches.all():
        cache.clear()
    responses = {}
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        # The CSRF token of a form changes with each response; nothing else may.
        responses[page] = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    return responses


@pytest.mark.database_independent  # HTML converted in Python, then compared: the SQLite pass in CI
@pytest.mark.django_db
def test_converting_the_initial_content_keeps_every_public_page_identical(client, monkeypatch, today):
    """The initial content stored as before (plain text), its pages; converted, the same pages."""
    today(datetime.date(2026, 11, 30))
    # Before the editor, the loader stored what it was given.
    monkeypatch.setattr(RichTextField, "pre_save", lambda self, instance, add: getattr(instance, self.attname))
    call_command("load_cls_content", verbosity=0)
    fields = all_rich_text_fields()
    before_values = {
        key: list(apps.get_model(*key)._base_manager.order_by("pk").values_list(*names))
        for key, names in fields.items()
    }
    assert any(
        "\n\n" in value and "<p>" not in value for rows in before_values.values() for row in rows for value in row
    )
    pages = public_pages()
    before = render(client, pages)

    for app_label in {app_label for app_label, _model in fields}:
        convert_rich_texts(
            apps, app_label, {model: names for (app, model), names in fields.items() if app == app_label}
        )

    for key, names in fields.items():
        rows = list(apps.get_model(*key)._base_manager.order_by("pk").values_list(*names))
        for old_row, new_row in zip(before_values[key], rows, strict=True):
            assert list(new_row) == [stored_html(value) for value in old_row]
            assert all(not value or value.startswith(("<p>", "<ul>", "<ol>")) for value in new_row), key
    after = render(client, pages)
    for page in pages:
        assert after[page] == before[page], page


@pytest.mark.django_db
def test_the_loader_stores_the_same_html_as_the_migration(today):
    today(datetime.date(2026, 11, 30))
    call_command("load_cls_content", verbosity=0)
    for key, names in all_rich_text_fields().items():
        for row in apps.get_model(*key)._base_manager.values_list(*names):
            assert all(value == stored_html(value) for value in row), key
    assert Action.objects.exclude(body="").filter(body__startswith="<p>").exists()


@pytest.mark.django_db
def test_the_change_form_has_the_editor_without_inline_script(editor_client):
    action = ActionFactory()
    page = editor_client.get(admin_url(Action, "change", action.pk)).content.decode()
    for name in ("body", "how_to_join"):
        assert re.search(
            rf'<textarea name="{name}"[^>]* data-rich-text-editor="/static/django_prose_editor/editor\.js"', page
        )
    assert '<script src="/static/js/rich-text-editor.js" type="module"></script>' in page
    assert "django_prose_editor/editor.css" in page and "css/rich-text-editor.css" in page
    assert 'type="importmap"' not in page
    # Without JavaScript the help about typing HTML applies; the script swaps it for this one.
    assert HELP_TEXT in page
    assert f'data-rich-text-help="{EDITOR_HELP_TEXT}"'.replace("’", "’") in page
    # The stored text (paragraphs) is what the text area holds.
    assert "&lt;p&gt;Premier paragraphe.&lt;/p&gt;" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("actions/axis/1/change", ["description"]),
        ("events/place/add", ["description", "public_transport", "accessibility_notes"]),
        ("events/event/add", ["description"]),
        ("partners/partner/add", ["description", "role_in_cls"]),
        ("core/glossaryterm/add", ["definition"]),
    ],
)
def test_every_long_text_gets_the_editor(editor_client, path, fields):
    page = editor_client.get(f"/admin/{path}/").content.decode()
    for name in fields:
        assert re.search(rf'<textarea name="{name}"[^>]* data-rich-text-editor=', page), name


@pytest.mark.django_db
def test_the_admin_catalogue_names_the_buttons_in_french(editor_client):
    catalogue = editor_client.get(reverse("admin:jsi18n")).content.decode()
    for english, french in [("bold", "Gras"), ("italic", "Italique"), ("remove link", "Retirer le lien")]:
        assert f'"{english}": "{french}"' in catalogue
    assert '"Formatting": "Mise en forme"' in catalogue


def test_the_editor_offers_only_what_the_cleaner_keeps():
    from core.rich_text_fields import EXTENSIONS

    offered = {name for name, options in EXTENSIONS.items() if options}
    assert offered == {"Bold", "Italic", "BulletList", "OrderedList", "ListItem", "HardBreak", "Link"}
    assert set(EXTENSIONS["Link"]["protocols"]) == {"https", "http", "mailto", "tel"}
