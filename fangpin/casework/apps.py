from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "fangpin.casework"
    label = "casework"
    verbose_name = "线索核实"
    default_auto_field = "django.db.models.BigAutoField"
