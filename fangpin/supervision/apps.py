from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "fangpin.supervision"
    label = "supervision"
    verbose_name = "督查整改"
    default_auto_field = "django.db.models.BigAutoField"
