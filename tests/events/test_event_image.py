"""An event's image, given by the editors (issue 11 § 6): on its page and its card, with its text
alternative; without one, the page shows its action's image."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from events.models import Event
from tests.actions.factories import ActionFactory
from tests.events.factories import EventFactory
from tests.helpers import admin_url

pytestmark = pytest.mark.django_db


def png_upload(name="atelier.png", size=(300, 150)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def images_of(body):
    return re.findall(r'<img src="([^"]+)"\s+alt="([^"]*)"', body)


def test_an_event_shows_its_own_image_on_its_page_and_in_the_agenda(client):
    event = EventFactory(image=png_upload(), image_alt="Des personnes marchent au parc")

    page = client.get(event.get_absolute_url()).content.decode()
    agenda = client.get("/agenda/").content.decode()

    assert (event.image.url, "Des personnes marchent au parc") in images_of(page)
    assert (event.image.url, "Des personnes marchent au parc") in images_of(agenda)


def test_without_its_own_image_an_event_page_shows_its_action_image_and_its_card_none(client):
    action = ActionFactory(image=png_upload("action.png"), image_alt="Un stand de dépistage")
    event = EventFactory(action=action)

    page = client.get(event.get_absolute_url()).content.decode()
    agenda = client.get("/agenda/").content.decode()

    assert (action.image.url, "Un stand de dépistage") in images_of(page)
    assert images_of(agenda) == []


def test_an_editor_gives_an_event_an_image_in_the_admin_and_a_non_image_is_refused(editor_client):
    event = EventFactory()
    url = admin_url(Event, "change", event.pk)
    form = editor_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "image"}
    data.update(
        {
            "start_0": event.start.astimezone().strftime("%d/%m/%Y"),
            "start_1": event.start.astimezone().strftime("%H:%M"),
            "end_0": event.end.astimezone().strftime("%d/%m/%Y"),
            "end_1": event.end.astimezone().strftime("%H:%M"),
            "action": event.action_id,
            "place": event.place_id,
            "audiences": [],
            "published": "True",
            "image_alt": "Un atelier cuisine",
            "_save": "Enregistrer",
        }
    )
    for name in ("all_day", "is_free"):
        if not form.initial.get(name):
            data.pop(name, None)
        else:
            data[name] = "on"

    refused = editor_client.post(url, {**data, "image": SimpleUploadedFile("faux.png", b"pas une image")})
    assert refused.status_code == 200
    assert "image" in refused.context["adminform"].form.errors

    response = editor_client.post(url, {**data, "image": png_upload()})
    assert response.status_code == 302, response.context["adminform"].form.errors
    event.refresh_from_db()
    assert event.image and event.image_alt == "Un atelier cuisine"
