"""The mutuelle's back-office, imported by Django's admin autodiscovery.

- ``offer.py``: the offer, its formulas and prices, the CSS scales (content, « Rédaction » group);
- ``requests.py``: the interest requests and their follow-up (personal data, « Mutuelle » group
  only, with the checks of ``mutuelle/permissions.py``), and its forms in ``forms.py``;
- ``appointments.py``: the appointments at the permanences and how each permanence takes them
  (personal data, « Mutuelle » group only).
"""

from . import appointments, offer, requests  # noqa: F401  (each module registers its ModelAdmins)
