from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = "Axes et actions"

    def ready(self):
        from core.cache import register_content_models

        from .models import Action, Audience, Axis, Evaluation, Indicator, Milestone, Neighbourhood, Objective, Theme

        # The public content: a change renews the cached pages that show the « actions » section (core/cache.py).
        register_content_models(
            Axis,
            Objective,
            Theme,
            Audience,
            Neighbourhood,
            Action,
            Indicator,
            Milestone,
            Evaluation,
            section="actions",
        )

        from core.opendata import register_datasets

        from .opendata import ACTIONS, INDICATORS, MILESTONES

        # Published as open data: /donnees/ and /api/ (core/opendata.py).
        register_datasets(ACTIONS, INDICATORS, MILESTONES)
