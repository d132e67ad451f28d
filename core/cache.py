"""Server-side cache of the public pages, for visitors without a session, invalidated on every content change.

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
  The key prefix holds the **content generation** and today's date: any save, delete or
  many-to-many change of a content model (each app registers its public models with
  ``register_content_models`` in its ``ready()``) and any POST to a content model's admin
  (bulk actions that use ``QuerySet.update()`` send no signal) writes a new generation, so the
  next request renders again; the preview of unsaved changes (``@changes_no_content``) does
  not. The generation lives in the ``pages`` cache: shared by every worker (a directory on
  disk) and every instance (Redis when ``REDIS_URL`` is set).
- Scheduled publication: an object that appears or disappears at its « publier le » / « retirer le »
  minute (core/publication.py) is saved long before, so no signal comes then. Each worker keeps,
  per content generation, the next such moment across the content models (one query per
  generation); the first request at or after it writes a new generation, so the change shows
  at that minute, not after the pages' lifetime.
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

import functools
import logging
import time
import uuid

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import DatabaseError, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.cache import (
    get_cache_key,
    get_conditional_response,
    learn_cache_key,
    set_response_etag,
)
from django.utils.http import parse_http_date_safe
from redis.exceptions import RedisError

from core.publication import next_publication_change

CACHE_ALIAS = "pages"
GENERATION_KEY = "content-generation"
QUERY_PAGES_KEY = "query-pages"
MAX_QUERY_STRING_LENGTH = 300
# What a cache store that cannot be reached raises: Redis down or slow, a full or unwritable disk.
# The page cache is an accelerator: then the page is rendered as if it had no cache.
CACHE_ERRORS = (RedisError, OSError)

logger = logging.getLogger(__name__)

# The models whose rows the public pages show, registered by their apps (register_content_models).
_content_models = set()


def public_page(view):
    """Decorator of a view whose page is the same for every visitor without a session: it may be cached.

    Wraps ``view`` (Django's own views, such as the sitemaps', are left untouched).
    """

    @functools.wraps(view)
    def public_view(*args, **kwargs):
        return view(*args, **kwargs)

    public_view.page_cacheable = True
    return public_view


class PublicPageMixin:
    """The same declaration for a class-based view or a syndication feed."""

    page_cacheable = True


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


# Each worker keeps the pages it served last in its own memory, in front of the shared store: a hit
# then costs one read of the generation in the shared store (a small file, or one Redis GET) instead
# of three. Its keys hold the generation like the shared ones, so an invalidation reaches it at once.
# It keeps a page at most a minute, so a page is never older than PAGE_CACHE_SECONDS + 1 minute.
LOCAL_MAX_ENTRIES = 300
LOCAL_SECONDS = 60
local_pages = LocMemCache("creteil-cls-local-pages", {"OPTIONS": {"MAX_ENTRIES": LOCAL_MAX_ENTRIES}})


def page_cache():
    return caches[CACHE_ALIAS]


def _new_generation():
    """A value never used before (time-ordered and random): an evicted generation cannot come back."""
    return f"{time.time_ns():x}-{uuid.uuid4().hex[:8]}"


def current_generation():
    cache = page_cache()
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        fresh = _new_generation()
        cache.add(GENERATION_KEY, fresh, timeout=None)
        generation = cache.get(GENERATION_KEY)
        if generation is None:
            # The key holds a value the signed cache refuses to read (core/signed_cache.py; it
            # deletes it, but another may have been planted since): add() failed and get() still
            # misses. Replace it rather than build the keys on None.
            cache.set(GENERATION_KEY, fresh, timeout=None)
            generation = fresh
    return generation


def bump_generation():
    """Every cached page becomes unreachable (it then expires by itself)."""
    page_cache().set(GENERATION_KEY, _new_generation(), timeout=None)


# Small tables that many requests read (the search's synonyms, themes, audiences and quartiers)
# are kept in each worker's memory for the current content generation: any content change (a new
# generation, shared by every worker and instance) has them read again from the database.
_kept = {}


def kept_for_generation(key, build):
    """``build()``, computed once per content generation in this process (no query when kept).

    Without the shared store (Redis down, a full disk) it is computed every time.
    """
    try:
        generation = current_generation()
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


NEXT_PUBLICATION_CHANGE = "next-publication-change"


def generation_for_schedule(now=None):
    """The content generation, renewed first if a scheduled publication or withdrawal has come.

    The next moment is computed once per generation in this process (one query): a save of the
    content, which may schedule another moment, writes a new generation anyway.
    """
    now = now or timezone.now()
    generation = current_generation()
    kept = _kept.get(NEXT_PUBLICATION_CHANGE)
    if kept is not None and kept[0] == generation:
        moment = kept[1]
    else:
        try:
            moment = next_publication_change(content_models(), now)
        except DatabaseError:
            return generation  # the view meets the outage itself, and says so
        _kept[NEXT_PUBLICATION_CHANGE] = (generation, moment)
    if moment is not None and moment <= now:
        bump_generation()
        generation = current_generation()
        _kept.pop(NEXT_PUBLICATION_CHANGE, None)  # the next request finds the following moment
    return generation


def invalidate_pages(**kwargs):
    """Signal receiver: invalidate now, and again once the transaction commits.

    Now, so that the change shows at once even inside a transaction that ends later; after the
    commit, so that a page rendered by another request between the two (from the data before
    the commit) cannot stay in the cache under the new generation.
    """
    try:
        bump_generation()
    except CACHE_ERRORS as error:
        # The content is saved all the same; it is invalidated again after the commit, and the
        # pages kept meanwhile expire by themselves (PAGE_CACHE_SECONDS).
        logger.warning("Cache des pages injoignable (%s) : invalidation différée", type(error).__name__)
    transaction.on_commit(bump_generation, robust=True)


def content_models():
    """The models registered as public content, in no particular order."""
    return frozenset(_content_models)


def is_content_admin_view(url_name):
    """``events_event_changelist``, ``actions_action_change``… (admin URL names are app_model_view)."""
    return any(url_name.startswith(f"{m._meta.app_label}_{m._meta.model_name}_") for m in _content_models)


def register_content_models(*models):
    """Every change of these models' rows empties the page cache (called from each app's ``ready()``).

    Connected model by model, not for every sender: a receiver for every model would turn every
    fast bulk delete of the project (sessions, personal data retention) into a row-by-row one.
    Models that hold personal data, shown on no public page, are never registered.
    """
    for model in models:
        _content_models.add(model)
        uid = f"page-cache-{model._meta.label_lower}"
        post_save.connect(invalidate_pages, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(invalidate_pages, sender=model, dispatch_uid=f"{uid}-delete")
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(invalidate_pages, sender=through, dispatch_uid=f"{uid}-{field.name}-m2m")


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
            elif getattr(request, "_page_cache_admin_post", False) and response.status_code < 400:
                bump_generation()
        except CACHE_ERRORS as error:
            logger.warning("Cache des pages injoignable (%s) : page servie sans être gardée", type(error).__name__)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if (
            request.method == "POST"
            and match.namespace == "admin"
            and is_content_admin_view(match.url_name or "")
            and not getattr(view_func, "changes_no_content", False)
        ):
            request._page_cache_admin_post = True
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
        prefix, response = lookup(request)
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
        key_of = _VaryOf(getattr(request, "_page_cache_vary", response.get("Vary")))
        keep = PageCacheMiddleware._keep
        keep(request, response, request._page_cache_prefix, page_cache(), timeout, key_of)
        keep(request, response, request._page_cache_prefix, local_pages, min(timeout, LOCAL_SECONDS), key_of)
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


def lookup(request):
    """(key prefix, cached response or None); (None, None) when the page cache cannot be reached."""
    timeout = settings.PAGE_CACHE_SECONDS
    try:
        prefix = f"{settings.PAGE_CACHE_KEY_PREFIX}.{generation_for_schedule()}.{timezone.localdate():%Y%m%d}"
        response = PageCacheMiddleware._fetch(request, prefix, local_pages)
        if response is None:
            response = PageCacheMiddleware._fetch(request, prefix, page_cache())
            if response is not None:
                PageCacheMiddleware._keep(request, response, prefix, local_pages, min(timeout, LOCAL_SECONDS))
    except CACHE_ERRORS as error:
        # One line per request, no traceback: during a Redis outage every page comes here.
        logger.warning("Cache des pages injoignable (%s) : page calculée sans cache", type(error).__name__)
        return None, None
    return prefix, response


def serve_hit(request, response):
    """The cached response, or a 304 when the browser's copy is still this one."""
    response["X-Cache"] = "HIT"
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
        prefix, cached = lookup(request)
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
