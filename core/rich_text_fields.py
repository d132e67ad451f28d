"""The editors' long texts as fields: a rich-text editor in the admin, nh3's cleaning on save.

``RichTextField`` is a ``TextField`` (its migrations say ``models.TextField``) that

- stores :func:`core.rich_text.stored_html` of its value on every save (admin, loader, shell):
  the one set of rules of ``core/rich_text.py``, never a second list of tags;
- is edited in the admin with django-prose-editor (Tiptap/ProseMirror, served from the site's
  own static files) offering exactly that subset: bold, italic, bulleted and numbered lists,
  links in https, http, mailto or tel, paragraphs and line breaks.

Under the site's CSP (``script-src 'self'``, ``style-src 'self'``) the package's own way of
loading its modules, an inline import map, would be refused; ``static/js/rich-text-editor.js``
imports the editor's module by its static address instead and starts Tiptap without the
``<style>`` element it would inject. Without JavaScript the field is the admin's usual text area.
"""

import json

from django import forms
from django.contrib.admin import widgets as admin_widgets
from django.db import models
from django.templatetags.static import static
from django_prose_editor.config import expand_extensions
from django_prose_editor.widgets import ProseEditorWidget

from core.rich_text import EDITOR_HELP_TEXT, HELP_TEXT, URL_SCHEMES, stored_html

# The editor's extensions (Tiptap's names): what core/rich_text.py allows, nothing more.
EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "BulletList": True,
    "OrderedList": {"enableListAttributes": False},  # ``start`` and ``type`` would be removed
    "ListItem": True,
    "HardBreak": True,
    "NoSpellCheck": False,  # the browser's spelling check stays on
    "Link": {"enableTarget": False, "protocols": sorted(URL_SCHEMES), "openOnClick": False},
}
EDITOR_MODULE = "django_prose_editor/editor.js"


class RichTextWidget(ProseEditorWidget):
    """A text area that ``static/js/rich-text-editor.js`` turns into the editor."""

    template_name = "django/forms/widgets/textarea.html"

    def __init__(self, attrs=None):
        super().__init__(attrs, config={"extensions": EXTENSIONS})

    @property
    def media(self):
        return forms.Media(
            css={
                "all": [
                    "django_prose_editor/material-icons.css",
                    "django_prose_editor/editor.css",
                    "django_prose_editor/overrides.css",
                    "css/rich-text-editor.css",
                ]
            },
            js=[forms.Script("js/rich-text-editor.js", type="module")],
        )

    def get_context(self, name, value, attrs):
        context = forms.Textarea.get_context(self, name, value, attrs)
        context["widget"]["attrs"].update(
            {
                "data-rich-text-editor": static(EDITOR_MODULE),
                "data-rich-text-extensions": json.dumps(expand_extensions(EXTENSIONS), separators=(",", ":")),
                "data-rich-text-help": EDITOR_HELP_TEXT,
                "data-rich-text-help-without": HELP_TEXT,
            }
        )
        return context


class AdminRichTextWidget(RichTextWidget, admin_widgets.AdminTextareaWidget):
    pass


class RichTextFormField(forms.CharField):
    """A text typed in the editor, cleaned by core/rich_text.py's rules."""

    widget = RichTextWidget

    def __init__(self, *args, **kwargs):
        # A text area (Django's, or the admin's) becomes the editor; another widget is kept.
        widget = kwargs.get("widget") or forms.Textarea
        widget_class = widget if isinstance(widget, type) else type(widget)
        if issubclass(widget_class, forms.Textarea) and not issubclass(widget_class, RichTextWidget):
            admin = issubclass(widget_class, admin_widgets.AdminTextareaWidget)
            kwargs["widget"] = AdminRichTextWidget if admin else RichTextWidget
        super().__init__(*args, **kwargs)

    def clean(self, value):
        cleaned = stored_html(super().clean(value))
        if self.required and not cleaned:
            # Only tags, or what nh3 removes (a script…): nothing a reader would see.
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return cleaned


class RichTextField(models.TextField):
    """An editor's long text, stored as the HTML subset of core/rich_text.py."""

    def pre_save(self, model_instance, add):
        value = stored_html(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": RichTextFormField, **kwargs})

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.TextField", args, kwargs
