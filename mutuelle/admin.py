# The mutuelle's back-office. The offer, its formulas and the CSS scales are registered in
# admin_offer.py (content, « Rédaction » group); the interest requests and their
# follow-up in admin_requests.py (personal data, « Mutuelle » group only).
from . import admin_offer  # noqa: F401
from .admin_requests import InterestRequestAdmin  # noqa: F401
