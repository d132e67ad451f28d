"""Settings of the instances of the load and fault test (bench/load_and_fault.py).

Those of the scale-out tests (tests/scaleout/settings.py: production, mail in memory, static
files from the finders), without WhiteNoise's autorefresh, which looks every request's path up
in the static finders again: a development convenience that production never pays.
"""

from tests.scaleout.settings import *  # noqa: F403

WHITENOISE_AUTOREFRESH = False
