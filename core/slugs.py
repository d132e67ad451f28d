"""Free slugs: ``base``, or ``base-2``, ``base-3``… the first one not used yet.

Used wherever the site makes a slug itself (copies of events, « Enregistrer comme nouvel élément »
in the admin), so that a copy never collides with its original.
"""

SUFFIX_ROOM = 4  # room kept for « -99 »


def unique_slug(queryset, base, *, field="slug", taken=()):
    """The first of ``base``, ``base-2``, ``base-3``… that no row of ``queryset`` (nor ``taken``) uses.

    ``base`` is cut to leave room for the suffix within the field's ``max_length``. One query.
    """
    max_length = queryset.model._meta.get_field(field).max_length
    base = base[: max_length - SUFFIX_ROOM].strip("-")
    used = set(queryset.filter(**{f"{field}__startswith": base}).values_list(field, flat=True)) | set(taken)
    slug, suffix = base, 2
    while slug in used:
        slug, suffix = f"{base}-{suffix}", suffix + 1
    return slug
