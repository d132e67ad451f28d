"""The orientation form of /mutuelle/eligibilite/: sent by GET, stored nowhere."""

import re
from decimal import Decimal, InvalidOperation

from django import forms

MAX_RESOURCES = Decimal("10000000")  # ten million euros a year: anything above is a typing error
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
        raise ValueError("Écrivez le montant en chiffres, par exemple 12 500 ou 12500,50.")
    try:
        return Decimal(text)
    except InvalidOperation as error:  # pragma: no cover - the pattern above only lets numbers through
        raise ValueError("Écrivez le montant en chiffres, par exemple 12 500 ou 12500,50.") from error


# A text box that opens the digits keypad: unlike type="number", what was typed is sent and shown back as is.
NUMBER_AS_TEXT = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": 5})


class EuroAmountField(forms.CharField):
    """A yearly amount in euros, typed as people write it in French; the typed text is kept on error."""

    def __init__(self, *, max_value=MAX_RESOURCES, **kwargs):
        self.max_value = max_value
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
            raise forms.ValidationError(
                "Ce montant paraît trop élevé : indiquez les ressources d’une année, en euros.", "max_value"
            )
        return amount


class EligibilityForm(forms.Form):
    household_size = forms.IntegerField(
        label="Nombre de personnes dans votre foyer",
        help_text="Vous, votre conjoint(e) s’il y en a un(e), et les personnes à votre charge (par exemple les "
        "enfants de moins de 25 ans qui vivent avec vous).",
        min_value=1,
        max_value=20,
        widget=NUMBER_AS_TEXT,
        error_messages={
            "required": "Indiquez le nombre de personnes de votre foyer (1 si vous vivez seul(e)).",
            "invalid": "Écrivez un nombre entier, par exemple 1, 2 ou 3.",
            "min_value": "Le foyer compte au moins une personne : vous.",
            "max_value": "Au-delà de 20 personnes, appelez le CCAS : il fera le calcul avec vous.",
        },
    )
    yearly_resources = EuroAmountField(
        label="Ressources du foyer sur les 12 derniers mois, en euros",
        help_text="Le total pour tout le foyer : salaires, allocations chômage, pensions, retraites, pensions "
        "alimentaires… Par exemple 12 500 ou 12500,50. Si vous touchez le RSA, vous pouvez laisser vide.",
        required=False,
    )
    age = forms.IntegerField(
        label="Votre âge au 1er janvier de cette année (facultatif)",
        help_text="Il sert seulement à estimer la participation à la CSS, qui dépend de l’âge.",
        required=False,
        min_value=0,
        max_value=120,
        widget=NUMBER_AS_TEXT,
        error_messages={
            "invalid": "Écrivez votre âge en chiffres, par exemple 42.",
            "min_value": "L’âge ne peut pas être négatif.",
            "max_value": "Indiquez un âge entre 0 et 120 ans.",
        },
    )
    receives_rsa = forms.BooleanField(label="Je touche le RSA (revenu de solidarité active)", required=False)

    def clean_household_size(self):
        return self._ascii_number("household_size")

    def clean_age(self):
        return self._ascii_number("age")

    def _ascii_number(self, name):
        """Python's int() reads « ٣ » or « ３ » as 3: keep to the digits the page asks for."""
        typed = (self.data.get(self.add_prefix(name)) or "").strip()
        if typed and not typed.lstrip("-").isascii():
            raise forms.ValidationError(self.fields[name].error_messages["invalid"], "invalid")
        return self.cleaned_data[name]

    def clean(self):
        cleaned_data = super().clean()
        if (
            cleaned_data.get("yearly_resources") is None
            and not cleaned_data.get("receives_rsa")
            and "yearly_resources" not in self.errors
        ):
            self.add_error(
                "yearly_resources",
                forms.ValidationError(
                    "Indiquez les ressources de votre foyer sur les 12 derniers mois (0 si vous n’en avez "
                    "aucune), ou cochez « Je touche le RSA ».",
                    "required",
                ),
            )
        return cleaned_data
