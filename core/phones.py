"""French phone numbers, read by phonenumbers through django-phonenumber-field.

A number is stored in E.164 (« +33612345678 ») and shown in the national form
(« 06 12 34 56 78 », ``PHONENUMBER_DEFAULT_FORMAT``). People type it as they know it: with
spaces, dots or dashes, with +33, 0033 or « +33 (0) ». The CCAS calls people back from a
French line, so only numbers of France (metropolitan and overseas departments) are accepted.

The same parsing serves the forms (``FrenchPhoneNumberField``), the models
(``FrenchPhoneNumberModelField``), the ``tel:`` links and the admin searches (``search_prefix``).
"""

import re

import phonenumbers
from django.core import validators
from django.core.exceptions import ValidationError
from phonenumber_field import formfields, modelfields, widgets
from phonenumber_field.phonenumber import PhoneNumber

PHONE_INVALID = (
    "Ce numéro de téléphone ne semble pas valide : écrivez les 10 chiffres d’un numéro français, "
    "par exemple 06 12 34 56 78 ou +33 6 12 34 56 78."
)
# Metropolitan France first, then the overseas departments, whose numbers are also written
# with 10 digits in France (« 0692 12 34 56 » for La Réunion).
FRENCH_REGIONS = ("FR", "RE", "GP", "MQ", "GF", "YT")
# Longer than any way of writing a number (« +33 (0)6 12 34 56 78 » has 21 characters).
PHONE_INPUT_MAX_LENGTH = 30
# What a search for part of a number may contain, and how many digits it needs at least.
PHONE_LIKE = re.compile(r"[\d\s.\-/()+]+")
SEARCH_MIN_DIGITS = 4


def parse_french_phone(text):
    """The ``PhoneNumber`` that ``text`` writes, if it is a valid French number; else ``None``."""
    text = str(text or "").strip()
    if not text or len(text) > PHONE_INPUT_MAX_LENGTH:
        return None
    for region in FRENCH_REGIONS:
        try:
            number = PhoneNumber.from_string(text, region=region)
        except phonenumbers.NumberParseException:
            return None
        if number.is_valid():
            return number if phonenumbers.region_code_for_number(number) in FRENCH_REGIONS else None
    return None


def tel_uri(value):
    """The number of a ``tel:`` link: E.164 for a full number (« +33149808868 »), the digits of
    a short one as written (« 15 », « 3114 »)."""
    number = value if isinstance(value, PhoneNumber) and value.is_valid() else parse_french_phone(value)
    if number is not None:
        return number.as_e164
    return "".join(char for char in str(value or "") if char.isdigit() or char == "+")


def search_prefix(text):
    """What a stored E.164 number contains when ``text`` is (the start or the end of) a phone
    number: « 06 12 34 56 78 » → « +33612345678 », « 06 12 » → « +33612 », « 0033 6 » → « +336 »,
    « 56 78 » → « 5678 ». Empty when ``text`` does not look like a phone number of 4 digits or more.
    """
    number = parse_french_phone(text)
    if number is not None:
        return number.as_e164
    if not PHONE_LIKE.fullmatch(text):
        return ""
    compact = re.sub(r"[\s.\-/]", "", text).replace("(0)", "")
    digits = re.sub(r"\D", "", compact)
    if len(digits) < SEARCH_MIN_DIGITS:
        return ""
    if compact.startswith("+"):
        return f"+{digits}"
    if digits.startswith("00"):
        return f"+{digits[2:]}"
    if digits.startswith("0"):
        return f"+33{digits[1:]}"
    return digits


class PhoneNumberInput(widgets.RegionalPhoneNumberWidget):
    """A saved number in the national form; text the person typed, as typed (a refused number
    comes back as it was written, to be corrected, not rewritten)."""

    def format_value(self, value):
        if isinstance(value, str):
            return value or None
        return super().format_value(value)


class FrenchPhoneNumberField(formfields.PhoneNumberField):
    """A form field that accepts a French number however it is written, and returns a
    ``PhoneNumber`` (or ``""`` when left empty)."""

    default_validators = []
    widget = PhoneNumberInput

    def __init__(self, *, region="FR", max_length=PHONE_INPUT_MAX_LENGTH, **kwargs):
        kwargs["error_messages"] = {
            **(kwargs.get("error_messages") or {}),
            "invalid": PHONE_INVALID,
            "max_length": PHONE_INVALID,
            "null_characters_not_allowed": PHONE_INVALID,
        }
        super().__init__(region=region, max_length=max_length, **kwargs)
        self.widget.attrs.setdefault("inputmode", "tel")
        self.widget.attrs.setdefault("autocomplete", "tel")

    def to_python(self, value):
        if value in validators.EMPTY_VALUES:
            return self.empty_value
        if isinstance(value, PhoneNumber) and value.is_valid():
            return value
        number = parse_french_phone(value)
        if number is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number

    def run_validators(self, value):
        # The length and null-character checks were made on the text in ``to_python``.
        return None


def validate_french_phone(value):
    """A model validator: the value is a valid French number."""
    if isinstance(value, PhoneNumber) and value.is_valid():
        number = value
    else:
        number = parse_french_phone(getattr(value, "raw_input", None) or value)
    if number is None or phonenumbers.region_code_for_number(number) not in FRENCH_REGIONS:
        raise ValidationError(PHONE_INVALID, code="invalid")


class FrenchPhoneNumberModelField(modelfields.PhoneNumberField):
    """A phone number column in E.164, edited in forms with ``FrenchPhoneNumberField``.

    Its length allows the text of an invalid number, which django-phonenumber-field stores as
    typed (``raw_input``) when a model is saved without its form.
    """

    default_validators = [validate_french_phone]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("region", "FR")
        kwargs.setdefault("max_length", PHONE_INPUT_MAX_LENGTH)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        kwargs.setdefault("form_class", FrenchPhoneNumberField)
        kwargs.setdefault("max_length", PHONE_INPUT_MAX_LENGTH)
        return super().formfield(**kwargs)
