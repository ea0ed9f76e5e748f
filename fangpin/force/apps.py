from django.apps import AppConfig


class ForceConfig(AppConfig):
    name = "fangpin.force"
    label = "force"
    verbose_name = "帮扶力量与项目"
    default_auto_field = "django.db.models.BigAutoField"
