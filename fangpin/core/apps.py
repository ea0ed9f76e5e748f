from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fangpin.core"
    label = "core"
    verbose_name = "基础（区划与审计）"

    def ready(self) -> None:
        import fangpin.core.db_checks  # noqa: F401  (registers the fangpin.E010–E014 durability check)
        from fangpin.core import pi  # noqa: F401  (registers the fangpin.E001 key check)
        from fangpin.core.auth_events import auth_events_connect

        auth_events_connect()
