from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "fangpin.imports"
    label = "imports"
    verbose_name = "Excel导入"
    default_auto_field = "django.db.models.BigAutoField"
