"""Who a command acts as: the system (``"system:cli"``) or, with ``--as-user``, an account."""

from __future__ import annotations

from typing import Any, Final

__all__ = ["CLI_ACTOR", "cli_actor"]

CLI_ACTOR: Final = "system:cli"


def cli_actor(as_user: str | None) -> Any:
    """The system without ``as_user``; else that active account, or a clear error."""
    if not as_user:
        return CLI_ACTOR
    from fangpin.cli import fail
    from fangpin.core.models import User

    user = User.objects.filter(username=as_user, is_active=True).first()
    if user is None:
        raise fail(f"用户 {as_user} 不存在或已停用")
    return user
