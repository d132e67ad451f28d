"""Server-side cache of the public pages, for visitors without a session, invalidated in proportion to each change.

How it works (``CachedPageMiddleware`` early in ``MIDDLEWARE``, ``PageCacheMiddleware`` last):

- Only GET and HEAD requests for the views that declare themselves public pages are looked up
  (``@public_page`` on a function, ``PublicPageMixin`` on a class-based view or a feed), and only
  for visitors who send neither a session cookie nor a messages cookie: a logged-in
  editor (staff preview of unpublished content) or a visitor with a pending message always
  gets a freshly rendered page. The mutuelle form, its confirmation, the eligibility
  orientation (household income in the address), ``/sante/`` and ``/admin/`` are never
  cached. The search is: a query typed by many visitors is served from the cache, and junk
  queries are bounded like every query string (below).
- A response is stored only if it is a 200, not streamed, not ``private`` / ``no-cache`` /
  ``no-store``, and the rendering set no cookie, used no CSRF token, changed no session and
  added no message.
- Keys come from Django's own machinery (``learn_cache_key`` / ``get_cache_key``): the full
  URL with its query string, so ``/actions/?axe=…`` and ``/actions/`` are different pages.
- **Sections, so that an edit renews only the pages that show it.** Each app registers its public
  models in a section, ``register_content_models(Event, Place, …, section="events")`` in its
  ``ready()``: ``partners``, ``actions`` (axes, objectives, themes, audiences, quartiers, actions and
  their results), ``events`` (places, events, attendance), ``mutuelle`` (the offer, formulas, prices,
  CSS scale), ``glossary`` (the terms, marked in the editors' texts), ``search`` (the synonyms) and
  ``site`` (the site's settings; also the section of a model registered without one). Each section
  has its own **generation** in the ``pages`` cache. Each public page declares the sections it
  shows: ``@public_page(shows=("events", "actions"))``, ``PublicPageMixin.shows = (…)``, or a
  function of the view's arguments (a sitemap's section, an open data file's dataset). Every page
  shows the ``site`` section (header, footer); a page that declares nothing depends on every
  section (the safe default). The key prefix holds a digest of the generations of the page's
  sections, and today's date: any save, delete or many-to-many change of a content model, and any
  POST to a content model's admin (bulk actions that use ``QuerySet.update()`` send no signal),
  writes a new generation for that model's section only, so the next request renders again the
  pages that show it — an edit to an event renews the agenda, the event, its place, the home, the
  actions that list events, the search, the sitemaps, open data and API of events, not the
  partners' pages, the glossary or the legal pages. The preview of unsaved changes
  (``@changes_no_content``) writes nothing. A page that shows something of a section must declare
  it: the test tests/performance/test_page_cache_sections.py renders every public page, changes the
  rows of each section in turn and fails for a page whose text changed without its declaring that
  section.
- Reading the generations costs one read of the shared store while nothing changes: a change writes
  its section's generation and then the **whole content's generation** (``GENERATION_KEY``); a worker
  that reads the same whole-content generation as last time uses the sections' generations it
  read then, otherwise it reads them all at once (``get_many``, one Redis MGET). The generations live
  in the ``pages`` cache: shared by every worker (a directory on disk) and every instance (Redis
  when ``REDIS_URL`` is set). ``kept_for_generation(key, build, section=…)`` keeps a small table in
  the process while its sections (by default the whole content) do not change.
- ``CachedPageMiddleware`` resolves the path to find the view and its sections (memoised per path;
  an address that no public page answers is not looked up at all).
- Scheduled publication: an object that appears or disappears at its « publier le » / « retirer le »
  minute (core/publication.py) is saved long before, so no signal comes then. Each worker keeps,
  per content generation, the next such moment of each section (one query per generation for every
  model); the first request at or after it writes a new generation for that section, so the change
  shows at that minute, not after the pages' lifetime.
- When a section last changed: a generation begins with the moment it was written (in hexadecimal
  nanoseconds), so ``sections_changed_at(sections)`` gives the last change of these sections, after
  the scheduled publications that have come, without any query of the content (the open data's
  « dernière mise à jour », core/opendata.py). Only this module reads that format.
- Lifetime: ``PAGE_CACHE_SECONDS`` (``DJANGO_PAGE_CACHE_SECONDS``, 5 minutes), so that
  « upcoming » lists never show a started event for long; the date in the prefix renews every
  page at midnight. ``0`` turns the page cache off.
- Bounded: pages without a query string are bounded by the content (unknown slugs are 404s,
  never stored); pages with a query string (filters, junk, ``?utm_…``) are stored at most
  ``PAGE_CACHE_MAX_QUERY_PAGES`` per lifetime window and only if the query string is at most
  ``MAX_QUERY_STRING_LENGTH`` characters; beyond that they are rendered, not stored. The
  ``pages`` cache without Redis is a directory capped at ``MAX_ENTRIES`` files.
- Served early: ``CachedPageMiddleware`` sits right after the middleware that add the security
  headers (SecurityMiddleware, CSP, Permissions-Policy) and WhiteNoise. It looks a GET or HEAD of
  a visitor without a session up before the session, locale, CSRF, authentication, OTP, messages,
  history and axes middleware run: none of them has anything to do for such a visitor, and they
  cost as much as the page (docs/performances.md). A page is stored there too, on its way out,
  once those middleware have added their own headers (X-Frame-Options, Content-Language, Vary):
  a cached page then carries exactly the headers of a computed one, the outer middleware adding
  the security headers to both. ``PageCacheMiddleware``, innermost, says which views are public
  pages and which requests may be stored (it alone sees the resolved view), and still serves and
  stores by itself when ``CachedPageMiddleware`` is not in ``MIDDLEWARE``.
- Browsers are told nothing more than the view says (a copy in a browser could not be
  invalidated); cached pages get an ETag, so a browser revalidating gets a 304, and the
  calendars' and feeds' own conditional GET (ETag, Last-Modified) keeps working on cache hits.
"""

import datetime
import functools
import hashlib
import logging
import pickle
import time
import uuid

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.db import DatabaseError, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import (
    cc_delim_re,
    get_cache_key,
    get_conditional_response,
    learn_cache_key,
    set_response_etag,
)
from django.utils.http import parse_http_date_safe
from redis.exceptions import RedisError

from core.publication import next_publication_changes

CACHE_ALIAS = "pages"
# Written at every content change, whatever its section: a worker that finds the value it read last
# knows that no section changed since, and reads none of them (one read of the shared store per hit).
GENERATION_KEY = "content-generation"
SECTION_KEY = "content-generation.{}"
QUERY_PAGES_KEY = "query-pages"
MAX_QUERY_STRING_LENGTH = 300
# What a cache store that cannot be reached raises: Redis down or slow, a full or unwritable disk.
# The page cache is an accelerator: then the page is rendered as if it had no cache.
CACHE_ERRORS = (RedisError, OSError)

# The section every page shows (the site's settings: header, footer), and the one of the content
# models registered without a section: a change there renews every page.
SITE_SECTION = "site"

logger = logging.getLogger(__name__)

# The models whose rows the public pages show, registered by their apps (register_content_models),
# each with its section; the senders of their signals (the models and their many-to-many tables).
_content_models = {}
_sender_sections = {}


def public_page(view=None, *, shows=None):
    """Decorator of a view whose page is the same for every visitor without a session: it may be cached.

    ``shows``: the sections of content the page shows (``("events", "actions")``), besides the
    site's settings that every page shows; ``None`` (the default): every section. It may be a
    function of the view's keyword arguments (the sitemaps' sections, the open data files).
    Used bare (``@public_page``) or with the sections (``@public_page(shows=(…))``); wraps ``view``
    (Django's own views, such as the sitemaps', are left untouched).
    """

    def declare(view):
        @functools.wraps(view)
        def public_view(*args, **kwargs):
            return view(*args, **kwargs)

        public_view.page_cacheable = True
        public_view.page_shows = shows
        return public_view

    return declare if view is None else declare(view)


class PublicPageMixin:
    """The same declaration for a class-based view or a syndication feed (``shows`` as above)."""

    page_cacheable = True
    shows = None


def changes_no_content(view):
    """Decorator of an admin view that a POST reaches without changing any content (the preview).

    A POST to a content model's admin otherwise writes a new content generation (see above).
    """

    @functools.wraps(view)
    def reading_view(*args, **kwargs):
        return view(*args, **kwargs)

    reading_view.changes_no_content = True
    return reading_view


def is_public_page(view_func):
    """Whether the resolved view declared itself a public page (as_view() keeps the class in view_class)."""
    return getattr(view_func, "page_cacheable", False) or getattr(
        getattr(view_func, "view_class", None), "page_cacheable", False
    )


_sections = [(SITE_SECTION,)]  # every section, computed at each registration (read at every request)


def sections():
    """Every section of content, in a stable order (the site's first)."""
    return _sections[0]


def page_sections(view_func, view_kwargs=None):
    """The sections whose generations the key of this view's page holds (sorted, the site's always).

    What the view declared (``shows``), or every section when it declared nothing. An unknown
    section is an error of the declaration, raised (the test of every public page finds it).
    """
    shows = getattr(view_func, "page_shows", None)
    if shows is None:
        # A class-based view's class (as_view() keeps it), or the feed itself (a Feed is its own view).
        shows = getattr(getattr(view_func, "view_class", view_func), "shows", None)
    if callable(shows):
        shows = shows(view_kwargs or {})
    known = sections()
    if shows is None:
        return known
    unknown = set(shows) - set(known)
    if unknown:
        raise ValueError(f"Section(s) de contenu inconnue(s) : {', '.join(sorted(unknown))}")
    return tuple(section for section in known if section == SITE_SECTION or section in shows)


@functools.lru_cache(maxsize=2048)
def _path_sections(urlconf, path):
    """(is a public page, its sections) of a path, before the middleware resolve it (None: no view)."""
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None
    if not is_public_page(match.func):
        return False, ()
    return True, page_sections(match.func, match.kwargs)


def path_sections(request):
    """The sections of the page at the request's path; None when no public page answers it."""
    found = _path_sections(getattr(request, "urlconf", None) or settings.ROOT_URLCONF, request.path_info)
    if not found or not found[0]:
        return None
    return found[1]


# Each worker keeps the pages it served last in its own memory, in front of the shared store, ready
# to serve: a hit then costs one read of the generation in the shared store (a small file, or one
# Redis GET), a dictionary lookup by address and one unpickling, instead of Django's cache key
# (the absolute URL twice, the language and time zone, a list of headers read from the store) and
# three reads. Its keys hold the generations like the shared ones (the prefix), so an invalidation
# reaches it at once; it keeps a page at most a minute, so a page is never older than
# PAGE_CACHE_SECONDS + 1 minute.
LOCAL_MAX_ENTRIES = 300
LOCAL_SECONDS = 60
# Variants of one address kept (its Vary headers' values): beyond, the shared store serves them.
LOCAL_MAX_VARIANTS = 8


def vary_headers(vary):
    """The request headers (``META`` names) a page varies on, as Django's ``learn_cache_key`` lists them.

    The language is left out, as Django does with USE_I18N (it adds the language to its keys; this
    site has one language, settings.LANGUAGES). None for ``Vary: *``: such a page is not kept.
    """
    names = []
    for header in cc_delim_re.split(vary or ""):
        header = header.strip().upper().replace("-", "_")
        if header == "*":
            return None
        if header and (header != "ACCEPT_LANGUAGE" or not settings.USE_I18N):
            names.append("HTTP_" + header)
    return tuple(sorted(names))


class ReadyPages:
    """The pages this process served last, by address, ready to serve again (see above).

    One entry per address (scheme, host, path and query string): the key prefix it was stored
    under, the headers it varies on, and its variants, each an expiry and the pickled response (every
    request gets its own response object, which the outer middleware then complete). A newer
    generation replaces the entry of its address; the oldest address goes first past ``max_entries``.
    """

    def __init__(self, max_entries=LOCAL_MAX_ENTRIES):
        self.max_entries = max_entries
        self._entries = {}

    @staticmethod
    def address(request):
        return (request.scheme, request.get_host(), request.get_full_path())

    def get(self, request, prefix):
        entry = self._entries.get(self.address(request))
        if entry is None or entry[0] != prefix:
            return None
        _prefix, headers, variants = entry
        found = variants.get(tuple(request.META.get(header) for header in headers))
        if found is None or found[0] < time.monotonic():
            return None
        return pickle.loads(found[1])  # noqa: S301 (pickled by this process, in its own memory)

    def keep(self, request, prefix, response, vary, seconds):
        headers = vary_headers(vary)
        if headers is None or seconds <= 0:
            return
        address = self.address(request)
        entry = self._entries.get(address)
        if entry is None or entry[0] != prefix or entry[1] != headers:
            entry = (prefix, headers, {})
        variants = entry[2]
        values = tuple(request.META.get(header) for header in headers)
        if values not in variants and len(variants) >= LOCAL_MAX_VARIANTS:
            return
        variants[values] = (time.monotonic() + seconds, pickle.dumps(response, pickle.HIGHEST_PROTOCOL))
        self._entries.pop(address, None)  # to the end: the most recently kept
        self._entries[address] = entry
        while len(self._entries) > self.max_entries:
            del self._entries[next(iter(self._entries))]

    def clear(self):
        self._entries.clear()

    def __len__(self):
        return len(self._entries)


local_pages = ReadyPages()


def page_cache():
    return caches[CACHE_ALIAS]


def _new_generation():
    """A value never used before (time-ordered and random): an evicted generation cannot come back."""
    return f"{time.time_ns():x}-{uuid.uuid4().hex[:8]}"


def _read_or_create(cache, key):
    generation = cache.get(key)
    if generation is None:
        fresh = _new_generation()
        cache.add(key, fresh, timeout=None)
        generation = cache.get(key)
        if generation is None:
            # The key holds a value the signed cache refuses to read (core/signed_cache.py; it
            # deletes it, but another may have been planted since): add() failed and get() still
            # misses. Replace it rather than build the keys on None.
            cache.set(key, fresh, timeout=None)
            generation = fresh
    return generation


def current_generation():
    """The generation of the whole content: renewed by every change of any section."""
    return _read_or_create(page_cache(), GENERATION_KEY)


# What this worker read last: (the whole content's generation, {section: generation}).
_known_generations = [None, {}]


def section_generations():
    """{section: generation} of every section: one read of the shared store while nothing changed.

    A change writes its section's generation, then the whole content's (``bump_generation``): a
    worker that reads the same whole-content generation as last time knows that its sections are
    still those it read then. Otherwise it reads them all (one ``get_many``, one Redis MGET).
    """
    cache = page_cache()
    overall = current_generation()
    known, generations = _known_generations
    wanted = sections()
    if known == overall and len(generations) == len(wanted):
        return generations
    keys = {SECTION_KEY.format(section): section for section in wanted}
    found = cache.get_many(list(keys))
    generations = {}
    for key, section in keys.items():
        generations[section] = found.get(key) or _read_or_create(cache, key)
    _known_generations[:] = [overall, generations]
    return generations


def bump_generation(sections_=None):
    """The cached pages that show these sections (default: all) become unreachable (they then expire by themselves)."""
    cache = page_cache()
    chosen = sections() if sections_ is None else sections_
    cache.set_many({SECTION_KEY.format(section): _new_generation() for section in chosen}, timeout=None)
    cache.set(GENERATION_KEY, _new_generation(), timeout=None)


# Small tables that many requests read (the search's synonyms, themes, audiences and quartiers)
# are kept in each worker's memory for the current content generation: any content change (a new
# generation, shared by every worker and instance) has them read again from the database.
_kept = {}


def kept_for_generation(key, build, section=None):
    """``build()``, computed once per content generation in this process (no query when kept).

    ``section`` (a name or several): kept while these sections do not change; by default while no
    content changes at all. Without the shared store (Redis down, a full disk) it is computed every time.
    """
    try:
        if section is None:
            generation = current_generation()
        else:
            generations = section_generations()
            names = (section,) if isinstance(section, str) else tuple(section)
            generation = tuple(generations[name] for name in names)
    except CACHE_ERRORS:
        return build()
    kept = _kept.get(key)
    if kept is not None and kept[0] == generation:
        return kept[1]
    value = build()
    _kept[key] = (generation, value)
    return value


def forget_kept_values():
    """Forget what ``kept_for_generation`` keeps (tests: a rolled back change makes no new generation)."""
    _kept.clear()
    _known_generations[:] = [None, {}]


NEXT_PUBLICATION_CHANGE = "next-publication-change"


def generations_for_schedule(now=None):
    """{section: generation}, the sections renewed first where a scheduled publication or withdrawal has come.

    The next moment of each section is computed once per content generation in this process (one
    query): a save of the content, which may schedule another moment, writes a new generation anyway.
    """
    now = now or timezone.now()
    generations = section_generations()
    overall = _known_generations[0]
    kept = _kept.get(NEXT_PUBLICATION_CHANGE)
    if kept is not None and kept[0] == overall:
        moments = kept[1]
    else:
        try:
            by_model = next_publication_changes(content_models(), now)
        except DatabaseError:
            return generations  # the view meets the outage itself, and says so
        moments = {}
        for model, moment in by_model.items():
            section = _content_models[model]
            if moment is not None and (moments.get(section) is None or moment < moments[section]):
                moments[section] = moment
        _kept[NEXT_PUBLICATION_CHANGE] = (overall, moments)
    due = [section for section, moment in moments.items() if moment is not None and moment <= now]
    if due:
        bump_generation(due)
        generations = section_generations()
        _kept.pop(NEXT_PUBLICATION_CHANGE, None)  # the next request finds the following moment
    return generations


def generation_moment(generation):
    """When a generation was written (the time-ordered first part of ``_new_generation``); None for another value."""
    try:
        nanoseconds = int(str(generation).split("-", 1)[0], 16)
        return datetime.datetime.fromtimestamp(0, datetime.UTC) + datetime.timedelta(microseconds=nanoseconds // 1000)
    except (ValueError, OverflowError):
        return None


def sections_changed_at(sections_=None, now=None):
    """The last moment any of these sections (default: every section) changed: the latest of their generations.

    After the scheduled publications and withdrawals that have come (``generations_for_schedule``),
    which then count as a change at the first request that sees them. Every change of a section's
    models writes its generation (a draft's edit too), and a generation lost with the store is
    written anew when next read: the moment is that of the last change or later, never earlier.
    ``now`` when no generation can be read (the store unreachable) or parsed.
    """
    now = now or timezone.now()
    try:
        generations = generations_for_schedule(now)
    except CACHE_ERRORS:
        return now
    chosen = generations if sections_ is None else sections_
    moments = [generation_moment(generations[section]) for section in chosen]
    if not moments or None in moments:
        return now
    return max(moments)


def generation_for_schedule(now=None):
    """The whole content's generation, after the scheduled changes that have come (``generations_for_schedule``)."""
    generations_for_schedule(now)
    return current_generation()


def key_prefix(page_sections_, generations):
    """The prefix of a page's keys: the generations of the sections it shows, and today's date."""
    stamp = ".".join(generations[section] for section in page_sections_)
    digest = hashlib.blake2b(stamp.encode(), digest_size=10).hexdigest()
    return f"{settings.PAGE_CACHE_KEY_PREFIX}.{digest}.{timezone.localdate():%Y%m%d}"


def _bump_after_commit(sections_):
    def bump():
        bump_generation(sections_)

    return bump


def invalidate_pages(sender=None, sections=None, **kwargs):
    """Signal receiver: invalidate the pages of the sender's section now, and again once the transaction commits.

    Called without a registered sender: the ``sections`` given, or every section. Now, so that the
    change shows at once even inside a transaction that ends later; after the commit, so that a
    page rendered by another request between the two (from the data before the commit) cannot stay
    in the cache under the new generation.
    """
    if sections is None and sender in _sender_sections:
        sections = (_sender_sections[sender],)
    try:
        bump_generation(sections)
    except CACHE_ERRORS as error:
        # The content is saved all the same; it is invalidated again after the commit, and the
        # pages kept meanwhile expire by themselves (PAGE_CACHE_SECONDS).
        logger.warning("Cache des pages injoignable (%s) : invalidation différée", type(error).__name__)
    transaction.on_commit(_bump_after_commit(sections), robust=True)


def content_models():
    """The models registered as public content, in no particular order."""
    return frozenset(_content_models)


def content_model_sections():
    """{model: its section} of the registered content models."""
    return dict(_content_models)


def admin_view_sections(url_name):
    """The sections of the content models of an admin URL (``events_event_changelist``: events); () for none."""
    return tuple(
        sorted(
            {
                section
                for model, section in _content_models.items()
                if url_name.startswith(f"{model._meta.app_label}_{model._meta.model_name}_")
            }
        )
    )


def is_content_admin_view(url_name):
    """``events_event_changelist``, ``actions_action_change``… (admin URL names are app_model_view)."""
    return bool(admin_view_sections(url_name))


def register_content_models(*models, section=SITE_SECTION):
    """Every change of these models' rows renews the pages that show ``section`` (called from each app's ``ready()``).

    Without a section, the site's: every page. Connected model by model, not for every sender: a
    receiver for every model would turn every fast bulk delete of the project (sessions, personal
    data retention) into a row-by-row one. Models that hold personal data, shown on no public
    page, are never registered.
    """
    for model in models:
        _content_models[model] = section
        _sender_sections[model] = section
        uid = f"page-cache-{model._meta.label_lower}"
        post_save.connect(invalidate_pages, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(invalidate_pages, sender=model, dispatch_uid=f"{uid}-delete")
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            _sender_sections[through] = section
            m2m_changed.connect(invalidate_pages, sender=through, dispatch_uid=f"{uid}-{field.name}-m2m")
    _sections[0] = (SITE_SECTION, *sorted({*_content_models.values()} - {SITE_SECTION}))
    _path_sections.cache_clear()


def _query_pages_allowed(timeout):
    """Count the pages with a query string stored in this lifetime window; False past the budget."""
    cache = page_cache()
    key = f"{QUERY_PAGES_KEY}.{int(time.time() // timeout)}"
    cache.add(key, 0, timeout=timeout * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        return False
    return count <= settings.PAGE_CACHE_MAX_QUERY_PAGES


class PageCacheMiddleware:
    """Serve and store the public pages of visitors without a session (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        try:
            if getattr(request, "_page_cache_early", None) is not None:
                # Stored by CachedPageMiddleware, under a key that varies on what the view said.
                request._page_cache_vary = response.get("Vary")
            elif getattr(request, "_page_cache_prefix", None):
                self._store(request, response)
            elif getattr(request, "_page_cache_admin_post", ()) and response.status_code < 400:
                bump_generation(request._page_cache_admin_post)
        except CACHE_ERRORS as error:
            logger.warning("Cache des pages injoignable (%s) : page servie sans être gardée", type(error).__name__)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if request.method == "POST" and match.namespace == "admin":
            admin_sections = admin_view_sections(match.url_name or "")
            if admin_sections and not getattr(view_func, "changes_no_content", False):
                request._page_cache_admin_post = admin_sections
                return None
        timeout = settings.PAGE_CACHE_SECONDS
        if (
            timeout <= 0
            or request.method not in ("GET", "HEAD")
            or not is_public_page(view_func)
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or CookieStorage.cookie_name in request.COOKIES
        ):
            return None
        early = getattr(request, "_page_cache_early", None)
        if early is not None:
            # CachedPageMiddleware looked the page up already (a miss): it stores it on its way out.
            if request.method == "GET":
                request._page_cache_prefix = early
            return None
        prefix, response = lookup(request, page_sections(view_func, view_kwargs))
        if response is None:
            if prefix and request.method == "GET":
                request._page_cache_prefix = prefix
            return None
        return serve_hit(request, response)

    @staticmethod
    def _store(request, response):
        timeout = settings.PAGE_CACHE_SECONDS
        cache_control = response.get("Cache-Control", "").lower()
        messages = getattr(request, "_messages", None)
        session = getattr(request, "session", None)
        query_string = request.META.get("QUERY_STRING", "")
        if (
            response.status_code != 200
            or response.streaming
            or response.cookies
            or any(directive in cache_control for directive in ("private", "no-cache", "no-store"))
            or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            or (session is not None and session.modified)
            or (messages is not None and getattr(messages, "added_new", False))
            or len(query_string) > MAX_QUERY_STRING_LENGTH
        ):
            return
        if query_string and not _query_pages_allowed(timeout):
            return
        # One piece of content: the syndication feeds write theirs in hundreds of small pieces,
        # which gunicorn would send as as many small writes on every hit.
        response.content = response.content
        if not response.has_header("ETag"):
            set_response_etag(response)
        # The key varies on the headers the view named (its own Vary), not on those the session
        # middleware adds on the way out (« Cookie », as soon as a context processor looks at the
        # user): a visitor with some other cookie gets the same copy, as before the early serving.
        vary = getattr(request, "_page_cache_vary", response.get("Vary"))
        # Kept with the page, for the process that reads it back from the shared store (lookup()).
        response.page_cache_vary = vary
        prefix = request._page_cache_prefix
        PageCacheMiddleware._keep(request, response, prefix, page_cache(), timeout, _VaryOf(vary))
        local_pages.keep(request, prefix, response, vary, min(timeout, LOCAL_SECONDS))
        response["X-Cache"] = "MISS"

    @staticmethod
    def _fetch(request, prefix, cache):
        cache_key = get_cache_key(request, prefix, "GET", cache=cache)
        return cache.get(cache_key) if cache_key else None

    @staticmethod
    def _keep(request, response, prefix, cache, timeout, key_of=None):
        cache_key = learn_cache_key(request, key_of or response, timeout, prefix, cache=cache)
        cache.set(cache_key, response, timeout)


class _VaryOf:
    """What ``learn_cache_key`` reads of a response (its Vary header), for a Vary header of our choosing."""

    def __init__(self, vary):
        self.headers = {"Vary": vary} if vary else {}

    def has_header(self, header):
        return header in self.headers


def may_be_cached(request):
    """Whether the request may get a cached page, before knowing its view: GET or HEAD, no session."""
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


def lookup(request, page_sections_):
    """(key prefix, cached response or None) of a page showing these sections; (None, None) when
    the page cache cannot be reached."""
    timeout = settings.PAGE_CACHE_SECONDS
    try:
        prefix = key_prefix(page_sections_, generations_for_schedule())
        response = local_pages.get(request, prefix)
        if response is None:
            response = PageCacheMiddleware._fetch(request, prefix, page_cache())
            if response is not None:
                vary = getattr(response, "page_cache_vary", response.get("Vary"))
                local_pages.keep(request, prefix, response, vary, min(timeout, LOCAL_SECONDS))
    except CACHE_ERRORS as error:
        # One line per request, no traceback: during a Redis outage every page comes here.
        logger.warning("Cache des pages injoignable (%s) : page calculée sans cache", type(error).__name__)
        return None, None
    return prefix, response


# The request headers of a conditional GET (RFC 9110, 13.1), which get_conditional_response() reads.
CONDITIONAL_HEADERS = ("HTTP_IF_MATCH", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE")


def serve_hit(request, response):
    """The cached response, or a 304 when the browser's copy is still this one."""
    response["X-Cache"] = "HIT"
    if not any(header in request.META for header in CONDITIONAL_HEADERS):
        return response  # nothing to compare: most requests, which need no parsing of dates and tags
    return get_conditional_response(
        request,
        etag=response.get("ETag"),
        last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
        response=response,
    )


class CachedPageMiddleware:
    """Serve a cached public page before the session, auth, CSRF… middleware; store it after them.

    Goes right after SecurityMiddleware, the CSP and Permissions-Policy middleware and WhiteNoise
    (see the module docstring). A miss goes down the whole stack; ``PageCacheMiddleware`` then
    marks it storable if its view is a public page, and it is stored here on its way out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not may_be_cached(request):
            return self.get_response(request)
        page_sections_ = path_sections(request)
        if page_sections_ is None:  # no public page at this address: nothing to look up
            return self.get_response(request)
        prefix, cached = lookup(request, page_sections_)
        if cached is not None:
            return serve_hit(request, cached)
        if prefix is None:  # the page cache cannot be reached: the page is computed, not stored
            return self.get_response(request)
        request._page_cache_early = prefix
        response = self.get_response(request)
        if getattr(request, "_page_cache_prefix", None):
            try:
                PageCacheMiddleware._store(request, response)
            except CACHE_ERRORS as error:
                logger.warning("Cache des pages injoignable (%s) : page servie sans être gardée", type(error).__name__)
        return response
