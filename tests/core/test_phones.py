"""Phone numbers read by phonenumbers (core/phones.py): the form field, the model field, the
``tel:`` links, the admin search's prefix, and the migration that stored them in E.164."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import CharField, Value
from django.template import Context, Template

from core.phones import (
    PHONE_INVALID,
    FrenchPhoneNumberField,
    parse_french_phone,
    search_prefix,
    tel_uri,
    validate_french_phone,
)
from mutuelle.models import InterestRequest
from tests.mutuelle.factories import InterestRequestFactory


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("0612345678", "+33612345678"),
        ("+33 (0)6 12 34 56 78", "+33612345678"),
        ("0033 6 12 34 56 78", "+33612345678"),
        ("(06) 12-34-56-78", "+33612345678"),
        ("01 49 80 88 68", "+33149808868"),
        ("0 800 23 13 13", "+33800231313"),
        ("0692 12 34 56", "+262692123456"),  # La Réunion, dialled from France with 10 digits
        ("0590 12 34 56", "+590590123456"),  # Guadeloupe
    ],
)
def test_french_numbers_are_read_however_written(typed, e164):
    assert parse_french_phone(typed).as_e164 == e164


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "12", "3646", "061234567", "06123456789", "+44 20 7946 0958", "+1 212 555 2368", "0" * 31, "06\x0012"],
)
def test_other_text_is_not_a_french_number(typed):
    assert parse_french_phone(typed) is None


def test_the_form_field_returns_a_phone_number_and_refuses_in_french():
    field = FrenchPhoneNumberField(required=False)

    assert field.clean("06.12.34.56.78").as_e164 == "+33612345678"
    assert field.clean("") == ""
    for typed in ("06 12 34 56", "+44 20 7946 0958", "9" * 100_000):
        with pytest.raises(ValidationError) as error:
            field.clean(typed)
        assert error.value.messages == [PHONE_INVALID]


def test_the_model_validator_refuses_a_foreign_or_invalid_number():
    validate_french_phone(parse_french_phone("06 12 34 56 78"))
    for value in ("06 12", "+44 20 7946 0958"):
        with pytest.raises(ValidationError, match="ne semble pas valide"):
            validate_french_phone(value)


@pytest.mark.parametrize(
    ("value", "uri"),
    [
        ("01 49 80 88 68", "+33149808868"),
        ("06.12.34.56.78", "+33612345678"),
        ("15", "15"),
        ("3114", "3114"),
        ("", ""),
    ],
)
def test_tel_links(value, uri):
    assert tel_uri(value) == uri
    assert Template("{% load phones %}{{ value|tel }}").render(Context({"value": value})) == uri


@pytest.mark.parametrize(
    ("typed", "prefix"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("06 12", "+33612"),
        ("06.12.34", "+3361234"),
        ("+33 6 12", "+33612"),
        ("+33 (0)6 12", "+33612"),
        ("0033 6 12", "+33612"),
        ("56 78", "5678"),
        ("061", ""),
        ("Diallo", ""),
        ("MC-AB12", ""),
    ],
)
def test_search_prefix(typed, prefix):
    assert search_prefix(typed) == prefix


@pytest.mark.django_db
def test_a_number_is_stored_in_e164_and_shown_nationally():
    interest_request = InterestRequestFactory(phone="06.12.34.56.78")

    assert InterestRequest.objects.filter(pk=interest_request.pk, phone="+33612345678").exists()
    interest_request.refresh_from_db()
    assert str(interest_request.phone) == "06 12 34 56 78"


def stored_text(model, pk):
    """The column's text as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT phone FROM {model._meta.db_table} WHERE {model._meta.pk.column} = %s", [pk])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_the_migration_rewrites_stored_numbers_in_e164_and_back():
    migration = importlib.import_module("mutuelle.migrations.0007_phone_e164")
    history = InterestRequest.history.model
    rows = {"06 12 34 56 78": "+33612345678", "+33 1 49 80 88 68": "+33149808868", "pas un numéro": "pas un numéro"}
    created = {}
    for text in rows:
        interest_request = InterestRequestFactory()
        # Written as the old CharField stored it, past the new field's conversion.
        as_typed = Value(text, output_field=CharField())
        InterestRequest.objects.filter(pk=interest_request.pk).update(phone=as_typed)
        history.objects.filter(id=interest_request.pk).update(phone=as_typed)
        created[text] = interest_request
    without_phone = InterestRequestFactory(phone="")

    migration.to_e164(apps, None)

    for text, e164 in rows.items():
        assert stored_text(InterestRequest, created[text].pk) == e164
        version = history.objects.filter(id=created[text].pk).get()
        assert stored_text(history, version.pk) == e164
    assert stored_text(InterestRequest, without_phone.pk) == ""

    migration.to_national(apps, None)

    assert stored_text(InterestRequest, created["06 12 34 56 78"].pk) == "06 12 34 56 78"
    assert stored_text(InterestRequest, created["+33 1 49 80 88 68"].pk) == "01 49 80 88 68"
    assert stored_text(InterestRequest, created["pas un numéro"].pk) == "pas un numéro"
