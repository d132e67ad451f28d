"""Pieces of the public forms that every app's form uses (the mutuelle's interest form, the
events' registrations): the hidden token against double submission, the checks of names and of
hostile input (invisible control characters), their French messages."""

import copy
import re
import secrets
import unicodedata

from django import forms

from core.fragments import Fragments

TOKEN_MAX_LENGTH = 64
SUBMISSION_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}", re.ASCII)

# Characters that have no place in a name or a message: bidirectional overrides and isolates
# (they make text read differently from what it is), and the byte-order mark.
INVISIBLE_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")
NAME_PUNCTUATION = set(" '’-.")

CONTROL_CHARACTERS = "Ce texte contient des caractères invisibles ou de contrôle : retapez-le sans copier-coller."
NAME_INVALID = "Écrivez seulement des lettres, des espaces, des tirets ou des apostrophes."


def too_long(limit):
    return f"Ce texte est trop long : {limit} caractères au plus."


def has_control_characters(text, *, allow_newlines=False):
    allowed = {"\n", "\r", "\t"} if allow_newlines else set()
    return any(
        (unicodedata.category(char) == "Cc" and char not in allowed) or char in INVISIBLE_CONTROLS for char in text
    )


def clean_person_name(value):
    """A first name or a name as people write them (letters, spaces, dashes, apostrophes), spaces tidied.

    Raises a ValidationError in French for anything else.
    """
    if has_control_characters(value):
        raise forms.ValidationError(CONTROL_CHARACTERS, code="control_characters")
    if not any(unicodedata.category(char).startswith("L") for char in value) or not all(
        unicodedata.category(char)[0] in "LM" or char in NAME_PUNCTUATION for char in value
    ):
        raise forms.ValidationError(NAME_INVALID, code="invalid")
    return " ".join(value.split())


def new_submission_token():
    return secrets.token_urlsafe(32)


def is_submission_token(value):
    return isinstance(value, str) and len(value) <= TOKEN_MAX_LENGTH and bool(SUBMISSION_TOKEN.fullmatch(value))


class SubmissionTokenField(forms.CharField):
    """The hidden token against double submission, generated when the form is shown.

    It never raises: a token that is missing or not one of ours is replaced by a new one (the
    form is then simply not protected against a second click), so a person never sees an
    error about a field they cannot see.
    """

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, strip=True, **kwargs)
        self.validators = []

    def to_python(self, value):
        value = value if isinstance(value, str) else ""
        if is_submission_token(value):
            return value
        return new_submission_token()


class Select(forms.Select):
    """A ``<select>`` of hundreds of options (the agenda's places) whose HTML is kept by its inputs.

    Named as Django's: crispy-forms gives the element the class of the widget's name (« select »).

    Django renders each option through a template: at 500 places, half the agenda's time. The HTML
    is kept (core/fragments.py) under everything it is made of: the options read now (one query, as
    before), the value chosen, the attributes and the templates; another list of options, or another
    choice, is another key.
    """

    rendered = Fragments(max_entries=64)

    def render(self, name, value, attrs=None, renderer=None):
        widget = copy.copy(self)
        widget.choices = [(option, label) for option, label in self.choices]  # read once
        key = (
            type(self),
            self.template_name,
            self.option_template_name,
            type(renderer),
            name,
            tuple(self.format_value(value)),
            tuple(sorted(self.build_attrs(self.attrs, attrs).items())),
            tuple((str(option), str(label)) for option, label in widget.choices),
        )
        return self.rendered.get(key, lambda: forms.Select.render(widget, name, value, attrs, renderer))
