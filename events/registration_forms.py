"""The public form of ``/agenda/<slug>/inscription/`` and the agents' form for a registration by phone.

What the organisers need and nothing more: a name to call out, a way to reach the person, the
places, what to prepare for. No health detail is asked: the needs are three boxes. Every limit
shown in the page is checked again here; hostile input ends as a French error next to the field.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout, Submit
from django import forms
from django.urls import reverse
from django.utils.html import format_html

from core.forms import (
    CONTROL_CHARACTERS,
    SubmissionTokenField,
    clean_person_name,
    new_submission_token,
    too_long,
)
from core.phones import FrenchPhoneNumberField

from .enums import RegistrationNeed
from .registrations import FORM_FIELDS

NAME_MAX_LENGTH = 100
EMAIL_MAX_LENGTH = 254
HONEYPOT_FIELD = "site_internet"
HONEYPOT_MAX_LENGTH = 200
CONTACT_REQUIRED = (
    "Indiquez un téléphone ou une adresse électronique, pour que nous puissions vous prévenir si l’événement change."
)


class RegistrationForm(forms.Form):
    """What a person fills in; ``registration_data()`` hands the cleaned values to ``registration_create``.

    Built for one event: the places asked only when the event lets a family register together,
    the needs only when the event asks them.
    """

    field_order = [
        "first_name",
        "last_name",
        "phone",
        "email",
        "places",
        "needs_fauteuil",
        "needs_lsf",
        "needs_accompagnant",
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
        help_text="Par exemple nom@exemple.fr. Vous recevrez la confirmation, un rappel deux jours avant et un "
        "lien pour annuler.",
        required=False,
        max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "invalid": "Cette adresse électronique ne semble pas valide : elle s’écrit comme nom@exemple.fr.",
            "max_length": too_long(EMAIL_MAX_LENGTH),
            "null_characters_not_allowed": CONTROL_CHARACTERS,
        },
    )
    places = forms.TypedChoiceField(label="Nombre de places", coerce=int, empty_value=1, required=False)
    needs_fauteuil = forms.BooleanField(label=RegistrationNeed.WHEELCHAIR.label, required=False)
    needs_lsf = forms.BooleanField(label=RegistrationNeed.SIGN_LANGUAGE.label, required=False)
    needs_accompagnant = forms.BooleanField(
        label=RegistrationNeed.CARER.label,
        required=False,
        help_text="Comptez votre accompagnant dans le nombre de places.",
    )
    consent = forms.BooleanField(
        label="",  # set in __init__: it links to the information notice
        error_messages={
            "required": "Cochez cette case pour vous inscrire : sans votre accord, nous ne pouvons pas garder "
            "votre inscription."
        },
    )
    submission_token = SubmissionTokenField()
    site_internet = forms.CharField(
        label="Ne remplissez pas ce champ : il sert à repérer les envois automatiques.",
        required=False,
        max_length=HONEYPOT_MAX_LENGTH,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["consent"].label = format_html(
            'J’ai lu <a href="{}">comment le CCAS utilise mes données</a> et j’accepte qu’il les garde pour '
            "organiser cet événement et me prévenir s’il change.",
            reverse("privacy") + "#inscriptions",
        )
        if not self.is_bound and not self.initial.get("submission_token"):
            self.initial["submission_token"] = new_submission_token()
        maximum = event.registration_max_places
        if maximum > 1:
            self.fields["places"].choices = [(number, str(number)) for number in range(1, maximum + 1)]
            self.fields["places"].help_text = f"Vous compris, {maximum} au plus."
            self.fields["places"].error_messages["invalid_choice"] = f"Choisissez un nombre de 1 à {maximum}."
        else:
            del self.fields["places"]
        if not event.registration_asks_needs:
            for need in RegistrationNeed:
                del self.fields[f"needs_{need.value}"]
        for name in ("first_name", "last_name", "phone"):
            self.fields[name].widget.attrs.setdefault("maxlength", str(self.fields[name].max_length))
        self.helper = self.build_helper()

    def build_helper(self):
        helper = FormHelper(self)
        helper.form_method = "post"
        helper.form_action = self.event.get_registration_url()
        helper.form_id = "formulaire-inscription"
        helper.attrs = {"novalidate": ""}
        sections = [
            Fieldset("Vous", "first_name", "last_name"),
            Fieldset(
                "Vous joindre",
                HTML(
                    '<p class="form-text mb-3" id="aide-contact">Indiquez au moins un téléphone ou une adresse '
                    "électronique.</p>"
                ),
                "phone",
                "email",
            ),
        ]
        if "places" in self.fields:
            sections.append(Fieldset("Combien serez-vous ?", "places"))
        if "needs_fauteuil" in self.fields:
            sections.append(
                Fieldset(
                    "Pour vous accueillir (facultatif)",
                    HTML('<p class="form-text mb-3">Cochez ce que les organisateurs doivent prévoir pour vous.</p>'),
                    *(f"needs_{need.value}" for need in RegistrationNeed),
                )
            )
        sections.append(Fieldset("Votre accord", "consent"))
        helper.layout = Layout(
            *sections,
            "submission_token",
            # The honeypot: off-screen, out of the tab order, never autofilled. People do not see it.
            Div(HONEYPOT_FIELD, css_class="visually-hidden"),
        )
        helper.add_input(Submit("envoyer", "M’inscrire", css_class="btn-lg"))
        return helper

    def clean_first_name(self):
        return clean_person_name(self.cleaned_data["first_name"])

    def clean_last_name(self):
        return clean_person_name(self.cleaned_data["last_name"])

    def clean_email(self):
        return self.cleaned_data["email"] or ""

    def clean(self):
        cleaned_data = super().clean()
        contact_errors = "phone" in self.errors or "email" in self.errors
        if not contact_errors and not cleaned_data.get("phone") and not cleaned_data.get("email"):
            self.add_error("phone", forms.ValidationError(CONTACT_REQUIRED, code="contact_required"))
        return cleaned_data

    @property
    def honeypot_filled(self):
        return bool((self.data.get(self.add_prefix(HONEYPOT_FIELD)) or "").strip())

    def registration_data(self):
        data = {name: self.cleaned_data.get(name) for name in FORM_FIELDS if name in self.cleaned_data}
        data["places"] = self.cleaned_data.get("places") or 1
        data["submission_token"] = self.cleaned_data["submission_token"]
        return data

    @classmethod
    def kept_values(cls, post):
        """What was typed, to show again on a page that cannot take it now (rate limit, full, closed)."""
        kept = {}
        for name, field in cls.base_fields.items():
            if name in (HONEYPOT_FIELD, "consent") or name not in post:
                continue
            limit = getattr(field, "max_length", None) or 100
            kept[name] = post.get(name, "")[:limit].replace("\x00", "")
        return kept
