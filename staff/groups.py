"""The staff groups, created by the migration staff/0001 (docs/comptes.md).

- « Rédaction » edits the content (partners, actions, places, events);
- « Inscriptions aux événements » sees and takes the registrations to the events on the site
  (names and contacts of the people coming): the team running the events, not every editor;
- « Mutuelle » works the interest requests and keeps the mutuelle's reference data. Its members,
  and superusers, see applicants' personal data and must use two-factor authentication.

Each app grants its own models' permissions to these groups in its migrations.
"""

EDITORS_GROUP = "Rédaction"
MUTUELLE_GROUP = "Mutuelle"
# The staff who run the events: they see and take the registrations (created by events/0013).
REGISTRATIONS_GROUP = "Inscriptions aux événements"

# The groups whose members work in the admin: putting an account in one gives it the staff
# status (staff/accounts.py). A group added by a later migration is added here too.
STAFF_GROUPS = (EDITORS_GROUP, MUTUELLE_GROUP, REGISTRATIONS_GROUP)


def group_names(user):
    """The names of ``user``'s groups: asked once per request (the answer stays on the user)."""
    cached = getattr(user, "_cls_group_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._cls_group_names = cached
    return cached


def in_mutuelle_group(user):
    """Whether ``user`` belongs to « Mutuelle »."""
    return MUTUELLE_GROUP in group_names(user)


def in_registrations_group(user):
    """Whether ``user`` belongs to « Inscriptions aux événements » (they see people's names and contacts)."""
    return REGISTRATIONS_GROUP in group_names(user)
