"""Seen and read on every screen (issue 11, §5), in real Chromium on the real initial content:
contrast of form fields, focus and body text computed in the browser; normal-weight text in lines
of about 80 characters; the mutuelle's prices and the month calendar as lists on a phone; axe on
the agenda with its « Filtrer » disclosure folded and open.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import Resolver404, resolve
from django.utils import timezone
from playwright.sync_api import expect

from actions.models import Action, Axis
from core import dates
from events.models import Event, Place
from partners.models import Partner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 900}
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
# Pages that other parts of issue 11 add: checked once their address exists.
OPTIONAL_PATHS = ["/plan-du-site/", "/glossaire/"]
# Pages with form fields (the agenda's filters open, since a filter is chosen).
FORM_PATHS = [
    "/agenda/?gratuit=1",
    "/mutuelle/eligibilite/",
    "/mutuelle/demande/",
    "/recherche/?q=sante",
    "/actions/?statut=nimporte",
]

# Colours and contrast as WCAG 2.1 computes them, for the elements of the page.
CONTRAST_JS = """
(() => {
  const parse = (value) => {
    const match = value.match(/rgba?\\(([^)]+)\\)/);
    if (!match) return null;
    const parts = match[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return {r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1};
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1,
  });
  // The colour behind an element: its ancestors' backgrounds, blended down to the white canvas.
  const background = (element) => {
    const layers = [];
    for (let node = element; node && node.nodeType === 1; node = node.parentElement) {
      const colour = parse(getComputedStyle(node).backgroundColor);
      if (colour && colour.a > 0) layers.push(colour);
      if (colour && colour.a === 1) break;
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), {r: 255, g: 255, b: 255, a: 1});
  };
  const luminance = ({r, g, b}) => {
    const [R, G, B] = [r, g, b].map((c) => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * R + 0.7152 * G + 0.0722 * B;
  };
  const ratio = (one, two) => {
    const [light, dark] = [luminance(one), luminance(two)].sort((x, y) => y - x);
    return Math.round(((light + 0.05) / (dark + 0.05)) * 100) / 100;
  };
  const visible = (element) => {
    const box = element.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(element).visibility !== "hidden";
  };
  const name = (element) =>
    element.tagName.toLowerCase() + (element.id ? "#" + element.id : "") +
    (element.name ? `[name=${element.name}]` : "");
  return {parse, over, background, ratio, visible, name};
})()
"""

FIELDS_JS = (
    """() => {
  const c = """
    + CONTRAST_JS
    + """;
  const fields = Array.from(document.querySelectorAll(
    "input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea"
  )).filter(c.visible).filter((field) => !field.closest("[aria-hidden=true]"));
  return fields.map((field) => {
    const around = c.background(field.parentElement);
    const style = getComputedStyle(field);
    const border = c.parse(style.borderTopColor);
    field.focus();
    const focused = getComputedStyle(field);
    const outline = c.parse(focused.outlineColor);
    const result = {
      field: c.name(field),
      border: style.borderTopStyle === "none" ? 0 : c.ratio(c.over(border, around), around),
      borderWidth: parseFloat(style.borderTopWidth),
      focus: focused.outlineStyle === "none" ? 0 : c.ratio(c.over(outline, around), around),
      focusWidth: parseFloat(focused.outlineWidth),
    };
    field.blur();
    return result;
  });
}"""
)

TEXT_JS = (
    """() => {
  const c = """
    + CONTRAST_JS
    + """;
  const blocks = Array.from(document.querySelectorAll(
    "main p, main li, main dd, main dt, main td, main th, main label, main summary, main h1, main h2, main h3"
  )).filter(c.visible).filter((element) => element.closest(".visually-hidden") === null);
  const failures = [];
  for (const element of blocks) {
    const style = getComputedStyle(element);
    const text = Array.from(element.childNodes).filter((node) => node.nodeType === 3)
      .map((node) => node.textContent).join("").trim();
    if (!text) continue;
    const size = parseFloat(style.fontSize);
    const bold = Number(style.fontWeight) >= 700;
    const large = size >= 24 || (bold && size >= 18.66);
    const around = c.background(element);
    const value = c.ratio(c.over(c.parse(style.color), around), around);
    if (value < (large ? 3 : 4.5)) failures.push(`${c.name(element)} « ${text.slice(0, 40)} » : ${value}:1`);
  }
  return {count: blocks.length, failures};
}"""
)

# Paragraphs of the main text: normal weight (400 or more), at most about 80 characters a line.
READING_JS = """() => {
  const failures = [];
  const paragraphs = Array.from(document.querySelectorAll("main p")).filter((p) => p.textContent.trim().length > 0);
  for (const p of paragraphs) {
    const style = getComputedStyle(p);
    const start = p.textContent.trim().slice(0, 40);
    if (Number(style.fontWeight) < 400) failures.push(`poids ${style.fontWeight} : « ${start} »`);
    const probe = document.createElement("span");
    probe.textContent = "n".repeat(80);
    probe.style.cssText = "position:absolute;visibility:hidden;white-space:nowrap";
    p.appendChild(probe);
    const eighty = probe.getBoundingClientRect().width;
    probe.remove();
    const width = p.getBoundingClientRect().width;
    if (width > eighty + 1) {
      failures.push(`ligne trop longue (${Math.round(width)} px > ${Math.round(eighty)} px) : « ${start} »`);
    }
  }
  return {count: paragraphs.length, failures};
}"""

# Words split across two lines (a break inside a word; a break after a hyphen is a normal one).
SPLIT_WORDS_JS = """(selector) => {
  const split = [];
  for (const root of document.querySelectorAll(selector)) {
    if (root.getBoundingClientRect().width === 0) continue;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.textContent.matchAll(/[^\\s\\-‐–]+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const boxes = Array.from(range.getClientRects()).filter((r) => r.width > 0);
        const lines = new Set(boxes.map((r) => Math.round(r.top)));
        if (lines.size > 1) split.push(match[0]);
      }
    }
  }
  return split;
}"""

NO_SIDEWAYS_SCROLL_JS = "() => [document.scrollingElement.scrollWidth, window.innerWidth]"


def representative_paths():
    """A page of each kind, with the initial content: site pages, lists, one of each detail page."""
    axis = Axis.objects.order_by("number").first()
    action = Action.objects.published().order_by("pk").first()
    partner = Partner.objects.published().order_by("pk").first()
    event = Event.objects.published().upcoming().first()
    place = Place.objects.published().filter(events__isnull=False).distinct().order_by("pk").first()
    start = timezone.localtime(event.start)
    paths = [
        "/",
        "/le-cls/",
        axis.get_absolute_url(),
        "/actions/",
        "/actions/?statut=nimporte",
        action.get_absolute_url(),
        "/partenaires/",
        partner.get_absolute_url(),
        "/agenda/",
        "/agenda/?periode=mois&gratuit=1",
        "/agenda/?periode=passes",
        f"/agenda/{start:%Y/%m}/",
        event.get_absolute_url(),
        place.get_absolute_url(),
        "/mutuelle/",
        "/mutuelle/eligibilite/",
        "/mutuelle/eligibilite/?household_size=1&yearly_resources=12000&age=45",
        "/mutuelle/demande/",
        "/recherche/?q=sante",
        "/recherche/?q=aucunresultatpossible",
        "/contact/",
        "/mentions-legales/",
        "/donnees-personnelles/",
        "/accessibilite/",
    ]
    for path in OPTIONAL_PATHS:
        try:
            resolve(path)
        except Resolver404:
            continue
        paths.append(path)
    return paths


def open_page(page, url):
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url} : {response and response.status}"


# No sideways scrolling at 320 px: every public page (the sitemap's and the others) is checked by
# tests/browser/test_accessibility.py, in the same visit as the requests to another site.


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["320px", "1280px"])
def test_field_borders_and_focus_stand_out_at_3_to_1(new_context, site_url, cls_content, viewport):
    page = new_context(viewport=viewport).new_page()
    failures, checked = [], 0
    for path in FORM_PATHS:
        open_page(page, site_url(path))
        for field in page.evaluate(FIELDS_JS):
            checked += 1
            if field["border"] < 3 or field["borderWidth"] < 1:
                failures.append(f"{path} {field['field']} : bordure à {field['border']}:1")
            if field["focus"] < 3 or field["focusWidth"] < 2:
                failures.append(f"{path} {field['field']} : focus à {field['focus']}:1, {field['focusWidth']} px")
    # The agenda's filters, the orientation, the request form and the search boxes: many fields.
    assert checked > 30
    assert not failures, "\n".join(failures)


def test_body_text_contrast_weight_and_line_length(new_context, site_url, cls_content):
    page = new_context(viewport=DESKTOP).new_page()
    failures = []
    for path in representative_paths():
        open_page(page, site_url(path))
        text = page.evaluate(TEXT_JS)
        assert text["count"] > 0, path
        failures += [f"{path} : {failure}" for failure in text["failures"]]
        reading = page.evaluate(READING_JS)
        failures += [f"{path} : {failure}" for failure in reading["failures"]]
    assert not failures, "\n".join(failures)


def test_lead_text_is_not_light(new_context, site_url, cls_content):
    page = new_context(viewport=DESKTOP).new_page()
    open_page(page, site_url("/agenda/"))
    assert page.evaluate("getComputedStyle(document.querySelector('.lead')).fontWeight") == "400"
    assert page.evaluate("getComputedStyle(document.body).fontWeight") == "400"


def test_mutuelle_prices_are_a_list_on_a_phone_and_a_table_on_a_computer(new_context, site_url, cls_content):
    phone = new_context(viewport={"width": 360, "height": 640}).new_page()
    open_page(phone, site_url("/mutuelle/"))
    expect(phone.locator(".price-table")).to_be_hidden()
    prices = phone.locator(".price-list")
    expect(prices).to_be_visible()
    bands = prices.locator(".price-list__band")
    assert bands.count() >= 3
    # Every formula of every age band, with its price, inside the screen.
    headers = phone.evaluate(
        "Array.from(document.querySelectorAll('.price-table thead th')).map((th) => th.textContent.trim())"
    )
    formulas = headers[1:]
    assert formulas, headers
    first = bands.first.inner_text()
    for formula in formulas:
        assert f"{formula} :" in first
    right = phone.evaluate(
        "Math.max(...Array.from(document.querySelectorAll('.price-list li'), (li) => li.getBoundingClientRect().right))"
    )
    assert right <= 360

    computer = new_context(viewport=DESKTOP).new_page()
    open_page(computer, site_url("/mutuelle/"))
    expect(computer.locator(".price-list")).to_be_hidden()
    table = computer.locator(".price-table table")
    expect(table).to_be_visible()
    last_column = computer.locator(".price-table thead th").last
    box, region = last_column.bounding_box(), computer.locator(".price-table").bounding_box()
    assert box["x"] + box["width"] <= region["x"] + region["width"] + 1


def busiest_month():
    event = Event.objects.published().upcoming().first()
    return timezone.localtime(event.start)


@pytest.mark.parametrize("width", [320, 360])
def test_month_is_a_list_of_days_on_a_phone(new_context, site_url, cls_content, width):
    start = busiest_month()
    page = new_context(viewport={"width": width, "height": 640}).new_page()
    open_page(page, site_url(f"/agenda/{start:%Y/%m}/"))
    expect(page.locator(".month-calendar")).to_be_hidden()
    days = page.locator(".month-list h3")
    assert days.count() >= 1
    # Every day with events is in the list, weekend days included, each inside the screen.
    listed = days.all_inner_texts()
    for heading in page.locator(".month-list h3").all():
        box = heading.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
    weekend = Event.objects.published().filter(
        start__month=start.month, start__year=start.year, start__week_day__in=[1, 7]
    )
    assert weekend, "le contenu initial doit avoir un événement un week-end ce mois-là"
    for event in weekend:
        expected = dates.french_date(timezone.localtime(event.start).date()).lower()
        assert any(expected in text.lower() for text in listed), (expected, listed)
    assert page.evaluate(SPLIT_WORDS_JS, ".month-list") == []
    scroll_width, inner_width = page.evaluate(NO_SIDEWAYS_SCROLL_JS)
    assert scroll_width <= inner_width


def test_month_table_on_a_computer_shows_the_whole_week_without_splitting_words(new_context, site_url, cls_content):
    start = busiest_month()
    page = new_context(viewport=DESKTOP).new_page()
    open_page(page, site_url(f"/agenda/{start:%Y/%m}/"))
    table = page.locator(".month-calendar")
    expect(table).to_be_visible()
    sunday = page.locator(".month-calendar thead th").last
    expect(sunday).to_have_text("dimanche")
    box = sunday.bounding_box()
    region = page.locator(".month-scroll").bounding_box()
    assert box["x"] + box["width"] <= region["x"] + region["width"] + 1
    assert page.locator(".month-calendar a").count() > 0
    assert page.evaluate(SPLIT_WORDS_JS, ".month-calendar td") == []


def test_agenda_on_a_phone_shows_results_first(new_context, site_url, cls_content):
    page = new_context(viewport=PHONE).new_page()
    open_page(page, site_url("/agenda/"))
    filters = page.locator("details.filters")
    expect(filters).not_to_have_attribute("open", "")
    expect(page.locator("details.filters summary")).to_contain_text("Filtrer")
    # The quick choices come before the results; the subscription after them.
    nav = page.get_by_role("navigation", name="Choix rapides")
    for label in ("Aujourd’hui", "Cette semaine", "Ce week-end", "Ce mois-ci", "Gratuit"):
        expect(nav.get_by_role("link", name=label, exact=True)).to_be_visible()
    first_card = page.locator(".event-card").first.bounding_box()
    subscribe = page.locator(".subscribe").bounding_box()
    assert first_card["y"] < subscribe["y"]
    # The first event starts within the first two screens, header included.
    assert first_card["y"] < 2 * PHONE["height"]

    # A quick choice: the filtered list, scrolled to its results, the choice marked.
    nav.get_by_role("link", name="Gratuit", exact=True).click()
    page.wait_for_url("**/agenda/?gratuit=1#resultats")
    expect(page.get_by_role("navigation", name="Choix rapides").get_by_role("link", name="Gratuit")).to_have_attribute(
        "aria-current", "true"
    )
    # The browser scrolls to the results heading once the page is laid out.
    page.wait_for_function("() => Math.abs(document.getElementById('resultats').getBoundingClientRect().top) < 100")
    cards = page.locator(".event-card")
    assert cards.count() > 0
    for text in cards.all_inner_texts():
        assert "Gratuit" in text and "Pour qui :" in text


def test_agenda_has_no_axe_violation_with_the_disclosure_folded_and_open(new_context, site_url, cls_content):
    axe = Axe()
    reports = []
    for viewport in (PHONE, DESKTOP):
        page = new_context(viewport=viewport).new_page()
        open_page(page, site_url("/agenda/"))
        expect(page.locator("details.filters")).not_to_have_attribute("open", "")
        for state in ("repliés", "ouverts"):
            results = axe.run(page, options=AXE_OPTIONS)
            if results.violations_count:
                reports.append(f"== {viewport['width']} px, filtres {state}\n{results.generate_report()}")
            if state == "repliés":
                page.locator("details.filters summary").click()
                expect(page.get_by_label("Mots-clés", exact=True)).to_be_visible()
        if viewport is DESKTOP:
            continue  # the two pages below are in the sweep of every public page at this width
        # Open by the server: a filter chosen, and a filter in error.
        for path in ("/agenda/?periode=mois&quartier=mont-mesly", "/agenda/?du=2030-01-10&au=2030-01-01"):
            open_page(page, site_url(path))
            expect(page.get_by_label("Mots-clés", exact=True)).to_be_visible()
            results = axe.run(page, options=AXE_OPTIONS)
            if results.violations_count:
                reports.append(f"== {viewport['width']} px, {path}\n{results.generate_report()}")
    assert not reports, "\n\n".join(reports)


def test_search_results_start_in_the_first_screen_of_a_phone(new_context, site_url, cls_content):
    page = new_context(viewport=PHONE).new_page()
    open_page(page, site_url("/recherche/?q=vaccin"))
    # The number of results and the first result are seen without scrolling (header and menu above them).
    count = page.locator("#resultats").bounding_box()
    assert count["y"] + count["height"] <= PHONE["height"], count
    first = page.locator(".search-results a").first
    expect(first).to_be_in_viewport()
    box = first.bounding_box()
    assert 0 <= box["y"] < PHONE["height"], box
    # One search form on the page, the page's own, with its visible label; other pages keep the header's.
    expect(page.get_by_role("search")).to_have_count(1)
    expect(page.get_by_label("Que cherchez-vous ?")).to_have_value("vaccin")
    open_page(page, site_url("/partenaires/"))
    expect(page.get_by_role("banner").get_by_role("search", name="Rechercher sur le site")).to_be_visible()
