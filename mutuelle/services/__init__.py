"""The mutuelle's writes with side effects, one module per part of an interest request's life.

- ``requests``: creation from the public form (or by an agent) and the mails that go with it;
- ``followup``: the agents' follow-up — status changes through the workflow of
  ``mutuelle.enums.STATUS_TRANSITIONS``, assignment;
- ``retention``: anonymisation after the retention period or on the person's request, and the
  export of everything held on the person;
- ``journal``: the journal of every export of personal data (who, when, what).

Nothing is re-exported here: callers import from the module that does the job.
"""
