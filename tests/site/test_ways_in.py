"""Issue 11 § 1 « Find what you came for »: the home page's ways in by need, the navigation, the mutuelle's
links, the site plan, the glossary and its marks, and every public page within three clicks of the home."""

import io
import re
from collections import deque
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.glossary import GlossaryTerm, compile_terms, mark_terms, terms_for_marking
from tests.actions.factories import ActionFactory, AudienceFactory, NeighbourhoodFactory, ThemeFactory, axis
from tests.events.factories import EventFactory, PlaceFactory
from tests.helpers import count_queries, h1s_of, squash, title_of

pytestmark = pytest.mark.django_db

HREF = re.compile(r'<a\b[^>]*\bhref="([^"]*)"')


def links_of(body):
    return [href.replace("&amp;", "&") for href in HREF.findall(body)]


def ways_in_of(body):
    """The home page's « Que cherchez-vous ? » (its cards are sections themselves)."""
    return body[body.index('id="titre-besoins"') : body.index('id="titre-agenda"')]


def section(body, heading_id):
    """The HTML of the <section> labelled by ``heading_id`` (sections of the home are not nested deeper)."""
    match = re.search(rf'<section[^>]*aria-labelledby="{heading_id}"[^>]*>(.*?)</section>', body, re.S)
    assert match, heading_id
    return match.group(1)


# Home page ----------------------------------------------------------------------------------------


def test_a_way_in_whose_content_is_gone_loses_that_link_not_the_page(client):
    # No initial content: only the mutuelle's pages exist; a theme without a published action is no link.
    ThemeFactory(slug="sante-psychique", name="Santé psychique")
    hidden = ActionFactory(published=False)
    hidden.themes.add(ThemeFactory(slug="depistage-des-cancers", name="Dépistage"))

    body = client.get("/").content.decode()
    ways = ways_in_of(body)

    assert "Une complémentaire santé moins chère" in ways
    assert "Santé mentale" not in ways
    assert "Dépistages et vaccins" not in ways
    assert "?theme=" not in ways


def test_the_ways_in_follow_the_actions_publication_rule(monkeypatch):
    """« Published » has one home, ``Action.objects.published()``: a theme or an audience whose only
    actions that rule leaves out is no link, whatever the ``published`` box says."""
    from actions.models import ActionQuerySet
    from creteil_cls.ways_in import ways_in

    ThemeFactory(slug="depistage-des-cancers", name="Dépistage").actions.add(ActionFactory(title="Hors règle"))
    AudienceFactory(slug="parents-et-futurs-parents", name="Parents").actions.add(ActionFactory(title="Hors règle 2"))
    links = [url for way in ways_in() for _label, url in way["links"]]
    assert "/actions/?theme=depistage-des-cancers" in links
    assert "/actions/?public=parents-et-futurs-parents" in links

    rule = ActionQuerySet.published
    monkeypatch.setattr(ActionQuerySet, "published", lambda self: rule(self).exclude(title__startswith="Hors règle"))
    links = [url for way in ways_in() for _label, url in way["links"]]
    assert "/actions/?theme=depistage-des-cancers" not in links
    assert "/actions/?public=parents-et-futurs-parents" not in links


def test_home_links_the_mutuelle_pages_not_only_the_action(client):
    body = client.get("/").content.decode()

    box = section(body, "titre-mutuelle")
    assert 'href="/mutuelle/"' in box
    assert 'href="/mutuelle/eligibilite/"' in box


@pytest.mark.parametrize("many", [False, True])
def test_home_query_count_is_bounded_and_constant(client, django_assert_max_num_queries, many):
    count = 30 if many else 1
    for index in range(count):
        action = ActionFactory(featured=True)
        action.themes.add(ThemeFactory(slug="sante-psychique", name="Santé psychique"))
        action.audiences.add(AudienceFactory(slug=f"public-home-{index}"))
        NeighbourhoodFactory()
        EventFactory()
    with django_assert_max_num_queries(12):
        client.get("/")


def test_home_same_number_of_queries_with_few_and_many_rows(client):
    ActionFactory(featured=True).themes.add(ThemeFactory(slug="vaccination", name="Vaccination"))
    NeighbourhoodFactory()
    few = count_queries(client, "/")
    for _ in range(20):
        ActionFactory(featured=True).themes.add(ThemeFactory(slug="vaccination", name="Vaccination"))
        NeighbourhoodFactory()
        EventFactory()
    assert count_queries(client, "/") == few


# Navigation and footer ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/actions/", "/contact/", "/glossaire/", "/plan-du-site/"])
def test_every_page_has_the_mutuelle_in_the_menu_and_the_html_site_plan_in_the_footer(client, url):
    body = client.get(url).content.decode()

    menu = re.search(r'<nav class="site-nav"[^>]*>(.*?)</nav>', body, re.S).group(1)
    assert re.search(r'<a href="/mutuelle/"[^>]*>Mutuelle communale</a>', menu)
    footer = re.search(r"<footer.*?</footer>", body, re.S).group(0)
    assert 'href="/plan-du-site/">Plan du site</a>' in footer
    assert 'href="/glossaire/"' in footer
    assert "sitemap.xml" not in footer


def test_the_menu_marks_the_mutuelle_page_as_current(client):
    body = client.get("/mutuelle/").content.decode()

    assert re.search(r'<a href="/mutuelle/"\s+aria-current="page">Mutuelle communale</a>', body)


# The mutuelle reached from its action, its permanences and the sitemap ----------------------------


def test_the_sitemap_lists_the_mutuelle_pages_the_site_plan_and_the_glossary(client):
    index = client.get("/sitemap.xml").content.decode()
    assert "<loc>http://testserver/sitemap-mutuelle.xml</loc>" in index
    mutuelle = client.get("/sitemap-mutuelle.xml").content.decode()
    pages = client.get("/sitemap-pages.xml").content.decode()

    for path in ["/mutuelle/", "/mutuelle/eligibilite/", "/mutuelle/demande/"]:
        assert f"<loc>http://testserver{path}</loc>" in mutuelle
    for path in ["/plan-du-site/", "/glossaire/"]:
        assert f"<loc>http://testserver{path}</loc>" in pages


# Site plan ----------------------------------------------------------------------------------------


def test_site_plan_leaves_out_unpublished_content(client):
    ActionFactory(title="Action en brouillon", published=False)
    PlaceFactory(name="Lieu caché", published=False)

    body = client.get("/plan-du-site/").content.decode()

    assert "Action en brouillon" not in body
    assert "Lieu caché" not in body


def test_site_plan_caps_the_actions_of_an_axis_and_links_the_rest(client, monkeypatch):
    monkeypatch.setattr("creteil_cls.views.SITE_PLAN_ACTIONS_PER_AXIS", 3)
    ActionFactory.create_batch(5, axis=axis(2))

    body = client.get("/plan-du-site/").content.decode()

    assert body.count('href="/actions/action-') == 3
    assert "Les 5 actions de l’axe 2" in body


def test_site_plan_query_count_does_not_grow_with_the_content(client, django_assert_max_num_queries):
    ActionFactory()
    PlaceFactory()
    with django_assert_max_num_queries(7) as few:
        client.get("/plan-du-site/")
    for number in range(1, 6):
        ActionFactory.create_batch(8, axis=axis(number))
    PlaceFactory.create_batch(10)
    with django_assert_max_num_queries(7) as many:
        client.get("/plan-du-site/")
    assert len(few) == len(many)


# Glossary -----------------------------------------------------------------------------------------


def test_glossary_page_makes_one_query_whatever_the_number_of_terms(client, django_assert_num_queries):
    GlossaryTerm.objects.create(term="CSS", slug="css", expansion="complémentaire santé solidaire", definition="x")
    with django_assert_num_queries(1):
        client.get("/glossaire/")
    for index in range(30):
        GlossaryTerm.objects.create(term=f"T{index}", slug=f"t{index}", definition="Une définition.")
    with django_assert_num_queries(1):
        client.get("/glossaire/")


def test_empty_glossary_says_whom_to_ask(client):
    body = client.get("/glossaire/").content.decode()

    assert "Le glossaire est en cours de rédaction" in body
    assert "01 49 80 88 68" in body


def test_the_editors_can_edit_the_glossary():
    codenames = set(
        Permission.objects.filter(
            group=Group.objects.get(name="Rédaction"), content_type__app_label="core"
        ).values_list("codename", flat=True)
    )
    assert {"add_glossaryterm", "change_glossaryterm", "delete_glossaryterm", "view_glossaryterm"} <= codenames


def test_the_glossary_admin_lists_and_adds_terms(admin_client):
    GlossaryTerm.objects.create(term="PMI", slug="pmi", expansion="protection maternelle et infantile", definition="x")
    listing = admin_client.get("/admin/core/glossaryterm/").content.decode()
    assert "protection maternelle et infantile" in listing

    response = admin_client.post(
        "/admin/core/glossaryterm/add/",
        {
            "term": "CMP",
            "slug": "cmp",
            "expansion": "centre médico-psychologique",
            "variants": "",
            "definition": "Lieu.",
        },
    )

    assert response.status_code == 302
    assert GlossaryTerm.objects.get(slug="cmp").expansion == "centre médico-psychologique"


def test_a_glossary_change_renews_the_cached_pages():
    from core.cache import content_models

    assert GlossaryTerm in content_models()


# Marking the first use of each term ---------------------------------------------------------------


def term(text, slug, expansion, variants=""):
    return GlossaryTerm(term=text, slug=slug, expansion=expansion, variants=variants, definition="…")


def test_mark_terms_marks_only_the_first_use_on_the_page():
    terms = compile_terms([term("CSS", "css", "complémentaire santé solidaire")])
    seen = set()

    first = mark_terms("<p>La CSS aide. La CSS est gratuite.</p>", terms, seen, "/glossaire/")
    second = mark_terms("<p>Encore la CSS.</p>", terms, seen, "/glossaire/")

    assert first == (
        '<p>La <a class="glossary-term" href="/glossaire/#css"><abbr title="complémentaire santé solidaire">'
        "CSS</abbr></a> aide. La CSS est gratuite.</p>"
    )
    assert second == "<p>Encore la CSS.</p>"


@pytest.mark.parametrize(
    ("html", "marked"),
    [
        ('<p><a href="/x/">La CSS</a> puis CSS</p>', True),  # not inside a link: the next use is marked
        ("<p>CSSS, pré-CSS, css</p>", False),  # another word, or another case
        ('<p><abbr title="x">CSS</abbr></p>', False),
        ("<p>CSS.</p>", True),
    ],
)
def test_mark_terms_respects_words_and_links(html, marked):
    terms = compile_terms([term("CSS", "css", "complémentaire santé solidaire")])
    result = mark_terms(html, terms, set(), "/glossaire/")
    assert ('href="/glossaire/#css"' in result) is marked
    assert result.count("<a ") == html.count("<a ") + marked
    assert not re.search(r"<a\b[^>]*>(?:(?!</a>).)*<a\b", result)  # never a link inside a link


def test_mark_terms_finds_variants_and_prefers_the_longest_spelling():
    terms = compile_terms(
        [
            term("LAEP", "laep", "lieu d’accueil enfants-parents", variants="Laep"),
            term("AP-HP", "ap-hp", "Assistance publique – Hôpitaux de Paris"),
        ]
    )
    result = mark_terms("<p>Le Laep de l’AP-HP.</p>", terms, set(), "/glossaire/")

    assert '<abbr title="lieu d’accueil enfants-parents">Laep</abbr>' in result
    assert '<abbr title="Assistance publique – Hôpitaux de Paris">AP-HP</abbr>' in result


def glossary_queries(client, url):
    """The SQL queries of a GET of ``url`` that read the glossary's terms."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in queries if GlossaryTerm._meta.db_table in query["sql"]]


def test_terms_are_read_at_most_once_per_page_whatever_their_number(client):
    for index in range(20):
        GlossaryTerm.objects.create(term=f"SIG{index}", slug=f"sig{index}", expansion=f"sigle {index}", definition=".")
    action = ActionFactory(body="Le SIG1 et le SIG2.", how_to_join="Le SIG3.")
    few = count_queries(client, action.get_absolute_url())
    action.body = " ".join(f"SIG{index}" for index in range(20))
    action.save()
    body = client.get(action.get_absolute_url()).content.decode()
    assert body.count('class="glossary-term"') == 20
    assert count_queries(client, action.get_absolute_url()) <= few


def test_terms_are_cached_across_pages_until_a_term_is_saved_or_deleted(client):
    GlossaryTerm.objects.create(term="CSS", slug="css", expansion="complémentaire santé solidaire", definition=".")
    action = ActionFactory(body="La CSS et le Cami.", how_to_join="Appelez le CCAS.")
    url = action.get_absolute_url()

    assert len(glossary_queries(client, url)) == 1
    # The next pages read the terms from the cache and reuse the compiled patterns.
    assert glossary_queries(client, url) == []
    assert terms_for_marking()[0][1] is terms_for_marking()[0][1]

    # A new term shows on the next page…
    cami = GlossaryTerm.objects.create(
        term="Cami", slug="cami", expansion="centre d’accueil médical initial", definition="."
    )
    body = client.get(url).content.decode()
    assert 'href="/glossaire/#cami"><abbr title="centre d’accueil médical initial">Cami</abbr>' in body
    # … so does a changed one…
    cami.expansion = "centre d’accueil médical"
    cami.save()
    assert '<abbr title="centre d’accueil médical">Cami</abbr>' in client.get(url).content.decode()
    # … and a deleted one is no longer marked.
    cami.delete()
    body = client.get(url).content.decode()
    assert 'href="/glossaire/#cami"' not in body
    assert 'href="/glossaire/#css"' in body


def test_the_glossary_filter_is_core_machinery_that_links_the_page_by_its_url_name():
    from django.template import engines

    from core.glossary import PAGE_URL_NAME, page_url
    from core.templatetags import glossary as core_glossary

    libraries = engines["django"].engine.template_libraries
    assert libraries["glossary"] is core_glossary.register
    assert page_url() == reverse(PAGE_URL_NAME) == "/glossaire/"
    term = GlossaryTerm(term="CSS", slug="css", expansion="x", definition=".")
    assert term.get_absolute_url() == "/glossaire/#css"


def test_escaped_text_stays_escaped_when_marked(client):
    GlossaryTerm.objects.create(term="CSS", slug="css", expansion="complémentaire santé solidaire", definition=".")
    action = ActionFactory(summary="<b>CSS</b> & co")

    body = client.get(action.get_absolute_url()).content.decode()

    assert "&lt;b&gt;<a" in body
    assert "<b>CSS" not in body


# Every public page within three clicks of the home page --------------------------------------------

SKIPPED_PREFIXES = ("/admin/", "/flux/", "/static/", "/media/", "/sitemap")


def internal_path(href):
    """The path a link leads to on this site, or None (other sites, anchors, tel:, queries, files)."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.query:
        return None
    if parts.path.startswith(SKIPPED_PREFIXES) or parts.path.endswith((".ics", ".xml", ".txt")):
        return None
    return parts.path


def clicks_from_home(client, max_depth):
    """Breadth first from /: {path: the number of clicks to reach it}, up to ``max_depth`` clicks."""
    depth = {"/": 0}
    queue = deque(["/"])
    while queue:
        path = queue.popleft()
        if depth[path] == max_depth:
            continue
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        for href in links_of(response.content.decode()):
            target = internal_path(href)
            if target and target not in depth:
                depth[target] = depth[path] + 1
                queue.append(target)
    return depth


def sitemap_paths(client):
    index = client.get("/sitemap.xml").content.decode()
    paths = []
    for section_url in re.findall(r"<loc>http://testserver(.*?)</loc>", index):
        paths += re.findall(r"<loc>http://testserver(.*?)</loc>", client.get(section_url).content.decode())
    return paths


def test_the_filter_without_a_request_escapes_and_marks_nothing():
    from django.template import Context, Template

    GlossaryTerm.objects.create(term="CSS", slug="css", expansion="complémentaire santé solidaire", definition=".")
    template = Template("{% load glossary %}{{ text|glossary:request }}")
    rendered = template.render(Context({"text": "<i>CSS</i>", "request": None}))

    assert rendered == "&lt;i&gt;CSS&lt;/i&gt;"


@pytest.mark.usefixtures("initial_content")
class TestOnTheInitialContent:
    """On the initial content of the portal, loaded once for these tests (``initial_content``)."""

    def test_home_leads_with_one_plain_sentence_then_the_ways_in_then_events_then_the_contract(self, client):
        body = client.get("/").content.decode()

        assert title_of(body) == "Votre santé à Créteil | CLS Créteil"
        assert h1s_of(body) == ["Votre santé à Créteil"]
        lead = squash(re.search(r'<p class="lead[^"]*">(.*?)</p>', body, re.S).group(1))
        assert lead.startswith("Ce site vous aide à trouver près de chez vous un médecin")
        positions = [
            body.index(marker)
            for marker in ('id="titre-accueil"', 'id="titre-besoins"', 'id="titre-agenda"', 'id="titre-axes"')
        ]
        assert positions == sorted(positions)

    def test_home_ways_in_use_residents_words_and_land_on_real_content(self, client):
        body = client.get("/").content.decode()
        ways = ways_in_of(body)

        for title in [
            "Voir un médecin rapidement",
            "Une complémentaire santé moins chère",
            "Dépistages et vaccins",
            "Santé mentale : en parler",
            "Enfants et parents",
            "Près de chez moi",
        ]:
            assert f">{title}</h3>" in ways, title
        doctor = section(ways, "besoin-medecin")
        assert 'href="/actions/cami-centre-d-accueil-medical-initial/"' in doctor
        assert 'href="/actions/sami-soins-le-soir-et-le-week-end/"' in doctor
        # The cheaper cover: the orientation first, then the mutuelle.
        cover = links_of(section(ways, "besoin-complementaire"))
        assert cover[:2] == ["/mutuelle/eligibilite/", "/mutuelle/"]
        assert "/actions/?theme=depistage-des-cancers" in links_of(section(ways, "besoin-depistage"))
        assert "/actions/?theme=sante-psychique" in links_of(section(ways, "besoin-sante-mentale"))
        assert "/actions/?public=parents-et-futurs-parents" in links_of(section(ways, "besoin-enfants"))
        near = links_of(section(ways, "besoin-quartier"))
        assert "/actions/?quartier=mont-mesly" in near
        assert len(near) == 11
        # Never a dead end: every link of the ways in answers 200 with content.
        for url in links_of(ways):
            if url.startswith("tel:"):
                continue
            response = client.get(url)
            assert response.status_code == 200, url
            page = response.content.decode()
            assert "Aucune action ne correspond" not in page, url

    def test_the_mutuelle_action_links_the_mutuelle_pages(self, client):
        body = client.get("/actions/mutuelle-communale/").content.decode()

        assert 'href="/mutuelle/"' in body
        assert 'href="/mutuelle/demande/"' in body
        assert 'href="/mutuelle/eligibilite/"' in body
        assert "remplissez la demande en ligne sur la page Mutuelle communale</a>" in body

    def test_a_mutuelle_permanence_in_the_agenda_links_the_mutuelle_pages(self, client):
        from events.models import Event

        permanence = Event.objects.filter(action__slug="mutuelle-communale").first()
        body = client.get(permanence.get_absolute_url()).content.decode()

        for url in ["/mutuelle/", "/mutuelle/eligibilite/", "/mutuelle/demande/"]:
            assert f'href="{url}"' in body, url

    def test_site_plan_lists_the_sections_the_axes_their_actions_and_the_places(self, client):
        response = client.get("/plan-du-site/")
        body = response.content.decode()

        assert title_of(body) == "Plan du site | CLS Créteil"
        assert h1s_of(body) == ["Plan du site"]
        links = set(links_of(body))
        for name in ["home", "about", "actions:list", "events:list", "partners:list", "contact", "glossary"]:
            assert reverse(name) in links, name
        for name in ["mutuelle:home", "mutuelle:eligibility", "mutuelle:request", "legal", "privacy", "accessibility"]:
            assert reverse(name) in links, name
        assert "/axes/" in body
        assert 'href="/actions/cafes-psycho/"' in body
        assert 'href="/lieux/hotel-de-ville-de-creteil/"' in body

    def test_glossary_lists_the_starting_terms_with_their_anchors(self, client):
        body = client.get("/glossaire/").content.decode()

        assert h1s_of(body) == ["Glossaire : les sigles et les mots de la santé"]
        for slug in ["css", "cpts", "cami", "sami", "laep", "ccas", "ars", "cls", "cpam", "pmi", "cmp"]:
            assert f'id="{slug}"' in body, slug
        assert '<abbr title="complémentaire santé solidaire">CSS</abbr> : complémentaire santé solidaire' in body
        # By letter, case and accents ignored: « Cami » and « CCAS » both under C, « Dépistage » under D.
        c_section = section(body, "lettre-c")
        assert c_section.index('id="cami"') < c_section.index('id="ccas"')
        assert 'id="depistage"' in section(body, "lettre-d")

    def test_glossary_content_is_loaded_once(self):
        count = GlossaryTerm.objects.count()
        call_command("load_cls_content", stdout=io.StringIO())
        assert GlossaryTerm.objects.count() == count >= 20

    def test_action_page_marks_the_first_use_of_each_term_and_links_the_glossary(self, client):
        response = client.get("/actions/mutuelle-communale/")
        body = response.content.decode()

        main = re.search(r"<main.*?</main>", body, re.S).group(0)
        assert main.count('href="/glossaire/#css"') == 1
        assert '<abbr title="complémentaire santé solidaire">CSS</abbr>' in main

    @pytest.mark.parametrize(
        "path",
        [
            "/actions/cami-centre-d-accueil-medical-initial/",
            "/partenaires/cpts-de-creteil/",
            "/lieux/laep-la-habette/",
            "/mutuelle/",
        ],
    )
    def test_editors_texts_are_marked_on_every_kind_of_page(self, client, path):
        main = re.search(r"<main.*?</main>", client.get(path).content.decode(), re.S).group(0)
        assert 'class="glossary-term" href="/glossaire/#' in main, path

    def test_event_page_marks_terms_too(self, client):
        from events.models import Event

        permanence = Event.objects.filter(action__slug="mutuelle-communale").first()
        main = re.search(r"<main.*?</main>", client.get(permanence.get_absolute_url()).content.decode(), re.S).group(0)
        assert main.count('href="/glossaire/#css"') == 1

    def test_every_page_of_the_sitemap_is_within_three_clicks_of_the_home_page(self, client):
        paths = sitemap_paths(client)
        assert len(paths) > 50  # axes, actions, partners, events, places, mutuelle, static pages

        depth = clicks_from_home(client, max_depth=3)

        too_far = sorted(set(paths) - set(depth))
        assert not too_far, f"à plus de trois clics de l’accueil : {too_far}"
        for path in ["/mutuelle/", "/plan-du-site/", "/glossaire/", "/mutuelle/eligibilite/"]:
            assert depth[path] == 1, path

    def test_home_makes_eleven_queries(self, client):
        # Axes; featured actions and their audiences and quartiers; events and their audiences; the ways
        # in's actions, themes and audiences; the quartiers.
        assert count_queries(client, "/") <= 11
