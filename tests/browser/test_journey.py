"""A resident's journey through the portal, in real Chromium, on the real initial content:
home → an axis → an action → a partner; the filters of /actions/ (with and without JavaScript);
the header search; the keyboard's first stop, the skip link.
"""

import re

import pytest
from playwright.sync_api import expect

from actions.models import Action, Axis

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def action_with_partner():
    """A published action that links to a published partner, with that partner."""
    for action in Action.objects.published().select_related("axis").order_by("axis__number", "title"):
        partners = [partner for partner in action.partners.all() if partner.published]
        if partners:
            return action, partners[0]
    raise AssertionError("le contenu initial n'a aucune action publiée liée à un partenaire publié")


def test_home_to_axis_to_action_to_partner(page, site_url, cls_content):
    action, partner = action_with_partner()
    axis = action.axis

    page.goto(site_url("/"))
    expect(page).to_have_title(re.compile("CLS Créteil"))
    axes = page.get_by_role("region", name="Le contrat local de santé et ses cinq axes")
    axes.get_by_role("link", name=axis.name).click()

    expect(page).to_have_url(site_url(axis.get_absolute_url()))
    expect(page.get_by_role("heading", level=1)).to_have_text(axis.name)
    page.get_by_role("main").get_by_role("link", name=action.title, exact=True).click()

    expect(page).to_have_url(site_url(action.get_absolute_url()))
    expect(page.get_by_role("heading", level=1)).to_have_text(action.title)
    page.get_by_role("main").get_by_role("link", name=partner.name, exact=True).first.click()

    expect(page).to_have_url(site_url(partner.get_absolute_url()))
    expect(page.get_by_role("heading", level=1)).to_contain_text(partner.name)
    # And back to the action from the partner's page.
    expect(page.get_by_role("main").get_by_role("link", name=action.title, exact=True)).to_be_visible()


@pytest.mark.parametrize("javascript", [True, False], ids=["avec-javascript", "sans-javascript"])
def test_filter_actions_by_axis(new_context, site_url, cls_content, javascript):
    axis = Axis.objects.get(number=2)
    in_axis = list(Action.objects.published().filter(axis=axis).order_by("title"))
    elsewhere = Action.objects.published().exclude(axis=axis).order_by("title").first()
    assert in_axis and elsewhere, "le contenu initial doit avoir des actions dans l'axe 2 et ailleurs"
    page = new_context(java_script_enabled=javascript).new_page()

    page.goto(site_url("/actions/"))
    main = page.get_by_role("main")
    expect(main.get_by_role("link", name=elsewhere.title, exact=True)).to_be_visible()
    # The filters are folded on small screens and without a filter: open them as a resident would.
    page.get_by_text("Filtrer les actions", exact=True).click()
    page.get_by_label("Axe", exact=True).select_option(axis.slug)
    page.get_by_role("button", name="Filtrer", exact=True).click()

    expect(page).to_have_url(re.compile(rf"/actions/\?(.+&)?axe={axis.slug}(&|$)"))
    count_heading = "1 action" if len(in_axis) == 1 else f"{len(in_axis)} actions"
    expect(main.get_by_role("heading", name=count_heading, exact=True)).to_be_visible()
    expect(main.get_by_role("link", name=in_axis[0].title, exact=True)).to_be_visible()
    expect(main.get_by_role("link", name=elsewhere.title, exact=True)).to_have_count(0)
    # The chosen filter stays selected, so the resident sees what the list shows.
    expect(page.get_by_label("Axe", exact=True)).to_have_value(axis.slug)


def test_search_from_the_header(page, site_url, cls_content):
    expected = Action.objects.published().filter(themes__slug="sante-bucco-dentaire").first()
    assert expected, "le contenu initial doit avoir une action sur la santé bucco-dentaire"

    page.goto(site_url("/partenaires/"))
    search = page.get_by_role("search", name="Rechercher sur le site")
    search.get_by_role("searchbox").fill("Dents")
    search.get_by_role("button", name="Rechercher").click()

    expect(page).to_have_url(site_url("/recherche/?q=Dents"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.get_by_role("main").get_by_role("link", name=expected.title, exact=True).click()
    expect(page).to_have_url(site_url(expected.get_absolute_url()))


def test_first_tab_reaches_the_skip_link_which_leads_to_the_content(page, site_url, cls_content):
    page.goto(site_url("/"))
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Aller au contenu")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()

    page.keyboard.press("Enter")
    expect(page).to_have_url(site_url("/#contenu"))
    expect(page.locator("#contenu")).to_be_focused()
