import re

import pytest

from actions.enums import ActionStatus
from actions.models import Action, Axis
from tests.actions.factories import ActionFactory, AudienceFactory, NeighbourhoodFactory, ThemeFactory, axis
from tests.events.factories import EventFactory
from tests.helpers import assert_not_found_page, count_queries, h1s_of, paris_datetime, squash, title_of
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def make_actions(count):
    """``count`` published actions with their relations, in bulk (fast with 300 rows too)."""
    theme, audience, neighbourhood = ThemeFactory(), AudienceFactory(), NeighbourhoodFactory()
    other_audience, partner = AudienceFactory(), PartnerFactory()
    start = Action.objects.count()
    actions = Action.objects.bulk_create(
        ActionFactory.build(
            axis=axis(index % 5 + 1), slug=f"bulk-{start + index}", featured=index % 2 == 0, published=True
        )
        for index in range(count)
    )
    actions = list(Action.objects.filter(slug__in=[action.slug for action in actions]))
    for relation, values in (
        (Action.themes, [theme]),
        (Action.audiences, [audience, other_audience]),
        (Action.neighbourhoods, [neighbourhood]),
        (Action.partners, [partner]),
    ):
        through = relation.through
        source = relation.field.m2m_field_name()
        target = relation.field.m2m_reverse_field_name()
        through.objects.bulk_create(
            through(**{source: action, target: value}) for action in actions for value in values
        )


@pytest.mark.parametrize(
    "url",
    ["/", "/actions/", "/actions/?axe=sante-mentale&page=2", "/axes/acces-aux-droits-et-aux-soins/", "/flux/actions/"],
)
def test_query_count_does_not_grow_with_content(client, url):
    make_actions(3)
    few = count_queries(client, url)
    make_actions(297)
    many = count_queries(client, url)
    assert few == many
    assert many <= 12


def test_action_list_shows_published_actions_only(client):
    ActionFactory(title="Visible")
    ActionFactory(title="Brouillon", published=False)
    body = client.get("/actions/").content.decode()
    assert "Visible" in body
    assert "Brouillon" not in body
    assert "1 action" in body


def test_action_list_is_paginated(client):
    for index in range(14):
        ActionFactory(title=f"Atelier {index:02d}")
    first = client.get("/actions/").content.decode()
    second = client.get("/actions/?page=2").content.decode()
    assert "14 actions" in first
    assert "Page suivante" in first
    assert "Page précédente" in second
    assert first.count('class="card card-linked') == 12
    assert second.count('class="card card-linked') == 2


@pytest.mark.parametrize("page", ["0", "-1", "abc", "999", "1e9", "%00", "last"])
def test_junk_page_numbers_do_not_fail(client, page):
    action = ActionFactory()
    response = client.get("/actions/", {"page": page})
    assert response.status_code == 200
    assert h1s_of(response.text) == ["Les actions du CLS"]
    assert action.title in response.text


def test_filter_by_axis_theme_audience_neighbourhood_status_and_keywords(client):
    theme, audience, neighbourhood = (
        ThemeFactory(slug="ecrans"),
        AudienceFactory(slug="parents"),
        NeighbourhoodFactory(slug="mont-mesly"),
    )
    wanted = ActionFactory(
        title="Écrans en famille",
        axis=axis(4),
        themes=[theme],
        audiences=[audience],
        neighbourhoods=[neighbourhood],
        status=ActionStatus.ONGOING,
    )
    other = ActionFactory(
        title="Café psycho", axis=axis(3), status=ActionStatus.UPCOMING, neighbourhoods=[NeighbourhoodFactory()]
    )
    whole_city = ActionFactory(title="Mutuelle communale", axis=axis(1))

    def titles(**params):
        return {action.title for action in client.get("/actions/", params).context["actions"]}

    assert titles(axe="promotion-de-la-sante") == {wanted.title}
    assert titles(theme="ecrans") == {wanted.title}
    assert titles(public="parents") == {wanted.title}
    # An action without neighbourhood concerns the whole city, so it stays in the results.
    assert titles(quartier="mont-mesly") == {wanted.title, whole_city.title}
    assert titles(statut=ActionStatus.UPCOMING) == {other.title}
    assert titles(q="ecran") == {wanted.title}
    assert titles(axe="promotion-de-la-sante", q="psycho") == set()


@pytest.mark.parametrize(
    "params",
    [
        {"axe": "inconnu"},
        {"theme": "x" * 5000},
        {"public": "'; DROP TABLE actions_action; --"},
        {"quartier": "<script>alert(1)</script>"},
        {"statut": "nimporte"},
        {"q": "x" * 10000},
        {"q": "\x00"},
        {"q": "' OR 1=1 --"},
        {"q": "&|!:*()"},
        {"axe": ["sante-mentale", "inconnu"]},
    ],
)
def test_junk_filters_never_fail(client, params):
    ActionFactory()
    response = client.get("/actions/", params)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_invalid_filter_keeps_the_value_and_explains(client):
    response = client.get("/actions/", {"statut": "nimporte", "q": "dépistage"})
    body = response.content.decode()
    assert "Certains filtres ne sont pas valides" in body
    assert 'value="dépistage"' in body


def test_filter_form_works_without_javascript(client):
    body = client.get("/actions/").content.decode()
    assert '<form method="get"' in body
    assert 'type="submit"' in body
    for name in ("q", "axe", "theme", "public", "quartier", "statut"):
        assert f'name="{name}"' in body
    assert 'for="id_axe"' in body


@pytest.mark.parametrize("url", ["/actions/", "/agenda/"])
def test_axis_filter_offers_the_axes_by_their_names_not_their_numbers(client, url):
    body = client.get(url).content.decode()
    select = re.search(r'<select name="axe".*?</select>', body, re.S).group(0)
    options = [squash(text) for text in re.findall(r"<option[^>]*>(.*?)</option>", select, re.S)]
    assert options == ["Tous les axes", *(axis.name for axis in Axis.objects.order_by("number"))]
    assert "Axe 1" not in select


def test_axis_page_names_the_other_axes_by_their_names(client):
    body = client.get(axis(3).get_absolute_url()).content.decode()
    nav = body[body.index('id="autres-axes"') :]
    assert f'{axis(1).name}<span class="visually-hidden"> (axe 1)</span></a>' in nav
    assert "Axe 1 :" not in nav
    assert title_of(body) == f"{axis(3).name} (axe 3 du CLS) | CLS Créteil"


def test_action_detail(client):
    lead = PartnerFactory(name="CCAS de Créteil")
    hidden_partner = PartnerFactory(name="Partenaire caché", published=False)
    action = ActionFactory(
        title="Octobre rose",
        lead_partner=lead,
        partners=[lead, hidden_partner],
        audiences=[AudienceFactory(name="Femmes")],
        how_to_join="Appelez le CCAS.",
        contact_phone="01 49 80 88 68",
    )
    response = client.get(f"/actions/{action.slug}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Octobre rose</h1>" in body
    assert "Femmes" in body
    assert "Comment participer" in body
    assert "CCAS de Créteil" in body
    assert "Partenaire caché" not in body
    assert 'href="tel:+33149808868"' in body
    assert "<title>" in body
    assert 'name="description"' in body
    assert 'aria-label="Fil d’Ariane"' in body


def test_unknown_slugs_give_404(client):
    assert_not_found_page(client.get("/actions/inconnue/"))
    assert_not_found_page(client.get("/axes/inconnu/"))


def test_unpublished_action_is_404_for_public_and_preview_for_staff(client, editor):
    action = ActionFactory(published=False)
    assert_not_found_page(client.get(action.get_absolute_url()))
    client.force_login(editor)
    response = client.get(action.get_absolute_url())
    assert response.status_code == 200
    assert "Aperçu" in response.content.decode()


def test_axis_page_lists_its_published_actions(client):
    mine = ActionFactory(axis=axis(3), title="Cafés psycho")
    ActionFactory(axis=axis(3), title="Brouillon", published=False)
    ActionFactory(axis=axis(4), title="Nutrition")
    body = client.get("/axes/sante-mentale/").content.decode()
    assert mine.title in body
    assert "Brouillon" not in body
    assert "Nutrition" not in body
    assert "Les cinq axes du CLS" in body


def test_axis_page_is_paginated_with_a_forgiving_page_number(client):
    for index in range(14):
        ActionFactory(axis=axis(3), title=f"Atelier {index:02d}")
    ActionFactory(axis=axis(4), title="Nutrition")
    first = client.get("/axes/sante-mentale/").content.decode()
    second = client.get("/axes/sante-mentale/?page=2").content.decode()
    assert "14 actions, page 1 sur 2" in first
    assert first.count('class="card card-linked') == 12
    assert second.count('class="card card-linked') == 2
    assert "Page précédente" in second
    assert "– page 2 | CLS Créteil</title>" in second
    assert "– page" not in first
    assert "Les cinq axes du CLS" in second
    for junk in ("0", "abc", "999", "%00"):
        response = client.get("/axes/sante-mentale/", {"page": junk})
        assert response.status_code == 200
        assert h1s_of(response.text) == [axis(3).name]


def test_unknown_axis_is_a_404(client):
    assert_not_found_page(client.get("/axes/nimporte-quoi/"))


def test_pagination_links_are_elided_around_the_current_page(client):
    make_actions(300)  # 25 pages of 12
    body = client.get("/actions/?page=12").content.decode()
    linked = {int(number) for number in re.findall(r'page=(\d+)"><span class="visually-hidden">Page </span>', body)}
    linked |= {int(number) for number in re.findall(r'page=(\d+)"\s+aria-current="page"', body)}
    assert linked == {1, 10, 11, 12, 13, 14, 25}
    assert body.count('<span class="page-link">…</span>') == 2
    assert "Page 12 sur 25" in body


def test_actions_feed_lists_published_actions(client):
    ActionFactory(title="Mois sans tabac")
    ActionFactory(title="Brouillon", published=False)
    response = client.get("/flux/actions/")
    body = response.content.decode()
    assert response["Content-Type"].startswith("application/rss+xml")
    assert "Mois sans tabac" in body
    assert "Brouillon" not in body


def test_action_detail_lists_its_upcoming_published_events(client):
    action = ActionFactory()
    EventFactory(
        action=action, title="Prochain café", start=paris_datetime(2030, 3, 14, 19), end=paris_datetime(2030, 3, 14, 21)
    )
    EventFactory(
        action=action, title="Café passé", start=paris_datetime(2020, 3, 14, 19), end=paris_datetime(2020, 3, 14, 21)
    )
    EventFactory(action=action, title="Café brouillon", published=False)
    EventFactory(title="Autre action")
    body = client.get(action.get_absolute_url()).content.decode()
    assert "Prochain café" in body
    assert "Café passé" not in body
    assert "Café brouillon" not in body
    assert "Autre action" not in body


def test_the_preview_of_an_unpublished_action_shows_its_events_as_a_preview(client, editor):
    """Issue 12: the preview said « Aucun rendez-vous » although the action had events.

    Its events are hidden from the public because of their action; the preview shows those that
    will appear with it (published themselves, upcoming), and says that the public does not see them.
    """
    action = ActionFactory(published=False)
    EventFactory(
        action=action, title="Prochain café", start=paris_datetime(2030, 3, 14, 19), end=paris_datetime(2030, 3, 14, 21)
    )
    EventFactory(
        action=action, title="Café passé", start=paris_datetime(2020, 3, 14, 19), end=paris_datetime(2020, 3, 14, 21)
    )
    EventFactory(action=action, title="Café brouillon", published=False)
    client.force_login(editor)

    body = client.get(action.get_absolute_url()).content.decode()

    assert "Prochain café" in body
    assert "Aucun rendez-vous" not in body
    assert "Café passé" not in body and "Café brouillon" not in body
    assert "le public ne voit pas ces rendez-vous" in body
    # Published, the same action shows the same events, without the preview's note.
    Action.objects.filter(pk=action.pk).update(published=True)
    body = client.get(action.get_absolute_url()).content.decode()
    assert "Prochain café" in body and "le public ne voit pas ces rendez-vous" not in body


def test_action_detail_query_count_is_constant_with_events(client):
    action = ActionFactory(partners=[PartnerFactory()])
    EventFactory(action=action)
    few = count_queries(client, action.get_absolute_url())
    for _ in range(15):
        EventFactory(action=action)
    assert count_queries(client, action.get_absolute_url()) == few
