from django.contrib import admin
from django.db import models

from core.admin import (
    ContentHistoryAdmin,
    LabelledListEditableMixin,
    PreviewAdminMixin,
    PublicationChoiceMixin,
    PublishActionsMixin,
    SearchableAdminMixin,
    ViewOnSiteColumnMixin,
)

from .models import Partner
from .views import PartnerDetailView


@admin.register(Partner)
class PartnerAdmin(
    LabelledListEditableMixin,
    PublicationChoiceMixin,
    PreviewAdminMixin,
    SearchableAdminMixin,
    PublishActionsMixin,
    ViewOnSiteColumnMixin,
    ContentHistoryAdmin,
):
    list_display = [
        "name",
        "acronym",
        "kind",
        "is_signatory",
        "publication_state",
        "order",
        "updated_at",
        "view_on_site_link",
    ]
    list_display_links = ["name"]
    list_editable = ["order"]
    list_filter = ["kind", "is_signatory", "published"]
    search_fields = ["name", "acronym", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at"]
    save_on_top = True
    preview_view_class = PartnerDetailView
    # Django 6 will assume https for a typed address without a scheme: opt in now (no warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        ("Identité", {"fields": ["name", "slug", "acronym", "kind", "is_signatory", "order"]}),
        ("Présentation", {"fields": ["description", "role_in_cls"]}),
        ("Coordonnées", {"fields": ["website", "phone", "email", "address"]}),
        ("Logo", {"fields": ["logo", "logo_alt"], "classes": ["collapse"]}),
        ("Publication", {"fields": ["published", "publish_at", "unpublish_at", "created_at", "updated_at"]}),
    ]
    published_messages = ("{count} partenaire publié sur le site.", "{count} partenaires publiés sur le site.")
    unpublished_messages = ("{count} partenaire retiré du site.", "{count} partenaires retirés du site.")
