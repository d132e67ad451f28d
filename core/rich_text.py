"""Editors' long texts: plain text with a small, safe subset of HTML, cleaned with nh3.

``{{ action.body|rich_text }}`` renders a text typed in the admin:

- plain text as ``|linebreaks`` did: a blank line separates two paragraphs, a line break is
  kept (``<br>``);
- a small subset of HTML: ``p``, ``br``, ``strong``, ``em``, ``ul``, ``ol``, ``li`` and ``a``
  (``href`` in https, http, mailto or tel, or a link inside the site). A paragraph that holds
  a block tag (``<p>``, a list) is left as written.

No headings: these texts sit right under the page's ``<h1>`` on some pages (an axis, a partner,
a place) and under an ``<h2>`` or ``<h3>`` on others, so an editor's ``<h3>`` would break the
heading hierarchy (RGAA 9.1, axe's « heading-order ») somewhere. A heading tag is stripped and its
text stays as a paragraph.

Everything else is removed by nh3 (the Rust ``ammonia`` sanitiser): other tags (their text
kept), ``script`` and ``style`` with their content, every other attribute (``style``, ``on…``
handlers, ``class``…), ``javascript:`` or ``data:`` addresses, comments. Every link gets
``rel="noopener noreferrer"``. A link left without text (or without address) is unwrapped, so
that no link without a discernible name reaches the page.

Links to other sites open in the same tab, like every link of the site: a resident's screen
reader announces them as links like any other, and nothing needs to warn of a new window.

``{{ value|plain_text }}`` (and :func:`plain_text` in Python) gives the same text without any
markup, for what is not HTML: meta descriptions, JSON-LD, iCalendar files, card excerpts.

The template filters are thin wrappers in ``core/templatetags/rich_text.py``.

In the admin these texts are typed in a rich-text editor (django-prose-editor, Tiptap): its
toolbar offers exactly this subset, and :class:`core.rich_text_fields.RichTextField` stores
:func:`stored_html` of whatever is sent, so the database only ever holds what nh3 let through.
Without JavaScript the field stays a plain text area where the rules above apply as written.
"""

import functools
import html
import re

import nh3
from django.utils.html import strip_tags

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"https", "http", "mailto", "tel"}
LINK_REL = "noopener noreferrer"
BLOCK_TAGS = ("p", "ul", "ol", "li")

# What the admin says under each of these fields (not escaped by the admin: no angle brackets).
HELP_TEXT = (
    "Une ligne vide sépare deux paragraphes. Mise en forme possible en HTML : p, br, strong (gras), "
    "em (italique), ul, ol et li (listes) et des liens a href en https, http, mailto ou tel, dont le texte "
    "dit où ils mènent. Tout le reste (titres, styles, scripts, images…) est retiré."
)

# What the admin says under these fields once the editor has started (JavaScript on): no HTML to type.
EDITOR_HELP_TEXT = (
    "Mettez en forme avec les boutons au-dessus du texte : gras, italique, listes à puces ou "
    "numérotées, lien (sélectionnez d’abord les mots qui le portent ; adresse en https, http, "
    "mailto ou tel). Entrée commence un nouveau paragraphe, Maj+Entrée va à la ligne."
)

# A script address that a leading character turns into a relative one (« 0javascript:… »): nh3 keeps
# it (no scheme) and a browser reads it as a path, but the text also goes to calendars, feeds, open
# data and mails, read by other programs. Tabs and line breaks are dropped first, as browsers do.
_SCRIPT_ADDRESS = re.compile(r"(?:javascript|vbscript|data)\s*:", re.IGNORECASE)


def _refuse_script_addresses(element, attribute, value):
    if attribute == "href" and _SCRIPT_ADDRESS.search(re.sub(r"[\t\n\r]", "", value)):
        return None
    return value


_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags={"script", "style"},
    # No attribute on every tag: without ``"*"`` nh3 keeps ``title`` and ``lang`` anywhere.
    attributes={**ALLOWED_ATTRIBUTES, "*": set()},
    attribute_filter=_refuse_script_addresses,
    url_schemes=URL_SCHEMES,
    link_rel=LINK_REL,
    strip_comments=True,
)

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_HEADING_TAG = re.compile(r"<(/?)h[1-6]\b[^>]*>", re.IGNORECASE)
_BLOCK_TAG = re.compile(r"</?(?:%s)\b" % "|".join(BLOCK_TAGS), re.IGNORECASE)  # noqa: UP031
# nh3's output is serialised by html5ever: links are exactly ``<a …>…</a>``, never nested.
_LINK = re.compile(r"<a(?P<attributes>[^>]*)>(?P<content>.*?)</a>", re.DOTALL)
# A list item's only paragraph, before the item's end or a list inside it.
_LIST_ITEM_PARAGRAPH = re.compile(
    r"<li>\s*<p>(?P<text>(?:(?!</?(?:p|li)>).)*?)</p>(?=\s*(?:</li>|<ul>|<ol>))", re.DOTALL
)
_EMPTY_PARAGRAPH = re.compile(r"<p>(?:\s|<br>)*</p>")
_HREF = re.compile(r'\bhref="(?P<href>[^"]*)"')


def _paragraphs(text):
    """Wrap the chunks of ``text`` separated by blank lines in ``<p>``, as ``|linebreaks`` does.

    A chunk that holds a block tag is the editor's own markup and is left as it is.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    text = _HEADING_TAG.sub(r"<\1p>", text)  # a heading becomes a paragraph (see above)
    chunks = []
    for chunk in _PARAGRAPH_BREAK.split(text):
        chunk = chunk.strip()
        if not chunk:
            continue
        if _BLOCK_TAG.search(chunk):
            chunks.append(chunk)
        else:
            chunks.append("<p>" + chunk.replace("\n", "<br>\n") + "</p>")
    return "\n\n".join(chunks)


def _unwrap_nameless_links(match):
    """A link without an address, or without a text to name it, becomes its content."""
    content = match.group("content")
    if _HREF.search(match.group("attributes")) and strip_tags(content).strip():
        return match.group(0)
    return content


def clean_html(value):
    """The sanitised HTML of an editor's text (a ``str``, not marked safe)."""
    if not value:
        return ""
    cleaned = _cleaner.clean(_paragraphs(str(value)))
    unwrapped = _LINK.sub(_unwrap_nameless_links, cleaned)
    # The editor writes each list item as a paragraph (``<li><p>…</p></li>``): the item's text
    # alone reads the same, keeps lists tight and gives plain_text « - item » lines.
    unwrapped = _LIST_ITEM_PARAGRAPH.sub(r"<li>\g<text>", unwrapped)
    # Enter pressed twice in the editor leaves an empty paragraph: nothing to show.
    unwrapped = _EMPTY_PARAGRAPH.sub("", unwrapped)
    # Unwrapping only removes tags from nh3's output; cleaning again keeps the guarantee that
    # what is returned is exactly what nh3 produces.
    return _cleaner.clean(unwrapped) if unwrapped != cleaned else cleaned


def stored_html(value):
    """What is stored for an editor's text: :func:`clean_html`, or ``""`` when no text is left.

    Plain text with blank lines becomes paragraphs, so that the editor opens it as the reader
    sees it; HTML from the editor keeps only the allowed subset. Applying it twice changes
    nothing, and the page shows the same with the text before or after it.
    """
    cleaned = clean_html(value)
    if not html.unescape(strip_tags(cleaned)).strip():
        return ""
    return cleaned


def _link_as_text(match):
    href = _HREF.search(match.group("attributes"))
    text = match.group("content")
    if href is None:
        return text
    address = html.unescape(href.group("href"))
    shown = address.removeprefix("mailto:").removeprefix("tel:")
    if not address.startswith(("http://", "https://", "mailto:", "tel:")) or shown in html.unescape(text):
        return text
    return f"{text} ({html.escape(shown)})"


# Texts whose plain text each process keeps, with it: a few megabytes at worst.
PLAIN_TEXT_KEPT = 1024


def plain_text(value, *, links=False):
    """The text of an editor's text without markup: paragraphs separated by a blank line.

    With ``links``, a link's address follows its text in brackets (for calendars, where the
    text is all the reader gets).

    The plain text of the last texts seen is kept, keyed by the text itself (it depends on nothing
    else): a page of cards (the 200 signatories at N = 10 000, search results) computes again only
    the texts that changed since (~80 µs each: nh3 and Django's ``strip_tags``).
    """
    if not value:
        return ""
    return _plain_text(str(value), links)


@functools.lru_cache(maxsize=PLAIN_TEXT_KEPT)
def _plain_text(value, links):
    cleaned = clean_html(value)
    if not cleaned:
        return ""
    if links:
        cleaned = _LINK.sub(_link_as_text, cleaned)
    cleaned = re.sub(r"\s*<li>\s*", "\n- ", cleaned)
    cleaned = cleaned.replace("</li>", "")
    cleaned = re.sub(r"\s*</?(?:p|ul|ol)>\s*", "\n\n", cleaned)
    cleaned = re.sub(r"\s*<br>\s*", "\n", cleaned)
    text = html.unescape(strip_tags(cleaned))
    lines = [" ".join(line.split()) if line.strip() else "" for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
