"""How many interest requests one client address may send (settings MUTUELLE_FORM_RATE and _FLOOD_RATE).

The counters and their rules are core/throttle.py's, shared with the other public forms.
"""

from core.throttle import FormThrottle

_throttle = FormThrottle(
    name="mutuelle.request_form",
    rate_setting="MUTUELLE_FORM_RATE",
    flood_rate_setting="MUTUELLE_FORM_FLOOD_RATE",
)

SUBMISSIONS = _throttle.submissions_group
POSTS = _throttle.posts_group
submission_rate = _throttle.submission_rate
flood_rate = _throttle.flood_rate
post_is_flooding = _throttle.post_is_flooding
submissions_exhausted = _throttle.submissions_exhausted
count_submission = _throttle.count_submission
