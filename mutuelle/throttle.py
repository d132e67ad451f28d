"""How many interest requests one client address may send (settings MUTUELLE_FORM_RATE and _FLOOD_RATE).

Two counts, kept by django-ratelimit in the ``ratelimit`` cache, which every worker and every
instance shares (Redis, or a table of the database: core/db_cache.py):

- **submissions**: the requests actually recorded, and what robots send (the honeypot filled, a
  form sent again with a token already used). A form returned to the person with a mistake to
  correct is never counted, so nobody is locked out for typing errors. Checked before the form is
  read, counted once it is handled: two posts of one address at the very same moment may both
  pass the check, so the limit can be exceeded by the number of posts served at once, never more.
- **posts**: every POST from the address, counted before anything else, against a much higher
  ceiling that only stops floods.
"""

from django.conf import settings
from django_ratelimit.core import get_usage

SUBMISSIONS = "mutuelle.request_form.submissions"
POSTS = "mutuelle.request_form.posts"


def submission_rate(group, request):
    """Read at each request, so that tests and deployments can change the setting."""
    return settings.MUTUELLE_FORM_RATE


def flood_rate(group, request):
    return settings.MUTUELLE_FORM_FLOOD_RATE


def _usage(request, group, rate, *, increment):
    return get_usage(request, group=group, key="ip", rate=rate, method="POST", increment=increment)


def post_is_flooding(request):
    """Count this POST; whether the address went past the flood ceiling (then nothing is read)."""
    usage = _usage(request, POSTS, flood_rate, increment=True)
    return usage is not None and usage["should_limit"]


def submissions_exhausted(request):
    """Whether the address has used every submission of its window (nothing is counted)."""
    usage = _usage(request, SUBMISSIONS, submission_rate, increment=False)
    # Not yet counted: the limit is reached when the count equals it. A store that cannot be
    # read gives count 0 and limit 0: refused, as django-ratelimit does.
    return usage is not None and usage["count"] >= usage["limit"]


def count_submission(request):
    """A request was recorded, or a robot's post was handled: it uses one submission."""
    _usage(request, SUBMISSIONS, submission_rate, increment=True)
