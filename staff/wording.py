"""The admin's sentences about a model, in French that agrees with the model's name.

Django's French admin pastes a model's ``verbose_name`` into fixed sentences: « Ajout de
action », « Modification de événement », « Supprimer les actions sélectionnés ». The grammar
(the name's gender, number, articles) is core/grammar.py; here, its one use by the admin:

- ``FrenchWordingAdminMixin`` titles every admin page of a model and its bulk deletion;
  ``CreteilClsAdminSite.register`` (admin_site.py) adds it to every ModelAdmin, whoever registers
  it, so that no model is left with Django's sentences;
- the ``{{ opts|noun:"un" }}`` template filter (templatetags/staff_words.py), for the admin
  templates that say « Ajouter une action »;
- the sentences that can say the same without the name's gender (messages, confirmations) are
  reworded once, in locale/fr/LC_MESSAGES/django.po;
- the names of Django's permissions (« Peut modifier une action »), given at each ``migrate``.
"""

from functools import wraps

from django.contrib.admin import actions as admin_actions
from django.template.response import TemplateResponse

from core.grammar import Noun


def _retitle(response, title):
    """Give a not yet rendered admin page its French title (the <title> and the page's heading)."""
    if isinstance(response, TemplateResponse) and not response.is_rendered and response.context_data is not None:
        response.context_data["title"] = title
        changelist = response.context_data.get("cl")
        if changelist is not None:
            changelist.title = title
    return response


def delete_selected_action(noun):
    """Django's bulk deletion, its confirmation page titled in French (« Suppression des actions sélectionnées »)."""

    @wraps(admin_actions.delete_selected)
    def delete_selected(modeladmin, request, queryset):
        return _retitle(admin_actions.delete_selected(modeladmin, request, queryset), noun.delete_selected_title)

    return delete_selected


class FrenchWordingAdminMixin:
    """The titles of a model's admin pages and its bulk deletion, agreeing with the model's name.

    Django's views build their titles from ``verbose_name`` (« Ajout de action »); each view's
    page is retitled here before it is rendered, with the same choice Django makes between
    changing and only viewing.
    """

    @property
    def noun(self):
        return Noun.of(self.model)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        response = super().changeform_view(request, object_id, form_url, extra_context)
        context = getattr(response, "context_data", None) or {}
        if context.get("add"):
            title = self.noun.add_title
        elif context.get("has_change_permission"):
            title = self.noun.change_title
        else:
            title = self.noun.view_title
        return _retitle(response, title)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is None:  # a redirection, or the confirmation page of an action
            return response
        title = self.noun.changelist_title(popup=changelist.is_popup, can_change=self.has_change_permission(request))
        return _retitle(response, title)

    def delete_view(self, request, object_id, extra_context=None):
        return _retitle(super().delete_view(request, object_id, extra_context), self.noun.delete_title)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            func, name, _description = actions["delete_selected"]
            if func is admin_actions.delete_selected:
                actions[name] = (delete_selected_action(self.noun), name, self.noun.delete_selected)
        return actions


# Permission names -------------------------------------------------------------------------------

PERMISSION_VERBS = {"add": "ajouter", "change": "modifier", "delete": "supprimer", "view": "voir"}


def permission_name(model, action):
    """« Peut modifier une action »: the French name of one of Django's four permissions of ``model``."""
    noun = Noun.of(model)
    return f"Peut {PERMISSION_VERBS[action]} {noun.le if noun.always_plural else noun.un}"


def name_permissions_in_french(app_config, using="default", **kwargs):
    """``post_migrate``: Django's permissions of the app's models named in French.

    Django stores « Can add action », in English, once, when the model's permissions are
    created; the user and group pages list these names. Each ``migrate`` renames the four
    default permissions of every model (custom permissions are named in French by their
    models), so that a model added or renamed later gets its French names too.
    """
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    models = list(app_config.get_models())
    if not models:
        return
    content_types = ContentType.objects.db_manager(using).get_for_models(*models, for_concrete_models=False)
    wanted = {}
    for model, content_type in content_types.items():
        for action in PERMISSION_VERBS:
            wanted[content_type.pk, f"{action}_{model._meta.model_name}"] = permission_name(model, action)
    permissions = Permission.objects.using(using).filter(content_type__in=content_types.values())
    renamed = []
    for permission in permissions:
        name = wanted.get((permission.content_type_id, permission.codename))
        if name and permission.name != name:
            permission.name = name
            renamed.append(permission)
    Permission.objects.using(using).bulk_update(renamed, ["name"])
