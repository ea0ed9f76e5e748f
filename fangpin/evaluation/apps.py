from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "fangpin.evaluation"
    label = "evaluation"
    verbose_name = "评估与核查"
    default_auto_field = "django.db.models.BigAutoField"
