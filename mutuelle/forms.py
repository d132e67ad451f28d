"""The public interest form of /mutuelle/demande/ (issue 4, item 3).

It asks for what an adviser needs to call back, and nothing more: no social-security number,
no health details, no income. Every limit shown in the page (``maxlength``, ``min``/``max``)
is checked again here, and hostile input (huge, NUL bytes, invisible control characters) ends
as a French error next to the field, never as a server error.
"""

import datetime
import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout, Submit
from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from core.forms import (  # noqa: F401 (SUBMISSION_TOKEN and the rest are read from here by the views and tests)
    CONTROL_CHARACTERS,
    SUBMISSION_TOKEN,
    TOKEN_MAX_LENGTH,
    SubmissionTokenField,
    clean_person_name,
    has_control_characters,
    new_submission_token,
    too_long,
)
from core.phones import FrenchPhoneNumberField

from .enums import ContactMethod, ContactTime, CurrentCover, Situation
from .models import PUBLIC_FORM_FIELDS

CRETEIL_POSTAL_CODE = "94000"
MAX_AGE = 120
MAX_HOUSEHOLD_SIZE = 20
MESSAGE_MAX_LENGTH = 2000
NAME_MAX_LENGTH = 100
EMAIL_MAX_LENGTH = 254
POSTAL_CODE_INPUT_MAX_LENGTH = 10  # « 94 000 »
DATE_INPUT_MAX_LENGTH = 10  # « 1980-03-12 » or « 12/03/1980 »
NUMBER_INPUT_MAX_LENGTH = 3
HONEYPOT_FIELD = "site_internet"
# The query parameter that brings the household size from the orientation (« ?foyer=3 »): the size only.
PREFILL_HOUSEHOLD = "foyer"
HONEYPOT_MAX_LENGTH = 200

BIRTH_DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]
CONTACT_REQUIRED = "Indiquez un téléphone ou une adresse électronique pour que nous puissions vous rappeler."
POSTAL_CODE_INVALID = "Écrivez le code postal en 5 chiffres, par exemple 94000."
POSTAL_CODE_OUTSIDE = (
    "La mutuelle communale de Créteil est réservée aux habitants de Créteil (94000). Si vous habitez une autre "
    "commune, renseignez-vous auprès de sa mairie ou de son CCAS : beaucoup proposent aussi une mutuelle communale."
)


def years_between(start, end):
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


class BirthDateInput(forms.DateInput):
    """A native date picker that also shows again a date typed as 12/03/1980 (kept on error)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")

    def format_value(self, value):
        if isinstance(value, str):
            for date_format in BIRTH_DATE_FORMATS[1:]:
                try:
                    return datetime.datetime.strptime(value.strip(), date_format).date().isoformat()
                except ValueError:
                    continue
            return value
        return super().format_value(value)


class LimitedLengthMixin:
    """Refuses raw input longer than ``input_max_length`` before any parsing (dates, numbers)."""

    input_max_length = None

    def to_python(self, value):
        if isinstance(value, str) and self.input_max_length and len(value) > self.input_max_length:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class BirthDateField(LimitedLengthMixin, forms.DateField):
    input_max_length = DATE_INPUT_MAX_LENGTH


class HouseholdSizeField(LimitedLengthMixin, forms.IntegerField):
    input_max_length = NUMBER_INPUT_MAX_LENGTH


class InterestRequestForm(forms.Form):
    """What a person fills in; ``request_data()`` hands the cleaned values to ``request_create``.

    A plain form, not a ModelForm: it saves nothing itself, and every rule the model holds
    (lengths, choices, household size, a way to reach the person) is checked here, in French.
    The fields are in the order of the page (``field_order``), so the error summary lists the
    mistakes in the order the person meets them.
    """

    field_order = [
        "first_name",
        "last_name",
        "birth_date",
        "postal_code",
        "phone",
        "email",
        "contact_method",
        "contact_time",
        "household_size",
        "current_cover",
        "situation",
        "message",
        "consent",
    ]

    first_name = forms.CharField(
        label="Prénom",
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={
            "required": "Indiquez votre prénom.",
            "max_length": too_long(NAME_MAX_LENGTH),
            "null_characters_not_allowed": CONTROL_CHARACTERS,
        },
    )
    last_name = forms.CharField(
        label="Nom",
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
        error_messages={
            "required": "Indiquez votre nom.",
            "max_length": too_long(NAME_MAX_LENGTH),
            "null_characters_not_allowed": CONTROL_CHARACTERS,
        },
    )
    phone = FrenchPhoneNumberField(label="Téléphone", help_text="Par exemple 06 12 34 56 78.", required=False)
    email = forms.EmailField(
        label="Adresse électronique",
        help_text="Par exemple nom@exemple.fr. Vous recevrez une confirmation de votre demande.",
        required=False,
        max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "invalid": "Cette adresse électronique ne semble pas valide : elle s’écrit comme nom@exemple.fr.",
            "max_length": too_long(EMAIL_MAX_LENGTH),
            "null_characters_not_allowed": CONTROL_CHARACTERS,
        },
    )
    postal_code = forms.CharField(
        label="Code postal de votre domicile",
        help_text="La mutuelle communale est réservée aux habitants de Créteil (94000).",
        max_length=POSTAL_CODE_INPUT_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
        error_messages={
            "required": "Indiquez le code postal de votre domicile.",
            "max_length": POSTAL_CODE_INVALID,
            "null_characters_not_allowed": POSTAL_CODE_INVALID,
        },
    )
    birth_date = BirthDateField(
        label="Date de naissance (facultatif)",
        help_text="Le prix de la mutuelle dépend de l’âge. Par exemple 12/03/1980.",
        required=False,
        input_formats=BIRTH_DATE_FORMATS,
        widget=BirthDateInput(attrs={"autocomplete": "bday"}),
        error_messages={"invalid": "Écrivez votre date de naissance sous la forme jj/mm/aaaa, par exemple 12/03/1980."},
    )
    household_size = HouseholdSizeField(
        label="Nombre de personnes dans votre foyer (facultatif)",
        help_text="Vous compris : 1 si vous vivez seul(e).",
        required=False,
        min_value=1,
        max_value=MAX_HOUSEHOLD_SIZE,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": "Écrivez un nombre entier, par exemple 1, 2 ou 3.",
            "min_value": "Le foyer compte au moins une personne : vous.",
            "max_value": f"Indiquez un nombre entre 1 et {MAX_HOUSEHOLD_SIZE}. Au-delà, appelez le CCAS.",
        },
    )
    current_cover = forms.ChoiceField(
        label="Votre complémentaire santé aujourd’hui (facultatif)",
        required=False,
        choices=[("", "Je préfère ne pas répondre"), *CurrentCover.choices],
        error_messages={"invalid_choice": "Choisissez une réponse dans la liste."},
    )
    situation = forms.ChoiceField(
        label="Votre situation (facultatif)",
        required=False,
        choices=[("", "Je préfère ne pas répondre"), *Situation.choices],
        error_messages={"invalid_choice": "Choisissez une réponse dans la liste."},
    )
    contact_method = forms.ChoiceField(
        label="Comment préférez-vous être contacté(e) ?",
        choices=ContactMethod.choices,
        initial=ContactMethod.PHONE,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez comment vous préférez être contacté(e).",
            "invalid_choice": "Choisissez comment vous préférez être contacté(e).",
        },
    )
    contact_time = forms.ChoiceField(
        label="À quel moment ?",
        choices=ContactTime.choices,
        initial=ContactTime.ANY,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez le moment qui vous convient le mieux.",
            "invalid_choice": "Choisissez le moment qui vous convient le mieux.",
        },
    )
    message = forms.CharField(
        label="Votre message (facultatif)",
        help_text=(
            f"{MESSAGE_MAX_LENGTH} caractères au plus. N’écrivez pas d’information sur votre santé : "
            "le conseiller n’en a pas besoin."
        ),
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "max_length": too_long(MESSAGE_MAX_LENGTH),
            "null_characters_not_allowed": CONTROL_CHARACTERS,
        },
    )
    consent = forms.BooleanField(
        label="",  # set in __init__: it links to the information notice
        error_messages={
            "required": "Cochez cette case pour envoyer votre demande : sans votre accord, nous ne pouvons pas "
            "vous rappeler."
        },
    )
    submission_token = SubmissionTokenField()
    site_internet = forms.CharField(
        label="Ne remplissez pas ce champ : il sert à repérer les envois automatiques.",
        required=False,
        max_length=HONEYPOT_MAX_LENGTH,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        privacy_url = reverse("privacy") + "#mutuelle"
        self.fields["consent"].label = format_html(
            'J’ai lu <a href="{}">comment le CCAS utilise mes données</a> et j’accepte qu’il les utilise pour '
            "me recontacter au sujet de la mutuelle communale.",
            privacy_url,
        )
        if not self.is_bound and not self.initial.get("submission_token"):
            self.initial["submission_token"] = new_submission_token()
        today = timezone.localdate()
        self.fields["birth_date"].widget.attrs.update(
            {"min": today.replace(year=today.year - MAX_AGE).isoformat(), "max": today.isoformat()}
        )
        # A maxlength on every text field, and min/max where the browser shows a picker.
        for name in ("first_name", "last_name", "postal_code", "phone", "message"):
            self.fields[name].widget.attrs.setdefault("maxlength", str(self.fields[name].max_length))
        self.fields["household_size"].widget.attrs.update({"min": "1", "max": str(MAX_HOUSEHOLD_SIZE)})
        self.helper = self.build_helper()

    @classmethod
    def household_size_from(cls, query):
        """The household size brought by the orientation's link (``?foyer=3``), or None if absent or not one."""
        typed = query.get(PREFILL_HOUSEHOLD, "")
        if not (typed.isascii() and typed.isdigit() and len(typed) <= NUMBER_INPUT_MAX_LENGTH):
            return None
        size = int(typed)
        return size if 1 <= size <= MAX_HOUSEHOLD_SIZE else None

    def build_helper(self):
        helper = FormHelper(self)
        helper.form_method = "post"
        helper.form_action = reverse("mutuelle:request")
        helper.form_id = "formulaire-demande"
        helper.attrs = {"novalidate": ""}
        helper.layout = Layout(
            Fieldset("Vous", "first_name", "last_name", "birth_date", "postal_code"),
            Fieldset(
                "Vous joindre",
                HTML(
                    '<p class="form-text mb-3" id="aide-contact">Indiquez au moins un téléphone ou une adresse '
                    "électronique.</p>"
                ),
                "phone",
                "email",
                "contact_method",
                "contact_time",
            ),
            Fieldset("Votre situation", "household_size", "current_cover", "situation", "message"),
            Fieldset("Votre accord", "consent"),
            "submission_token",
            # The honeypot: off-screen, out of the tab order, never autofilled. People do not see it.
            Div(HONEYPOT_FIELD, css_class="visually-hidden"),
        )
        helper.add_input(Submit("envoyer", "Envoyer ma demande", css_class="btn-lg"))
        return helper

    # --- fields -----------------------------------------------------------------------------

    def _clean_name(self, name):
        return clean_person_name(self.cleaned_data[name])

    def clean_first_name(self):
        return self._clean_name("first_name")

    def clean_last_name(self):
        return self._clean_name("last_name")

    def clean_email(self):
        return self.cleaned_data["email"] or ""

    def clean_postal_code(self):
        value = re.sub(r"\s", "", self.cleaned_data["postal_code"])
        if not re.fullmatch(r"[0-9]{5}", value, re.ASCII):
            raise forms.ValidationError(POSTAL_CODE_INVALID, code="invalid")
        if value != CRETEIL_POSTAL_CODE:
            raise forms.ValidationError(POSTAL_CODE_OUTSIDE, code="outside_creteil")
        return value

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if value is None:
            return None
        today = timezone.localdate()
        if value > today:
            raise forms.ValidationError("La date de naissance ne peut pas être dans le futur.", code="future")
        if years_between(value, today) > MAX_AGE:
            raise forms.ValidationError(
                f"Vérifiez l’année de naissance : elle donne un âge de plus de {MAX_AGE} ans.", code="too_old"
            )
        return value

    def clean_household_size(self):
        typed = (self.data.get(self.add_prefix("household_size")) or "").strip()
        if typed and not typed.isascii():  # int() would read « ３ » or « ٣ » as 3
            raise forms.ValidationError(self.fields["household_size"].error_messages["invalid"], code="invalid")
        return self.cleaned_data["household_size"]

    def clean_message(self):
        value = self.cleaned_data["message"]
        if has_control_characters(value, allow_newlines=True):
            raise forms.ValidationError(CONTROL_CHARACTERS, code="control_characters")
        return value

    def clean(self):
        cleaned_data = super().clean()
        phone, email = cleaned_data.get("phone"), cleaned_data.get("email")
        contact_errors = "phone" in self.errors or "email" in self.errors
        if not contact_errors and not phone and not email:
            self.add_error("phone", forms.ValidationError(CONTACT_REQUIRED, code="contact_required"))
        elif not contact_errors:
            method = cleaned_data.get("contact_method")
            if method == ContactMethod.EMAIL and not email:
                self.add_error(
                    "email",
                    forms.ValidationError(
                        "Vous préférez un courriel : indiquez votre adresse électronique, ou choisissez le téléphone.",
                        code="email_required",
                    ),
                )
            elif method == ContactMethod.PHONE and not phone:
                self.add_error(
                    "phone",
                    forms.ValidationError(
                        "Vous préférez un appel : indiquez votre numéro de téléphone, ou choisissez le courriel.",
                        code="phone_required",
                    ),
                )
        return cleaned_data

    @property
    def honeypot_filled(self):
        return bool((self.data.get(self.add_prefix(HONEYPOT_FIELD)) or "").strip())

    def request_data(self):
        """The cleaned values that the service stores, consent and token included."""
        data = {name: self.cleaned_data[name] for name in PUBLIC_FORM_FIELDS}
        data["submission_token"] = self.cleaned_data["submission_token"]
        data["consent"] = self.cleaned_data["consent"]
        return data
