"""Hypothesis profiles of the property-based tests (tests/robustness/test_fuzz.py).

- ``cls`` (the default): a bounded number of examples per test, so that the whole file runs in
  well under a minute on SQLite and on PostgreSQL; derandomized when ``CI`` is set, so that a
  CI run can be reproduced exactly (and no example database is kept between runs).
- ``cls-approfondi``: many more examples, for a long run by hand:
  ``HYPOTHESIS_PROFILE=cls-approfondi .venv/bin/python -m pytest tests/robustness/test_fuzz.py``.
"""

import os

from hypothesis import HealthCheck, settings

COMMON = {
    "deadline": None,  # a request to a test server has no stable duration: no timing assertion
    "database": None,  # no .hypothesis/ directory in the project; failures print their example
    "print_blob": True,
    # The Django fixtures (client, db) are function-scoped on purpose: each example clears the
    # cache and checks the row counts itself.
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
}

settings.register_profile("cls", max_examples=25, derandomize=bool(os.environ.get("CI")), **COMMON)
settings.register_profile("cls-approfondi", max_examples=500, **COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "cls"))
