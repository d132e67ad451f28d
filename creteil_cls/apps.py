from django.apps import AppConfig


class CreteilClsConfig(AppConfig):
    name = "creteil_cls"
    verbose_name = "Portail du CLS"
