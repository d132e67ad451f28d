from django.apps import AppConfig


class MutuelleConfig(AppConfig):
    name = "mutuelle"
    verbose_name = "Mutuelle communale"
