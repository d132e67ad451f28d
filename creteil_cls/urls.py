from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps_views
from django.urls import include, path

from core.cache import public_page
from core.glossary import PAGE_URL_NAME as GLOSSARY_URL_NAME
from staff.admin_site import two_factor_urls

from . import opendata, views
from .api import api_urlpatterns
from .sitemaps import SITEMAPS, index_shows, section_shows

urlpatterns = [
    path("", views.home, name="home"),
    path("le-cls/", views.about, name="about"),
    path("recherche/", views.search, name="search"),
    path("plan-du-site/", views.site_plan, name="site_plan"),
    path("glossaire/", views.glossary, name=GLOSSARY_URL_NAME),
    path(
        "contact/",
        views.StaticPageView.as_view(template_name="pages/contact.html", breadcrumb="Contact"),
        name="contact",
    ),
    path(
        "mentions-legales/",
        views.StaticPageView.as_view(template_name="pages/mentions_legales.html", breadcrumb="Mentions légales"),
        name="legal",
    ),
    path(
        "donnees-personnelles/",
        views.StaticPageView.as_view(
            template_name="pages/donnees_personnelles.html", breadcrumb="Données personnelles"
        ),
        name="privacy",
    ),
    path(
        "accessibilite/",
        views.StaticPageView.as_view(template_name="pages/accessibilite.html", breadcrumb="Accessibilité"),
        name="accessibility",
    ),
    # The index and its sections share a name (they differ by `section`): reverse("sitemap") is the
    # index. Django's views, declared public pages for the page cache (core/cache.py).
    path(
        "sitemap.xml",
        public_page(sitemaps_views.index, shows=index_shows),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap"},
        name="sitemap",
    ),
    path(
        "sitemap-<slug:section>.xml",
        public_page(sitemaps_views.sitemap, shows=section_shows),
        {"sitemaps": SITEMAPS, "template_name": "sitemaps/section.xml"},
        name="sitemap",
    ),
    # Open data: the page and its files, the read-only API and its documentation (creteil_cls/opendata.py, api.py).
    path("donnees/", include((opendata.urlpatterns, "opendata"))),
    path("api/", opendata.api_docs, name="api_docs"),
    path("api/", include((api_urlpatterns(), "api"))),
    path("robots.txt", views.robots_txt, name="robots"),
    path("sante/", views.health, name="health"),
    path("partenaires/", include("partners.urls")),
    path("mutuelle/", include("mutuelle.urls")),
    path("", include("actions.urls")),
    path("", include("events.urls")),
    # The staff's login and two-factor wizards (staff/admin_site.py), before the admin itself.
    path("admin/compte/", include(two_factor_urls)),
    path("admin/", admin.site.urls),
    # Uploaded images in development (`make run`): static() gives nothing unless DEBUG is on. In
    # production nginx serves /media/ itself (deploy/nginx-cls-portail.conf, docs/production.md).
    *static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT),
]

handler400 = "creteil_cls.views.bad_request"
handler403 = "creteil_cls.views.permission_denied"
handler404 = "creteil_cls.views.page_not_found"
handler500 = "creteil_cls.views.server_error"
