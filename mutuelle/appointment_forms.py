"""The form of ``/mutuelle/rendez-vous/<slug>/``: the events' registration form, with a slot to choose.

The same fields, checks and messages as a registration (``events.registration_forms``): a name,
a way to reach the person, the consent, the honeypot and the token against a second click; plus
the slot (radio buttons, no JavaScript) and, for those who sent an interest request, its reference.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout, Submit
from django import forms
from django.urls import reverse
from django.utils.html import format_html

from core.forms import CONTROL_CHARACTERS, has_control_characters
from events.registration_forms import HONEYPOT_FIELD, RegistrationForm

from .services.appointments import FORM_FIELDS

SLOT_REQUIRED = "Choisissez l’heure de votre rendez-vous."
SLOT_GONE = "Cette heure n’est plus libre : choisissez-en une autre."
REFERENCE_MAX_LENGTH = 20


class AppointmentForm(RegistrationForm):
    """What a person fills in to book a slot; ``appointment_data()`` hands it to ``appointment_book``."""

    field_order = ["slot", "first_name", "last_name", "phone", "email", "request_reference", "consent"]

    slot = forms.ChoiceField(
        label="Choisissez une heure",
        widget=forms.RadioSelect,
        error_messages={"required": SLOT_REQUIRED, "invalid_choice": SLOT_GONE},
    )
    request_reference = forms.CharField(
        label="Référence de votre demande d’information (facultatif)",
        help_text="Si vous avez demandé à être rappelé(e) sur ce site : la référence qui commence par MC, par "
        "exemple MC-7K4P-QX2M. Le conseiller retrouvera votre demande.",
        required=False,
        max_length=REFERENCE_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": str(REFERENCE_MAX_LENGTH)}),
        error_messages={"max_length": "Une référence compte 12 caractères, par exemple MC-7K4P-QX2M."},
    )

    def __init__(self, *args, event, slots, **kwargs):
        self.slots = slots
        super().__init__(*args, event=event, **kwargs)
        # One person per appointment; the needs are for the events' organisers.
        for name in [name for name in self.fields if name == "places" or name.startswith("needs_")]:
            del self.fields[name]
        self.order_fields(self.field_order)
        self.fields["slot"].choices = [(slot.value, slot.label) for slot in slots if slot.free]
        self.fields["email"].help_text = (
            "Par exemple nom@exemple.fr. Vous recevrez la confirmation avec les papiers à apporter, un rappel deux "
            "jours avant et un lien pour annuler."
        )
        self.fields["consent"].label = format_html(
            'J’ai lu <a href="{}">comment le CCAS utilise mes données</a> et j’accepte qu’il les garde pour '
            "organiser ce rendez-vous et me prévenir s’il change.",
            reverse("privacy") + "#rendez-vous",
        )
        self.fields["consent"].error_messages["required"] = (
            "Cochez cette case pour prendre rendez-vous : sans votre accord, nous ne pouvons pas garder votre "
            "rendez-vous."
        )

    def build_helper(self):
        helper = FormHelper(self)
        helper.form_method = "post"
        helper.form_action = reverse("mutuelle:appointment_book", kwargs={"slug": self.event.slug})
        helper.form_id = "formulaire-rendez-vous"
        helper.attrs = {"novalidate": ""}
        helper.layout = Layout(
            Fieldset("Votre heure", "slot"),
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
            Fieldset("Votre demande", "request_reference"),
            Fieldset("Votre accord", "consent"),
            "submission_token",
            Div(HONEYPOT_FIELD, css_class="visually-hidden"),
        )
        helper.add_input(Submit("envoyer", "Prendre ce rendez-vous", css_class="btn-lg"))
        return helper

    def clean_request_reference(self):
        value = self.cleaned_data["request_reference"]
        if has_control_characters(value):
            raise forms.ValidationError(CONTROL_CHARACTERS, code="control_characters")
        return " ".join(value.split())

    def appointment_data(self):
        data = {name: self.cleaned_data.get(name) for name in FORM_FIELDS}
        data["request_reference"] = self.cleaned_data.get("request_reference", "")
        data["submission_token"] = self.cleaned_data["submission_token"]
        return data
