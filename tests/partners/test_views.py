import pytest

from partners.models import Partner
from tests.actions.factories import ActionFactory
from tests.helpers import assert_not_found_page, count_queries
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def make_partners(count):
    start = Partner.objects.count()
    Partner.objects.bulk_create(
        PartnerFactory.build(slug=f"bulk-{start + index}", is_signatory=index % 3 == 0) for index in range(count)
    )


def test_partner_list_query_count_is_constant(client):
    make_partners(3)
    few = count_queries(client, "/partenaires/")
    make_partners(297)
    assert count_queries(client, "/partenaires/") == few <= 3


def test_partner_detail_query_count_is_constant(client):
    partner = PartnerFactory()
    ActionFactory(lead_partner=partner)
    few = count_queries(client, partner.get_absolute_url())
    for _ in range(30):
        ActionFactory(lead_partner=partner, partners=[partner])
    assert count_queries(client, partner.get_absolute_url()) == few <= 5


def test_signatories_come_first_in_their_own_section(client):
    PartnerFactory(name="Association du quartier", is_signatory=False)
    PartnerFactory(name="Agence régionale de santé", is_signatory=True)
    PartnerFactory(name="Brouillon", is_signatory=True, published=False)
    body = client.get("/partenaires/").content.decode()
    assert body.index("Les signataires du contrat") < body.index("Agence régionale de santé")
    assert body.index("Agence régionale de santé") < body.index("Les autres partenaires")
    assert body.index("Les autres partenaires") < body.index("Association du quartier")
    assert "Brouillon" not in body


def test_partner_detail_lists_its_published_actions_once(client):
    partner = PartnerFactory(name="CPAM du Val-de-Marne", phone="36 46", website="https://www.ameli.fr")
    ActionFactory(title="Mars bleu", lead_partner=partner, partners=[partner])
    ActionFactory(title="Juin vert", partners=[partner])
    ActionFactory(title="Brouillon", partners=[partner], published=False)
    body = client.get(partner.get_absolute_url()).content.decode()
    assert "<h1>" in body
    assert "CPAM du Val-de-Marne" in body
    assert body.count("Mars bleu") == 1
    assert "Juin vert" in body
    assert "Brouillon" not in body
    assert 'href="tel:3646"' in body
    assert 'href="https://www.ameli.fr"' in body


def test_unknown_or_unpublished_partner_is_404(client, editor):
    hidden = PartnerFactory(published=False)
    assert_not_found_page(client.get("/partenaires/inconnu/"))
    assert_not_found_page(client.get(hidden.get_absolute_url()))
    client.force_login(editor)
    assert "Aperçu" in client.get(hidden.get_absolute_url()).content.decode()


def test_partner_name_is_required_by_the_database():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        PartnerFactory(name="")


def test_partner_str_and_url():
    partner = PartnerFactory(name="Université Paris-Est Créteil", acronym="UPEC", slug="upec")
    assert str(partner) == "Université Paris-Est Créteil (UPEC)"
    assert partner.get_absolute_url() == "/partenaires/upec/"
    assert list(Partner.objects.signatories()) == []


def test_other_partners_are_paginated_after_the_signatories(client):
    PartnerFactory(name="Signataire Zêta", is_signatory=True)
    for number in range(50):
        PartnerFactory(name=f"Association {number:02d}", is_signatory=False)

    first = client.get("/partenaires/").content.decode()
    second = client.get("/partenaires/?page=2").content.decode()
    junk = client.get("/partenaires/?page=zzz")

    assert "Signataire Zêta" in first
    assert "Association 47" in first and "Association 48" not in first
    assert 'href="?page=2"' in first
    assert "Signataire Zêta" not in second
    assert "Association 48" in second and "Association 49" in second
    assert "(page 2 sur 2)" in second
    assert junk.status_code == 200
    assert "Signataire Zêta" in junk.content.decode()


def test_a_card_shows_the_partners_text_as_it_is_now(client, settings):
    """The cards' excerpts are kept per text (core/rich_text.py): an edited text shows at the next page."""
    settings.PAGE_CACHE_SECONDS = 0
    partner = PartnerFactory(name="Association Vivre mieux", description="<p>Ateliers <strong>mémoire</strong>.</p>")
    other = PartnerFactory(description="<p>Ateliers mémoire.</p>")
    assert "Ateliers mémoire." in client.get("/partenaires/").content.decode()

    partner.description = "<p>Permanences d’écoute le mardi.</p>"
    partner.save()
    page = client.get("/partenaires/").content.decode()

    assert "Permanences d’écoute le mardi." in page
    assert page.count("Ateliers mémoire.") == 1  # the other partner's, unchanged
    assert other.get_absolute_url() in page and partner.get_absolute_url() in page
