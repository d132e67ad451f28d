"""Reminders, event changes, retention and who sees the registrations (issue 15 §1, §2)."""

import codecs
import csv
import datetime
import io

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from events.enums import EventStatus, RegistrationStatus
from events.models import Registration
from events.registrations import registrants_told_of_changes, registrations_with_mails_due
from staff.groups import REGISTRATIONS_GROUP
from tests.events.factories import PortalEventFactory, RegistrationFactory
from tests.staff.helpers import verified_login

pytestmark = pytest.mark.django_db
FAILING_BACKEND = "tests.mutuelle.test_services.FailingEmailBackend"


def soon_event(**values):
    return PortalEventFactory(start=timezone.now() + datetime.timedelta(days=1, hours=12), **values)


def old(days=3):
    return timezone.now() - datetime.timedelta(days=days)


def backdate(*registrations):
    Registration.objects.filter(pk__in=[r.pk for r in registrations]).update(created_at=old())


def remind():
    out = io.StringIO()
    call_command("send_event_registration_mails", stdout=out)
    return out.getvalue()


def test_reminder_goes_once_two_days_before_never_to_cancelled(settings):
    event = soon_event()
    now = timezone.now()
    due = RegistrationFactory(event=event, confirmation_sent_at=now)
    cancelled = RegistrationFactory(
        event=event, status=RegistrationStatus.CANCELLED, cancelled_at=now, confirmation_sent_at=now
    )
    waiting = RegistrationFactory(event=event, status=RegistrationStatus.WAITING, confirmation_sent_at=now)
    no_mail = RegistrationFactory(event=event, email="", confirmation_sent_at=now)
    later = RegistrationFactory(
        event=PortalEventFactory(start=now + datetime.timedelta(days=5)), confirmation_sent_at=now
    )
    fresh = RegistrationFactory(event=event, confirmation_sent_at=now)  # registered today: no reminder
    backdate(due, cancelled, waiting, no_mail, later)

    assert "Rappels envoyés : 1." in remind()
    assert [message.to for message in mail.outbox] == [[due.email]]
    message = mail.outbox[0]
    assert message.subject.startswith("Rappel : ")
    assert due.reference in message.body and "/inscription/annuler/" in message.body
    assert message.attachments[0][0].endswith(".ics")
    assert "Rappels envoyés : 0." in remind()  # never twice
    assert len(mail.outbox) == 1
    fresh.refresh_from_db()
    assert fresh.reminder_sent_at is None


def test_no_reminder_for_a_cancelled_event():
    event = soon_event(status=EventStatus.CANCELLED)
    registration = RegistrationFactory(event=event, confirmation_sent_at=timezone.now())
    backdate(registration)
    remind()
    assert mail.outbox == []


def test_a_failed_reminder_is_given_back_and_sent_by_the_next_run(settings):
    event = soon_event()
    registration = RegistrationFactory(event=event, confirmation_sent_at=timezone.now())
    backdate(registration)
    settings.EMAIL_BACKEND = FAILING_BACKEND
    with pytest.raises(CommandError, match="1 envoi a échoué"):
        remind()
    registration.refresh_from_db()
    assert registration.reminder_sent_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    remind()
    assert len(mail.outbox) == 1


def test_a_mail_server_down_never_loses_a_registration(settings, django_capture_on_commit_callbacks, caplog):
    from events.registrations import registration_create

    event = PortalEventFactory()
    settings.EMAIL_BACKEND = FAILING_BACKEND
    with django_capture_on_commit_callbacks(execute=True):
        registration = registration_create(
            event=event,
            data={"first_name": "Awa", "last_name": "Diallo", "email": "awa@example.org", "phone": ""},
        )
    assert Registration.objects.filter(pk=registration.pk, confirmation_sent_at__isnull=True).exists()
    assert registration.reference in caplog.text and "awa@example.org" not in caplog.text
    assert list(registrations_with_mails_due()) == [registration]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    remind()
    assert [message.to for message in mail.outbox] == [["awa@example.org"]]
    assert list(registrations_with_mails_due()) == []


@pytest.mark.parametrize(
    ("change", "subject"),
    [
        ({"status": EventStatus.CANCELLED}, "Annulé : "),
        ({"start": "later"}, "Changement : "),
    ],
)
def test_everyone_registered_is_told_when_the_event_is_cancelled_or_moved(
    change, subject, django_capture_on_commit_callbacks
):
    event = PortalEventFactory()
    now = timezone.now()
    told = [RegistrationFactory(event=event, confirmation_sent_at=now) for _ in range(2)]
    RegistrationFactory(event=event, status=RegistrationStatus.CANCELLED, confirmation_sent_at=now)
    if change.get("start"):
        change = {"start": event.start + datetime.timedelta(days=1), "end": event.end + datetime.timedelta(days=1)}
    with django_capture_on_commit_callbacks(execute=True), registrants_told_of_changes(event):
        for name, value in change.items():
            setattr(event, name, value)
        event.save()
    assert sorted(message.to[0] for message in mail.outbox) == sorted(r.email for r in told)
    assert all(message.subject.startswith(subject) for message in mail.outbox)
    assert all(message.attachments for message in mail.outbox)
    assert not Registration.objects.filter(change_notice_due_at__isnull=False).exists()


def test_the_admin_cancel_action_tells_those_registered(admin_client, django_capture_on_commit_callbacks):
    event = PortalEventFactory()
    registration = RegistrationFactory(event=event, confirmation_sent_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:events_event_changelist"),
            {"action": "cancel_selected", "_selected_action": [event.pk]},
        )
    assert [message.to for message in mail.outbox] == [[registration.email]]


def test_registrations_are_anonymised_three_months_after_the_event_history_included():
    past = PortalEventFactory(
        start=timezone.now() - datetime.timedelta(days=100), end=timezone.now() - datetime.timedelta(days=100, hours=-2)
    )
    recent = PortalEventFactory(
        start=timezone.now() - datetime.timedelta(days=30), end=timezone.now() - datetime.timedelta(days=30, hours=-2)
    )
    old_one = RegistrationFactory(event=past, last_name="Diallo", needs_fauteuil=True)
    kept = RegistrationFactory(event=recent, last_name="Martin")

    out = io.StringIO()
    call_command("purge_event_registrations", "--dry-run", stdout=out)
    assert "1 inscription serait anonymisée" in out.getvalue()
    call_command("purge_event_registrations", stdout=io.StringIO())

    old_one.refresh_from_db()
    assert old_one.anonymised_at is not None
    assert (old_one.last_name, old_one.email, str(old_one.phone), old_one.needs_fauteuil) == ("Anonyme", "", "", False)
    assert not Registration.history.filter(id=old_one.pk, last_name="Diallo").exists()
    assert Registration.history.filter(id=old_one.pk).exists()
    kept.refresh_from_db()
    assert kept.anonymised_at is None and kept.last_name == "Martin"
    again = io.StringIO()
    call_command("purge_event_registrations", stdout=again)
    assert "aucune inscription" in again.getvalue()


# Who sees the registrations -------------------------------------------------------------------


def test_an_editor_of_redaction_cannot_see_registrations(editor_client):
    event = PortalEventFactory()
    RegistrationFactory(event=event, last_name="Diallo")
    assert editor_client.get(reverse("admin:events_registration_changelist")).status_code == 403
    assert editor_client.get(reverse("admin:events_registration_sheet", args=[event.pk])).status_code == 403
    for extension in ("csv", "xlsx"):
        url = reverse("admin:events_registration_export", args=[event.pk, extension])
        assert editor_client.get(url).status_code == 403
    page = editor_client.get(reverse("admin:events_event_change", args=[event.pk]))
    assert page.status_code == 200 and "Diallo" not in page.content.decode()
    assert "Feuille d’émargement" not in page.content.decode()


@pytest.fixture
def registrations_client(client, django_user_model):
    user = django_user_model.objects.create_user(username="animation", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=REGISTRATIONS_GROUP))
    verified_login(client, user)
    return client


def test_the_events_team_sees_registrations_the_sheet_and_the_export(registrations_client):
    event = PortalEventFactory(registration_capacity=1)
    RegistrationFactory(event=event, last_name="Diallo", needs_lsf=True)
    RegistrationFactory(event=event, last_name="=cmd|calc", status=RegistrationStatus.WAITING)
    listing = registrations_client.get(
        reverse("admin:events_registration_changelist") + f"?event__id__exact={event.pk}"
    )
    assert listing.status_code == 200 and "Diallo" in listing.content.decode()
    sheet = registrations_client.get(reverse("admin:events_registration_sheet", args=[event.pk])).content.decode()
    assert "Feuille d’émargement" in sheet and "Diallo" in sheet and "Interprète en langue des signes" in sheet
    assert "Liste d’attente, dans l’ordre" in sheet
    export = registrations_client.get(reverse("admin:events_registration_export", args=[event.pk, "csv"]))
    assert export["Content-Disposition"] == f'attachment; filename="inscriptions-{event.slug}.csv"'
    assert export.content.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Référence", "Nom", "Prénom"] and "Rang en liste d’attente" in rows[0]
    by_name = {row[1]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert by_name["Diallo"]["Statut"] == RegistrationStatus.CONFIRMED.label
    assert by_name["Diallo"]["Interprète en langue des signes (LSF)"] == "oui"
    # A name that a spreadsheet would run as a formula stays text; the waiting list's rank is given.
    assert by_name["'=cmd|calc"]["Rang en liste d’attente"] == "1"
    workbook = registrations_client.get(reverse("admin:events_registration_export", args=[event.pk, "xlsx"]))
    assert workbook.status_code == 200 and workbook.content.startswith(b"PK")
    sheet_rows = list(openpyxl.load_workbook(io.BytesIO(workbook.content)).active.iter_rows(values_only=True))
    assert sheet_rows[0][:2] == ("Référence", "Nom") and len(sheet_rows) == 3
    assert (
        registrations_client.get(reverse("admin:events_registration_export", args=[event.pk, "pdf"])).status_code == 404
    )


def test_an_agent_registers_someone_by_phone_with_the_notice_read(registrations_client):
    event = PortalEventFactory()
    url = reverse("admin:events_registration_add")
    data = {
        "event": event.pk,
        "first_name": "Awa",
        "last_name": "Diallo",
        "phone": "06 12 34 56 78",
        "email": "",
        "places": 1,
    }
    refused = registrations_client.post(url, data)
    assert refused.status_code == 200 and not Registration.objects.exists()
    saved = registrations_client.post(url, {**data, "notice_read": "on"})
    assert saved.status_code == 302
    registration = Registration.objects.get()
    assert registration.source == "agent" and registration.notice_read_at is not None
