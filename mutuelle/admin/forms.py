"""The forms of the interest requests' admin: the add form (a request taken by phone or at the
counter) and the change form, with their fieldsets' field lists."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from import_export.forms import ExportForm

from ..enums import ERASED_STATUS, RequestSource, RequestStatus
from ..models import FollowUpNote, InterestRequest
from ..permissions import mutuelle_agents
from ..resources import FrenchExcelCSV
from ..services.requests import NOTICE_NOT_READ

PERSON_FIELDS = ["last_name", "first_name", "birth_date", "postal_code", "household_size"]
CONTACT_FIELDS = ["phone", "email", "contact_method", "contact_time"]
SITUATION_FIELDS = ["current_cover", "situation", "message"]


def agent_label(user):
    return user.get_full_name() or user.get_username()


class AgentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return agent_label(obj)


class InterestRequestAdminForm(forms.ModelForm):
    """The add form (a request taken by phone or at the counter) and the change form.

    « Formulaire du site » is never offered as an origin: only the public form creates those
    requests, with the person's consent. The agent list holds the team (and the current agent).
    The status list holds the current status and those the workflow allows from it
    (``RequestStatus.next_statuses``); a status posted anyway is refused by ``InterestRequest.clean()``.
    « Anonymisée » is never offered: only the erasure leads there.
    On the add form (a person who phoned or came to the counter) the agent ticks that the
    information notice was read to the person: the request is not recorded without it.
    """

    notice_read = forms.BooleanField(
        label="J’ai lu à la personne la notice d’information sur ses données",
        help_text=(
            "Obligatoire : à quoi servent ses données, qui les voit, combien de temps elles sont gardées, ses droits."
        ),
        error_messages={"required": NOTICE_NOT_READ},
    )

    class Meta:
        model = InterestRequest
        fields = [*PERSON_FIELDS, *CONTACT_FIELDS, *SITUATION_FIELDS, "status", "assigned_to", "source"]
        field_classes = {"assigned_to": AgentChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "source" in self.fields:
            self.fields["source"].choices = [
                choice for choice in RequestSource.choices if choice[0] != RequestSource.WEBSITE
            ]
            self.fields["source"].help_text = "Comment la personne a fait sa demande."
        if self.instance.pk is not None:
            self.fields.pop("notice_read", None)
        if "status" in self.fields:
            if self.instance.pk is None:
                offered = [status for status in RequestStatus if status != ERASED_STATUS]
            else:
                current = RequestStatus(self.instance.status)
                offered = [current, *current.next_statuses]
                allowed = ", ".join(f"« {status.label} »" for status in current.next_statuses) or "aucun"
                self.fields["status"].help_text = f"Possibles depuis « {current.label} » : {allowed}."
            self.fields["status"].choices = [(status.value, status.label) for status in offered]
        if "assigned_to" in self.fields:
            agents = get_user_model().objects.filter(pk__in=mutuelle_agents().values("pk"))
            if self.instance.assigned_to_id:
                agents = get_user_model().objects.filter(
                    Q(pk__in=agents.values("pk")) | Q(pk=self.instance.assigned_to_id)
                )
            self.fields["assigned_to"].queryset = agents.order_by("first_name", "last_name", "username")

    def clean(self):
        cleaned_data = super().clean()
        # The database refuses a request without any contact; say it in the form rather than fail.
        contact_fields = [name for name in ("phone", "email") if name in self.fields]
        if contact_fields and not any(cleaned_data.get(name) for name in contact_fields):
            raise forms.ValidationError(
                "Indiquez au moins un moyen de joindre la personne : téléphone ou adresse électronique."
            )
        return cleaned_data


class FollowUpNoteForm(forms.ModelForm):
    """A new follow-up note; « Contact noté » makes it the record of a contact with the person,
    dated (now when the date is left empty). Saved by ``services.followup.note_add``."""

    contact_noted = forms.BooleanField(
        label="contact noté",
        required=False,
        help_text="Cochez si vous avez eu la personne (appel, rendez-vous, courriel).",
    )
    contact_at = forms.DateTimeField(
        label="date du contact",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Vide : maintenant.",
    )

    class Meta:
        model = FollowUpNote
        fields = ["text", "contact_noted", "contact_at"]

    def clean(self):
        cleaned_data = super().clean()
        contact_at = cleaned_data.get("contact_at")
        if contact_at and not cleaned_data.get("contact_noted"):
            self.add_error("contact_noted", "Cochez « contact noté » pour dater un contact, ou videz la date.")
        elif cleaned_data.get("contact_noted") and contact_at and contact_at > timezone.now():
            self.add_error("contact_at", "La date du contact ne peut pas être dans le futur.")
        return cleaned_data


# The names of the export's formats in the agents' words, in the order of InterestRequestAdmin.formats.
FORMAT_LABELS = {
    "xlsx": "Excel (.xlsx) — conseillé",
    FrenchExcelCSV().get_title(): "CSV pour Excel (.csv, colonnes séparées par « ; »)",
}


class RequestsExportForm(ExportForm):
    """django-import-export's form, Excel chosen already (no empty « --- » first) and the formats named."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        field = self.fields["format"]
        field.label = "Format du fichier"
        field.choices = [(value, FORMAT_LABELS.get(str(label), label)) for value, label in field.choices if value != ""]
        self.initial.setdefault("format", field.choices[0][0])
