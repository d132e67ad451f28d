"""A history people can trust (core/history.py, core/admin.py's ContentHistoryAdmin).

Times in Paris time, whole values with the change marked, relations by name, fields the system
sets credited to it, and one version per creation.
"""

import pytest
from django.core import mail
from django.core.management import call_command
from django.db.models import Count

from actions.models import Action
from core.history import one_version
from events.models import Event, Place
from mutuelle.enums import RequestStatus
from mutuelle.models import InterestRequest
from mutuelle.services.requests import request_send_mails
from tests.actions.factories import AudienceFactory, ThemeFactory
from tests.actions.test_admin import action_form_data
from tests.events.factories import EventFactory
from tests.helpers import admin_url, paris_datetime, squash
from tests.mutuelle.factories import AgentFactory, InterestRequestFactory
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def history_text(client, obj):
    response = client.get(admin_url(type(obj), "history", obj.pk))
    assert response.status_code == 200
    return response.text


# Paris time -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("month", "utc_hour"),
    [(1, 13), (7, 12)],  # winter (UTC+1) and summer (UTC+2)
    ids=["hiver", "été"],
)
def test_moving_an_event_from_14_h_to_14_h_30_reads_so_in_paris_time(admin_client, month, utc_hour):
    event = EventFactory(start=paris_datetime(2026, month, 15, 14), end=paris_datetime(2026, month, 15, 16))
    event.start = paris_datetime(2026, month, 15, 14, 30)
    event.save()

    text = squash(history_text(admin_client, event))

    assert f"Début : 15 {'janvier' if month == 1 else 'juillet'} 2026 à 14 h → 15" in text
    assert "2026 à 14 h 30" in text
    assert f"à {utc_hour} h" not in text


# Whole values, the change marked, relations by name ---------------------------------------------


def test_a_long_text_is_shown_whole_with_the_words_that_changed_marked(admin_client):
    start = "Une rencontre ouverte à tous, autour d’un café, pour parler de santé mentale sans jugement. " * 2
    event = EventFactory(description=start + "Entrée libre.")
    event.description = start + "Entrée libre, inscription conseillée."
    event.save()

    html = history_text(admin_client, event)

    assert "<del>libre.</del>" in html
    assert "<ins>libre, inscription conseillée.</ins>" in html
    assert "…" not in squash(html)  # not cut
    assert squash(start + "Entrée libre.") in squash(html)


def test_a_text_is_escaped_in_the_difference(admin_client):
    event = EventFactory(title="Café <b>psycho</b>")
    event.title = "Café <script>psycho</script>"
    event.save()

    html = history_text(admin_client, event)

    assert "<script>psycho" not in html
    assert "&lt;script&gt;psycho&lt;/script&gt;" in html


def test_relations_read_as_names_added_and_removed(admin_client):
    seniors, parents, youth = (AudienceFactory(name=name) for name in ("Seniors", "Parents", "Jeunes"))
    event = EventFactory(audiences=[parents, youth])
    event.save()  # as the admin does: save_model(), then save_related() in one version
    with one_version(event):
        event.audiences.set([seniors, youth])

    text = squash(history_text(admin_client, event))

    assert "Publics : Ajouté : « Seniors » ; retiré : « Parents »" in text
    assert f"[{parents.pk}" not in text


def test_names_with_commas_stay_readable_in_a_relation_change(admin_client):
    """« Parents, enfants » is one name, not two: each name between quotes, whatever it holds."""
    parents, seniors, youth = (AudienceFactory(name=n) for n in ("Parents, enfants", "Seniors", "Jeunes, étudiants"))
    event = EventFactory(audiences=[youth])
    event.save()
    with one_version(event):
        event.audiences.set([parents, seniors])

    text = squash(history_text(admin_client, event))

    assert "Publics : Ajouté : « Parents, enfants », « Seniors » ; retiré : « Jeunes, étudiants »" in text


# What the system sets is the system's ------------------------------------------------------------


def test_the_calendar_sequence_and_dates_are_not_in_the_persons_version(admin_client, admin_user):
    event = EventFactory(start=paris_datetime(2026, 3, 2, 10), end=paris_datetime(2026, 3, 2, 12))
    event._history_user = admin_user
    event.title = "Café psycho de mars"
    event.start = paris_datetime(2026, 3, 2, 11)
    event.save()
    assert event.sequence == 1

    text = squash(history_text(admin_client, event))

    assert "Titre :" in text
    assert "Version de calendrier" not in text
    assert "Modifié le" not in text


def test_the_mail_dates_are_the_systems_version_not_the_next_agents(admin_client, django_capture_on_commit_callbacks):
    agent = AgentFactory(first_name="Awa", last_name="Konaté")
    interest_request = InterestRequestFactory(email="ines@example.org")
    request_send_mails(interest_request=interest_request)
    assert len(mail.outbox) == 2
    interest_request.refresh_from_db()
    interest_request._history_user = agent
    interest_request.status = RequestStatus.CONTACTED
    interest_request.save()

    system, agents = (
        interest_request.history.order_by("-history_date", "-history_id")[1],
        interest_request.history.first(),
    )
    assert (system.history_user, system.history_change_reason) == (None, "Système")
    assert system.confirmation_sent_at is not None
    assert agents.history_user == agent
    delta = agents.diff_against(interest_request.history.order_by("-history_date", "-history_id")[1])
    assert delta.changed_fields == ["status"]
    text = squash(history_text(admin_client, interest_request))
    assert "le système" in text
    assert "Accusé de réception envoyé le" in text  # in the system's version…
    agents_row = text.split("Modifié", 2)[1]  # …not in the agent's (newest first)
    assert "Statut :" in agents_row
    assert "Accusé de réception" not in agents_row


def test_a_mail_date_written_without_a_version_is_left_out_of_the_next_persons(admin_client, admin_user):
    interest_request = InterestRequestFactory(email="ines@example.org")
    InterestRequest.objects.filter(pk=interest_request.pk).update(confirmation_sent_at=paris_datetime(2026, 3, 2, 9))
    interest_request.refresh_from_db()
    interest_request._history_user = admin_user
    interest_request.status = RequestStatus.CONTACTED
    interest_request.save()

    text = squash(history_text(admin_client, interest_request))

    assert "Statut :" in text
    assert "Accusé de réception" not in text


# One creation, one version ------------------------------------------------------------------------


def test_creating_an_action_with_its_relations_in_the_admin_is_one_version(editor_client, editor):
    theme, audience, partner = ThemeFactory(name="Santé mentale"), AudienceFactory(name="Seniors"), PartnerFactory()
    response = editor_client.post(
        admin_url(Action, "add"),
        action_form_data(themes=[theme.pk], audiences=[audience.pk], partners=[partner.pk]),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors

    action = Action.objects.get(slug="cafes-psycho")
    (version,) = action.history.all()
    assert (version.history_type, version.history_user) == ("+", editor)
    assert [row.theme for row in version.themes.all()] == [theme]
    assert [row.audience for row in version.audiences.all()] == [audience]
    assert [row.partner for row in version.partners.all()] == [partner]


def test_changing_an_action_and_its_relations_is_one_version_with_both(editor_client, editor):
    old, new = AudienceFactory(name="Parents"), AudienceFactory(name="Seniors")
    editor_client.post(admin_url(Action, "add"), action_form_data(audiences=[old.pk]))
    action = Action.objects.get(slug="cafes-psycho")

    response = editor_client.post(
        admin_url(Action, "change", action.pk), action_form_data(action, title="Cafés psycho 2026", audiences=[new.pk])
    )
    assert response.status_code == 302, response.context["adminform"].form.errors

    assert action.history.count() == 2
    text = squash(history_text(editor_client, action))
    assert "Titre : Cafés psycho → Cafés psycho 2026" in text
    assert "Publics : Ajouté : « Seniors » ; retiré : « Parents »" in text


def test_the_initial_content_makes_one_version_per_object():
    call_command("load_cls_content", verbosity=0)

    for model in (Action, Place, Event):
        versions_per_object = model.history.values("id").order_by().annotate(n=Count("history_id"))
        assert {row["n"] for row in versions_per_object} == {1}, model
    action = Action.objects.filter(themes__isnull=False).first()
    version = action.history.get()
    assert version.history_change_reason == "Contenu initial"
    assert {row.theme_id for row in version.themes.all()} == set(action.themes.values_list("pk", flat=True))
