from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "fangpin.assistance"
    label = "assistance"
    verbose_name = "帮扶计划与走访"
    default_auto_field = "django.db.models.BigAutoField"
