"""The preview of unsaved changes: an object's public page as the admin's form has it, not as saved.

« Prévisualiser » on a content admin's change form posts the form to the admin's preview view
(``core.admin.PreviewAdminMixin``), which validates it as a save would, without saving, and hands
the object in memory to the public page's own view (``core.views.PreviewableViewMixin``): same
context, same template. Nothing is written: no row, no history, no file, no page cache generation.

What the page shows:

- the object's fields and its many-to-many choices (themes, audiences, quartiers, partners, the
  actions of a place…): as in the form, filtered as the public page filters them (an action's
  unpublished partners are not shown to the public, nor in its preview);
- what points at the object (an action's events and places, a partner's actions, a place's
  events): as saved. A new object has none yet.
"""

from django.db.models import Prefetch, prefetch_related_objects

# The primary key a new object gets for its preview, in memory: no row has it (ids start at 1), so
# what points at the object reads as empty, and its many-to-many relations can be used.
UNSAVED_PK = 0


def chosen_relations(form):
    """``{field name: queryset}``: the many-to-many choices of a valid model form, not the saved ones."""
    return {
        field.name: form.cleaned_data[field.name]
        for field in form.instance._meta.many_to_many
        if field.name in form.cleaned_data
    }


def _select_related_paths(tree, prefix=""):
    for name, subtree in tree.items():
        path = f"{prefix}{name}"
        if subtree:
            yield from _select_related_paths(subtree, f"{path}__")
        else:
            yield path


def related_lookups(queryset):
    """What ``queryset`` loads with its objects: its ``select_related`` paths and ``prefetch_related`` lookups."""
    selected = queryset.query.select_related
    paths = list(_select_related_paths(selected)) if isinstance(selected, dict) else []
    return [*paths, *queryset._prefetch_related_lookups]


def load_as_posted(instance, queryset, chosen):
    """``instance`` (in memory) with what ``queryset`` loads with its objects, its many-to-many as ``chosen``.

    ``queryset`` is the public view's: the page finds what it reads, in the same number of queries.
    A chosen relation that the view prefetches through a filtered ``Prefetch`` (an action's
    published partners) is filtered the same way. Nothing is saved.
    """
    if instance.pk is None:
        instance.pk = UNSAVED_PK
    lookups = related_lookups(queryset)
    filtered = {
        lookup.prefetch_through: lookup.queryset
        for lookup in lookups
        if isinstance(lookup, Prefetch) and lookup.to_attr is None and lookup.queryset is not None
    }
    # The related managers read this cache before the database: the choices stand in for the rows.
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, values in chosen.items():
        if name in filtered:
            values = filtered[name].filter(pk__in=values.values("pk"))
        cache[name] = values
    prefetch_related_objects([instance], *lookups)
    return instance
