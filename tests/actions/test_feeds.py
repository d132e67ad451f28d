"""The actions' RSS feed (/flux/actions/): what a feed reader gets of the editors' texts."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from tests.actions.factories import ActionFactory
from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db

HOSTILE_SUMMARY = "Dépistage <script>alert(1)</script>gratuit du diabète <img src=x onerror=alert(1)> à Créteil"


def feed_items(client):
    response = client.get(reverse("actions:feed"))
    assert response.status_code == 200
    return ET.fromstring(response.content).findall("./channel/item")


def test_a_summary_with_markup_reaches_feed_readers_as_plain_text(client):
    ActionFactory(title="Dépistage du diabète", summary=HOSTILE_SUMMARY)

    (item,) = feed_items(client)
    # What a reader decodes from the XML and renders as HTML.
    description = item.findtext("description")

    assert "<script" not in description.lower()
    assert "onerror" not in description.lower()
    assert "<img" not in description.lower()
    assert "<" not in description
    assert "Dépistage" in description
    assert "gratuit du diabète" in description
    assert "à Créteil" in description


def test_a_summary_with_escaped_markup_is_not_decoded_into_markup(client):
    # An editor who typed the entities gets them shown as text, never turned into tags.
    ActionFactory(summary="Tabac &amp; alcool &lt;script&gt;alert(1)&lt;/script&gt;")

    (item,) = feed_items(client)
    description = item.findtext("description")

    assert "<" not in description
    assert "Tabac" in description
    assert "alcool" in description


def test_an_ordinary_summary_is_kept_word_for_word(client):
    ActionFactory(summary="Des ateliers gratuits pour prendre soin de sa santé, l’après-midi.")

    (item,) = feed_items(client)

    assert item.findtext("description") == "Des ateliers gratuits pour prendre soin de sa santé, l’après-midi."


def test_titles_with_markup_reach_feed_readers_as_text(client):
    """Both feeds, as Django's default title does: a reader that renders titles as HTML shows the tag as text."""
    action = ActionFactory(title="Diabète <img src=x onerror=alert(1)>")
    EventFactory(action=action, title="Atelier <img src=x onerror=alert(2)>")

    (action_item,) = feed_items(client)
    agenda = client.get("/flux/agenda/")
    (event_item,) = ET.fromstring(agenda.content).findall("./channel/item")

    for title in (action_item.findtext("title"), event_item.findtext("title")):
        assert "<img" not in title
        assert "&lt;img src=x onerror=alert(" in title
