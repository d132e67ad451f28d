"""A minimal Django project, the yardstick of ``make bench`` (issue 13): see settings.py."""
