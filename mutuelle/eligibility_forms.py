"""The orientation form of /mutuelle/eligibilite/: sent by POST, stored nowhere.

The household is given as its members' ages (up to ``MAX_MEMBERS`` boxes, the others left
empty: no JavaScript needed), its resources by the month and by kind, or as a yearly total.
"""

import re
from decimal import Decimal, InvalidOperation

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout, Submit
from django import forms
from django.urls import reverse

from .eligibility import MONTHS, RESOURCE_KINDS

MAX_MEMBERS = 8
MAX_YEARLY = Decimal("10000000")  # ten million euros a year: anything above is a typing error
MAX_MONTHLY = Decimal("1000000")
MAX_AMOUNT_LENGTH = 30

# Spaces people (and spreadsheets) put between thousands: normal, no-break, narrow no-break, thin.
THOUSANDS_SPACES = re.compile(r"[ \u00a0\u202f\u2009]")
# « 12.500 » and « 1.234.567 »: dots between groups of three digits are thousands separators in French.
DOTTED_THOUSANDS = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+", re.ASCII)
AMOUNT = re.compile(r"[0-9]+(?:\.[0-9]{1,2})?", re.ASCII)


def parse_euros(text):
    """« 12 500 », « 12500,50 », « 12.500 € » → Decimal; ValueError with a French message otherwise."""
    text = THOUSANDS_SPACES.sub("", text.strip())
    text = re.sub(r"(€|euros?)$", "", text, flags=re.IGNORECASE)
    if text.startswith("-"):
        raise ValueError("Le montant ne peut pas être négatif. Indiquez 0 si le foyer n’a aucune ressource.")
    if "," in text:
        text = text.replace(".", "").replace(",", ".", 1)  # « 12.500,50 »: dots group thousands
    elif DOTTED_THOUSANDS.fullmatch(text):
        text = text.replace(".", "")
    if not AMOUNT.fullmatch(text):
        raise ValueError("Écrivez le montant en chiffres, par exemple 1 250 ou 1250,50.")
    try:
        return Decimal(text)
    except InvalidOperation as error:  # pragma: no cover - the pattern above only lets numbers through
        raise ValueError("Écrivez le montant en chiffres, par exemple 1 250 ou 1250,50.") from error


# A text box that opens the digits keypad: unlike type="number", what was typed is sent and shown back as is.
def number_as_text():
    return forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": 3})


class EuroAmountField(forms.CharField):
    """An amount in euros, typed as people write it in French; the typed text is kept on error."""

    def __init__(self, *, max_value=MAX_YEARLY, too_high="", **kwargs):
        self.max_value = max_value
        self.too_high = too_high or "Ce montant paraît trop élevé : vérifiez-le."
        # No max_length: CharField's validator would run on the Decimal; the length is checked in to_python.
        attrs = {"inputmode": "decimal", "autocomplete": "off", "maxlength": MAX_AMOUNT_LENGTH}
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if len(value) > MAX_AMOUNT_LENGTH:
            raise forms.ValidationError(
                f"Ce montant est trop long ({MAX_AMOUNT_LENGTH} caractères au plus) : écrivez-le en chiffres.",
                "too_long",
            )
        try:
            amount = parse_euros(value)
        except ValueError as error:
            raise forms.ValidationError(str(error), "invalid") from error
        if amount > self.max_value:
            raise forms.ValidationError(self.too_high, "max_value")
        return amount


def age_field(position):
    you = position == 1
    return forms.IntegerField(
        # Short labels, on one line in the two columns of a phone; the group's legend says « âge ».
        label="Votre âge" if you else f"Personne {position}",
        required=you,
        min_value=0,
        max_value=120,
        widget=number_as_text(),
        error_messages={
            "required": "Indiquez votre âge au 1er janvier, en chiffres, par exemple 42.",
            "invalid": "Écrivez l’âge en chiffres, par exemple 42 (0 pour un bébé de moins d’un an).",
            "min_value": "L’âge ne peut pas être négatif.",
            "max_value": "Indiquez un âge entre 0 et 120 ans.",
        },
    )


MONTHLY_TOO_HIGH = "Ce montant paraît trop élevé pour un mois : indiquez ce que le foyer touche par mois, en euros."
MONTHLY_HELP = {
    "salaries": "Les salaires nets de tout le foyer, avant impôt sur le revenu.",
    "pensions": "Retraites, pensions d’invalidité, pensions alimentaires reçues.",
    "unemployment": "Les allocations de France Travail (ex-Pôle emploi).",
    "other": "Par exemple les revenus d’une activité indépendante, des loyers perçus, des indemnités journalières.",
}
AGE_NAMES = [f"age_{position}" for position in range(1, MAX_MEMBERS + 1)]
MONTHLY_NAMES = [kind for kind, _ in RESOURCE_KINDS]
# The names of the old form sent by GET (household size, income, age in the address).
OLD_GET_NAMES = ("household_size", "yearly_resources", "age", "receives_rsa")


class EligibilityForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for position, name in enumerate(AGE_NAMES, start=1):
            self.fields[name] = age_field(position)
        for kind, label in RESOURCE_KINDS:
            self.fields[kind] = EuroAmountField(
                label=f"{label}, par mois",
                help_text=MONTHLY_HELP[kind],
                required=False,
                max_value=MAX_MONTHLY,
                too_high=MONTHLY_TOO_HIGH,
            )
        self.fields["yearly_total"] = EuroAmountField(
            label="Ou bien : le total du foyer sur 12 mois",
            help_text="Seulement si vous connaissez ce total et n’avez pas rempli les montants par mois.",
            required=False,
            too_high="Ce montant paraît trop élevé : indiquez les ressources d’une année, en euros.",
        )
        self.fields["receives_rsa"] = forms.BooleanField(
            label="Je touche le RSA (revenu de solidarité active)", required=False
        )
        self.fields["current_premium"] = EuroAmountField(
            label="Ce que le foyer paie aujourd’hui pour sa complémentaire santé, par mois (facultatif)",
            help_text="Pour calculer ce que vous économiseriez en un an. Laissez vide si vous n’en avez pas.",
            required=False,
            max_value=Decimal(10000),
            too_high="Ce montant paraît trop élevé pour un mois : vérifiez-le.",
        )
        self.helper = self.build_helper()

    def build_helper(self):
        helper = FormHelper(self)
        helper.form_method = "post"
        helper.form_action = reverse("mutuelle:eligibility") + "#resultat"
        helper.form_id = "formulaire-orientation"
        helper.attrs = {"novalidate": ""}
        helper.disable_csrf = True  # the view stores and changes nothing: see its docstring
        helper.layout = Layout(
            Fieldset(
                "L’âge de chaque personne du foyer",
                HTML(
                    '<p class="form-text mb-3">Leur âge au 1er janvier de cette année, une case par personne : '
                    "vous, votre conjoint(e) s’il y en a un(e), et les personnes à votre charge (par exemple les "
                    "enfants de moins de 25 ans qui vivent avec vous). Laissez vides les cases en trop. Plus de "
                    f"{MAX_MEMBERS} personnes ? Appelez le CCAS : il fera le calcul avec vous.</p>"
                ),
                Div(*(Div(name, css_class="col-6 col-md-3") for name in AGE_NAMES), css_class="row g-3"),
            ),
            Fieldset(
                "Les ressources de votre foyer, par mois",
                HTML(
                    '<p class="form-text mb-3">Ce que tout le foyer touche en moyenne par mois, en euros, par '
                    "exemple 1 250 ou 1250,50. Laissez vide ce que personne ne touche. Nous comptons 12 mois.</p>"
                ),
                *MONTHLY_NAMES,
                "yearly_total",
                "receives_rsa",
            ),
            Fieldset("Votre complémentaire santé aujourd’hui", "current_premium"),
        )
        helper.add_input(Submit("calculer", "Voir le résultat", css_class="btn-lg"))
        return helper

    def _ascii_number(self, name):
        """Python's int() reads « ٣ » or « ３ » as 3: keep to the digits the page asks for."""
        typed = self.data.get(self.add_prefix(name)) or ""
        typed = typed.strip() if isinstance(typed, str) else ""
        if typed and not typed.lstrip("-").isascii():
            raise forms.ValidationError(self.fields[name].error_messages["invalid"], "invalid")

    def clean(self):
        cleaned_data = super().clean()
        for name in AGE_NAMES:
            if name not in self.errors:
                try:
                    self._ascii_number(name)
                except forms.ValidationError as error:
                    self.add_error(name, error)
        monthly_errors = any(name in self.errors for name in MONTHLY_NAMES)
        monthly = {name: cleaned_data.get(name) for name in MONTHLY_NAMES if cleaned_data.get(name) is not None}
        yearly_total = cleaned_data.get("yearly_total")
        if not monthly_errors and "yearly_total" not in self.errors:
            if monthly and yearly_total is not None and yearly_total != sum(monthly.values()) * MONTHS:
                self.add_error(
                    "yearly_total",
                    forms.ValidationError(
                        "Vous avez indiqué des montants par mois et un total sur 12 mois qui ne correspondent pas : "
                        "videz cette case (les montants par mois suffisent), ou videz les montants par mois.",
                        "both",
                    ),
                )
            elif not monthly and yearly_total is None and not cleaned_data.get("receives_rsa"):
                self.add_error(
                    MONTHLY_NAMES[0],
                    forms.ValidationError(
                        "Indiquez les ressources du foyer par mois (0 si le foyer n’en a aucune), ou leur total sur "
                        "12 mois, ou cochez « Je touche le RSA ».",
                        "required",
                    ),
                )
        return cleaned_data

    def estimate_arguments(self):
        """What ``eligibility.estimate`` needs, from a valid form."""
        data = self.cleaned_data
        monthly = {name: data[name] for name in MONTHLY_NAMES if data.get(name) is not None}
        yearly_total = data.get("yearly_total")
        return {
            "ages": [data[name] for name in AGE_NAMES if data.get(name) is not None],
            "monthly": {} if yearly_total is not None and not monthly else monthly,
            "yearly_total": None if monthly else yearly_total,
            "receives_rsa": bool(data.get("receives_rsa")),
            "current_premium": data.get("current_premium"),
        }
