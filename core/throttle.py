"""How many forms one client address may send: the shared counters of the public forms (issue 6).

Two counts per form, kept by django-ratelimit in the ``ratelimit`` cache, which every worker and
every instance shares (Redis, or a table of the database: core/db_cache.py):

- **submissions**: what was actually recorded, and what robots send (the honeypot filled, a
  form sent again with a token already used). A form returned to the person with a mistake to
  correct is never counted, so nobody is locked out for typing errors. Checked before the form is
  read, counted once it is handled: two posts of one address at the very same moment may both
  pass the check, so the limit can be exceeded by the number of posts served at once, never more.
- **posts**: every POST from the address, counted before anything else, against a much higher
  ceiling that only stops floods.

Each form has its own ``FormThrottle`` (its counters' names and the settings of its two rates),
defined by the app that owns the form: the mutuelle's interest form, the events' registrations.
"""

from django.conf import settings
from django_ratelimit.core import get_usage


class FormThrottle:
    def __init__(self, *, name, rate_setting, flood_rate_setting):
        self.submissions_group = f"{name}.submissions"
        self.posts_group = f"{name}.posts"
        self.rate_setting = rate_setting
        self.flood_rate_setting = flood_rate_setting

    # Rates are read at each request, so that tests and deployments can change the settings.
    def submission_rate(self, group, request):
        return getattr(settings, self.rate_setting)

    def flood_rate(self, group, request):
        return getattr(settings, self.flood_rate_setting)

    def _usage(self, request, group, rate, *, increment):
        return get_usage(request, group=group, key="ip", rate=rate, method="POST", increment=increment)

    def post_is_flooding(self, request):
        """Count this POST; whether the address went past the flood ceiling (then nothing is read)."""
        usage = self._usage(request, self.posts_group, self.flood_rate, increment=True)
        return usage is not None and usage["should_limit"]

    def submissions_exhausted(self, request):
        """Whether the address has used every submission of its window (nothing is counted)."""
        usage = self._usage(request, self.submissions_group, self.submission_rate, increment=False)
        # Not yet counted: the limit is reached when the count equals it. A store that cannot be
        # read gives count 0 and limit 0: refused, as django-ratelimit does.
        return usage is not None and usage["count"] >= usage["limit"]

    def count_submission(self, request):
        """A form was recorded, or a robot's post was handled: it uses one submission."""
        self._usage(request, self.submissions_group, self.submission_rate, increment=True)
