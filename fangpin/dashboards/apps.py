from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "fangpin.dashboards"
    label = "dashboards"
    verbose_name = "看板与月报"
    default_auto_field = "django.db.models.BigAutoField"
