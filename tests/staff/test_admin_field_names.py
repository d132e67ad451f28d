"""Every field of the admin's forms has a name a screen reader reads (WCAG 1.3.1 and 4.1.2).

Django leaves three kinds unnamed: the date and time inputs of a date-time field (« Date : » and
« Heure : » are plain text), the fields of a tabular inline's rows (named in the table's head
only) and the fields of a list's editable column. The browser tests run axe on these pages
(tests/browser/test_admin_pages.py); these pin the markup, quickly, on every run.
"""

import re

import pytest
from django.urls import reverse

from mutuelle.models import CssScale
from tests.actions.factories import ActionFactory
from tests.events.factories import EventFactory
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def labels_for(html):
    return set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))


def test_the_date_and_the_time_of_a_date_time_field_are_labelled(admin_client):
    action = ActionFactory()
    html = admin_client.get(reverse("admin:actions_action_change", args=[action.pk])).content.decode()
    assert {"id_publish_at_0", "id_publish_at_1", "id_unpublish_at_0", "id_unpublish_at_1"} <= labels_for(html)
    assert re.search(r'<label for="id_publish_at_0">Date\xa0?:</label>', html)
    assert re.search(r'<label for="id_publish_at_1">Heure\xa0?:</label>', html)


def test_every_field_of_a_tabular_inline_row_is_labelled(admin_client):
    action = ActionFactory()
    event = EventFactory(action=action, title="Atelier mémoire")
    html = admin_client.get(reverse("admin:actions_action_change", args=[action.pk])).content.decode()
    for name in ["title", "slug", "start_0", "start_1", "place", "status", "published", "DELETE"]:
        assert f"id_events-0-{name}" in labels_for(html), name
    assert re.search(r'<label class="visually-hidden" for="id_events-0-status">Statut \(Atelier mémoire', html)
    assert event.title in html


class TestWithTheInitialContent:
    def test_the_rows_of_the_css_scale_are_labelled(self, admin_client, initial_content):
        scale = CssScale.objects.order_by("-valid_from").first()
        html = admin_client.get(reverse("admin:mutuelle_cssscale_change", args=[scale.pk])).content.decode()
        fields = re.findall(r'<(?:input|select)[^>]*id="id_ceilings-\d+-[A-Za-z_]+"[^>]*>', html)
        ceilings = {re.search(r'id="([^"]+)"', field).group(1) for field in fields if 'type="hidden"' not in field}
        assert len(ceilings) > 10
        assert ceilings <= labels_for(html)


def test_the_editable_column_of_a_list_names_its_row(admin_client):
    PartnerFactory(name="CPTS de Créteil", order=10)
    html = admin_client.get(reverse("admin:partners_partner_changelist")).content.decode()
    field = re.search(r'<input[^>]*name="form-0-order"[^>]*>', html).group()
    assert 'aria-label="Ordre d’affichage (CPTS de Créteil)"' in field


def test_lists_use_the_whole_width_and_forms_keep_the_navigation(admin_client):
    action = ActionFactory()
    assert 'id="nav-sidebar"' not in admin_client.get(reverse("admin:actions_action_changelist")).content.decode()
    assert 'id="nav-sidebar"' not in admin_client.get(reverse("admin:partners_partner_changelist")).content.decode()
    change_form = admin_client.get(reverse("admin:actions_action_change", args=[action.pk])).content.decode()
    assert 'id="nav-sidebar"' in change_form
