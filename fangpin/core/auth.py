"""Login hardening: password rules, lockout and IP throttle, the TOTP second factor.

docs/login.md tells the whole story; in short:

- **Lockout per (account, IP)** (SEC-AUTH-4). django-axes counts failures per username *and*
  client IP together; ``FANGPIN_LOGIN_FAILURE_LIMIT`` failures lock that pair for
  ``FANGPIN_LOGIN_COOLOFF_MINUTES``. Locking the pair, not the account, is deliberate: an attacker
  elsewhere cannot lock a real official out of their own office PC.
- **Throttle per IP** (ASVS 6.1.1). ``FANGPIN_LOGIN_IP_FAILURE_LIMIT`` failures from one IP
  within ``FANGPIN_LOGIN_IP_WINDOW_MINUTES``, whatever the usernames, refuse every login from
  that IP. Refused attempts count too, so an attacker who keeps going stays refused.
- **TOTP** (SEC-AUTH-5, MLPS 身份鉴别 d). django-otp devices, one per user, enrolled by the
  security administrator with ``fangpin totp enroll``. ``FANGPIN_REQUIRE_TOTP`` makes it
  mandatory for everyone; otherwise it is required only of users who enrolled.

Lockouts and throttles are audited (``auth.lockout``, ``auth.ip_throttled``); every single
failure reaches the audit log through Django's ``user_login_failed`` signal.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessFailureLog
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import password_validation
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.plugins.otp_totp.models import TOTPDevice

from fangpin.core.audit import audit_record
from fangpin.core.errors import FangpinError
from fangpin.core.models import AuditResult, User

__all__ = [
    "ContextWordsValidator",
    "LoginError",
    "LoginForm",
    "LoginGuardHandler",
    "MaximumLengthValidator",
    "MinimumLengthValidator",
    "SecondFactorAdminSite",
    "SecondFactorRequiredMiddleware",
    "second_factor_satisfied",
    "totp_devices_remove",
    "totp_enroll_confirm",
    "totp_enroll_start",
]

_GUARD_ACTOR = "system:login_guard"


class LoginError(FangpinError):
    """A login-administration request the core refuses. ``str(exc)`` is the Chinese message.

    Codes: ``unknown_user``, ``no_pending_device`` (confirming without ``enroll`` first),
    ``invalid_code`` (the TOTP code did not verify).
    """


# --- Password rules (SEC-AUTH-2) --------------------------------------------------------------


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's minimum length, with its message in Chinese.

    Django 5.2 changed this message's msgid (``%d`` instead of ``%(min_length)d``) and the
    zh_Hans catalogue was not updated, so the stock validator answers in English.
    """

    def get_error_message(self) -> str:
        return _("密码长度太短。密码必须包含至少 %(min_length)d 个字符。") % {
            "min_length": self.min_length
        }

    def get_help_text(self) -> str:
        return _("密码至少 %(min_length)d 个字符。") % {"min_length": self.min_length}


class MaximumLengthValidator:
    """Refuse passwords longer than ``max_length`` (128): long enough for any passphrase
    (ASVS asks that at least 64 are accepted), short enough that hashing stays cheap."""

    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: object = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                _("密码太长，最多 %(max_length)d 个字符。"),
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self) -> str:
        return _("密码最多 %(max_length)d 个字符。") % {"max_length": self.max_length}


class ContextWordsValidator:
    """Refuse passwords containing the system's own name or the work's everyday words.

    These are the first guesses against a poverty-monitoring system (SEC-AUTH-2 "context
    list"); the common-password list does not know them.
    """

    WORDS = (
        "fangpin",
        "fanpin",
        "fupin",
        "fangfanpin",
        "xiangcun",
        "zhenxing",
        "jiance",
        "bangfu",
        "mima",
        "admin",  # admin1234567 passes the length and common-list checks
        "防贫",
        "返贫",
        "扶贫",
        "乡村振兴",
        "密码",
    )

    def validate(self, password: str, user: object = None) -> None:
        lowered = password.lower()
        if any(word in lowered for word in self.WORDS):
            raise ValidationError(
                _("密码不能包含系统名称或业务常用词（如 fangpin、fupin、防贫）。"),
                code="password_context_word",
            )

    def get_help_text(self) -> str:
        return _("密码不能包含系统名称或业务常用词。")


# --- Lockout per (account, IP) and throttle per IP (SEC-AUTH-4) ------------------------------


def account_failure_limit(request: HttpRequest, credentials: dict[str, Any] | None) -> int:
    """AXES_FAILURE_LIMIT: read at run time so tests and operators change one setting."""
    return int(settings.FANGPIN_LOGIN_FAILURE_LIMIT)


def account_cooloff(request: HttpRequest | None = None) -> timedelta:
    """AXES_COOLOFF_TIME: how long a locked (account, IP) pair stays locked."""
    return timedelta(minutes=settings.FANGPIN_LOGIN_COOLOFF_MINUTES)


def _ip_failures(request: HttpRequest) -> int:
    """Failed logins from the request's IP within the throttle window, whatever the username."""
    ip = getattr(request, "axes_ip_address", None)
    if not ip:
        return 0
    since = timezone.now() - timedelta(minutes=settings.FANGPIN_LOGIN_IP_WINDOW_MINUTES)
    return int(AccessFailureLog.objects.filter(ip_address=ip, attempt_time__gte=since).count())


class LoginGuardHandler(AxesDatabaseHandler):  # type: ignore[misc]  # axes ships no types
    """django-axes' database handler, plus the per-IP throttle and the audit events.

    ``is_locked`` runs before the password is checked (from ``AxesStandaloneBackend``);
    ``user_login_failed`` after every failure, refused attempts included. The state seen by
    the first is kept on the request so the second audits only the failure that *starts* a
    lockout or throttle, not every refused attempt after it.
    """

    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        ip_throttled = _ip_failures(request) >= settings.FANGPIN_LOGIN_IP_FAILURE_LIMIT
        account_locked = bool(super().is_locked(request, credentials))
        request.fangpin_ip_was_throttled = ip_throttled  # type: ignore[attr-defined]
        request.fangpin_account_was_locked = account_locked  # type: ignore[attr-defined]
        return ip_throttled or account_locked

    def user_login_failed(
        self,
        sender: object,
        credentials: dict[str, Any],
        request: HttpRequest | None = None,
        **kwargs: Any,
    ) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None:
            return
        username = str(get_client_username(request, credentials) or "")[:64]
        ip = request.axes_ip_address  # type: ignore[attr-defined]
        account_locked = bool(request.axes_locked_out)  # type: ignore[attr-defined]
        ip_failures = _ip_failures(request)
        ip_throttled = ip_failures >= settings.FANGPIN_LOGIN_IP_FAILURE_LIMIT
        with transaction.atomic():
            if account_locked and not getattr(request, "fangpin_account_was_locked", False):
                audit_record(
                    actor=_GUARD_ACTOR,
                    action="auth.lockout",
                    object_type="user_login",
                    object_id=username,
                    changes={
                        "username": username,
                        "ip": ip,
                        "failures": request.axes_failures_since_start,  # type: ignore[attr-defined]
                        "cooloff_minutes": settings.FANGPIN_LOGIN_COOLOFF_MINUTES,
                    },
                    result=AuditResult.DENIED,
                    request=request,
                )
            if ip_throttled and not getattr(request, "fangpin_ip_was_throttled", False):
                audit_record(
                    actor=_GUARD_ACTOR,
                    action="auth.ip_throttled",
                    object_type="client_ip",
                    object_id=ip,
                    changes={
                        "ip": ip,
                        "failures": ip_failures,
                        "window_minutes": settings.FANGPIN_LOGIN_IP_WINDOW_MINUTES,
                        "last_username": username,
                    },
                    result=AuditResult.DENIED,
                    request=request,
                )
        if ip_throttled and not account_locked:
            # AxesMiddleware shows the lockout page whenever this flag is set.
            request.axes_locked_out = True  # type: ignore[attr-defined]
            request.axes_credentials = credentials  # type: ignore[attr-defined]
        request.fangpin_refusal = (  # type: ignore[attr-defined]
            "account" if account_locked else "ip" if ip_throttled else ""
        )


def login_refused_message(reason: str) -> str:
    """The Chinese message for a refused login: the account pair's lock or the IP's throttle."""
    if reason == "ip":
        minutes = settings.FANGPIN_LOGIN_IP_WINDOW_MINUTES
        return _("此网络地址登录失败次数过多，请%(minutes)d分钟后再试") % {"minutes": minutes}
    minutes = settings.FANGPIN_LOGIN_COOLOFF_MINUTES
    return _("登录失败次数过多，请%(minutes)d分钟后再试") % {"minutes": minutes}


def login_refused_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: a 429 page in the admin's look with the Chinese message."""
    reason = getattr(request, "fangpin_refusal", "") or "account"
    context = {
        **admin.site.each_context(request),
        "title": _("登录受限"),
        "message": login_refused_message(reason),
    }
    return render(request, "core/login_refused.html", context, status=429)


# --- The second factor (SEC-AUTH-5) -----------------------------------------------------------


def second_factor_required_for(user: Any) -> bool:
    """Everyone when FANGPIN_REQUIRE_TOTP is on; otherwise those who enrolled a device."""
    if settings.FANGPIN_REQUIRE_TOTP:
        return True
    return bool(TOTPDevice.objects.devices_for_user(user, confirmed=True).exists())


def second_factor_satisfied(request: HttpRequest) -> bool:
    """Whether the request's session may reach protected pages as far as TOTP is concerned."""
    if not settings.FANGPIN_REQUIRE_TOTP:
        return True
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified is not None and is_verified())


class LoginForm(OTPAuthenticationFormMixin, AdminAuthenticationForm):  # type: ignore[misc]
    """The admin login form with one more field, the TOTP code, checked when required.

    A wrong or replayed code counts as a failed login (``user_login_failed``), so the lockout
    and the IP throttle cover the second factor too; django-otp's own per-device throttle
    (exponential back-off) comes on top.
    """

    otp_token = forms.CharField(
        label="动态验证码",
        required=False,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
    )
    otp_error_messages: ClassVar[dict[str, Any]] = {
        **OTPAuthenticationFormMixin.otp_error_messages,
        "token_required": "请输入手机验证器上显示的 6 位动态验证码。",
        "invalid_token": "动态验证码不正确或已经用过，请等下一个验证码出现后再输入。",
        "n_failed_attempts": "动态验证码错误次数过多，请稍后再试。",
        "verification_not_allowed": "暂时不能验证动态验证码，请稍后再试。",
        "device_required": "该账号尚未绑定动态验证码，请联系安全管理员绑定后再登录。",
    }

    @property
    def totp_required_for_everyone(self) -> bool:
        return bool(settings.FANGPIN_REQUIRE_TOTP)

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()  # the password, through authenticate()
        user = self.get_user()
        if user is not None and second_factor_required_for(user):
            try:
                if not TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
                    raise ValidationError(
                        self.otp_error_messages["device_required"], code="device_required"
                    )
                self.clean_otp(user)
            except ValidationError:
                user_login_failed.send(
                    sender=__name__,
                    credentials={"username": user.get_username()},
                    request=self.request,
                )
                raise
        return cleaned

    def _update_form(self, user: Any) -> None:
        # django-otp would echo the password back into the re-shown form (render_value) and
        # fill a device picker; we have no picker, and the password is typed again.
        return None

    def _chosen_device(self, user: Any) -> TOTPDevice | None:
        # One TOTP device per user (``totp_enroll_confirm`` keeps it so): no device picker.
        # Locked for update so two logins cannot both spend the same code.
        return (
            TOTPDevice.objects.devices_for_user(user, confirmed=True)
            .select_for_update()
            .order_by("pk")
            .first()
        )


class SecondFactorAdminSite(admin.AdminSite):
    """The admin with our login form; without a verified TOTP code (when required) a staff
    account counts as not permitted, like django-otp's ``OTPAdminSite``."""

    login_form = LoginForm
    login_template = "core/login.html"

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and second_factor_satisfied(request)


class SecondFactorRequiredMiddleware(LoginRequiredMiddleware):
    """After ``LoginRequiredMiddleware``: a logged-in session that has not passed TOTP (when
    FANGPIN_REQUIRE_TOTP is on) is sent back to the login page, whatever the view."""

    def process_view(
        self,
        request: HttpRequest,
        view_func: Any,
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        if not getattr(view_func, "login_required", True):
            return None
        if not request.user.is_authenticated or second_factor_satisfied(request):
            return None
        return self.handle_no_permission(request, view_func)


# --- TOTP enrolment (services for ``fangpin totp``) -------------------------------------------


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise LoginError("unknown_user", f"用户 {username} 不存在")
    return user


@transaction.atomic
def totp_enroll_start(*, username: str, actor: object) -> TOTPDevice:
    """Create an unconfirmed TOTP device for ``username``; its ``config_url`` goes to the phone.

    The user's current device (if any) keeps working until the new one is confirmed, so a
    re-enrolment that is never finished locks nobody out.
    """
    user = _user(username)
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, name="动态验证码", confirmed=False)
    audit_record(
        actor=actor,
        action="auth.totp_enroll_start",
        object_type="user",
        object_id=user.pk,
        changes={"username": username, "device": device.pk},
    )
    return device


def totp_enroll_confirm(*, username: str, code: str, actor: object) -> TOTPDevice:
    """Confirm the pending device with a code from the phone; it replaces any older device."""
    with transaction.atomic():
        user = _user(username)
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("-pk")
            .first()
        )
        if device is None:
            raise LoginError("no_pending_device", f"用户 {username} 没有待确认的动态验证码绑定")
        verified = device.verify_token(code.strip())
        if verified:
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            audit_record(
                actor=actor,
                action="auth.totp_enrolled",
                object_type="user",
                object_id=user.pk,
                changes={"username": username, "device": device.pk},
            )
    # Outside the block: a wrong code must still commit the device's throttle counter.
    if not verified:
        raise LoginError("invalid_code", "动态验证码不正确，请核对手机时间后重新输入")
    return device


@transaction.atomic
def totp_devices_remove(*, username: str, actor: object) -> int:
    """Remove every TOTP device of ``username`` (a lost phone); returns how many went."""
    user = _user(username)
    removed, _by_model = TOTPDevice.objects.filter(user=user).delete()
    audit_record(
        actor=actor,
        action="auth.totp_removed",
        object_type="user",
        object_id=user.pk,
        changes={"username": username, "devices": removed},
    )
    return int(removed)
