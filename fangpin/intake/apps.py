from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "fangpin.intake"
    label = "intake"
    verbose_name = "农户自主申报"
    default_auto_field = "django.db.models.BigAutoField"
