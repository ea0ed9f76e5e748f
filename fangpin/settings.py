"""One env-driven settings module.

Every knob comes from the environment with strict parsing: a malformed value stops start-up with
a message naming the variable, rather than running with a silent default.

Variables:
    DATABASE_URL         sqlite:///path or postgres://user@host:port/db (default: SQLite in var/)
    FANGPIN_VAR_DIR      where the SQLite file, uploads and job files live (default ./var)
    FANGPIN_MODE         demo | test | production (default demo); production refuses unsafe defaults
    FANGPIN_SECRET_KEY   required in production
    FANGPIN_DEBUG        true/false (default false)
    FANGPIN_ALLOWED_HOSTS comma-separated (default 127.0.0.1,localhost,testserver)

Login and sessions (docs/login.md):
    FANGPIN_LOGIN_FAILURE_LIMIT     failures of one account from one IP before it is locked (5)
    FANGPIN_LOGIN_COOLOFF_MINUTES   how long that lock lasts, from the last failure (30)
    FANGPIN_LOGIN_IP_FAILURE_LIMIT  failures from one IP (any usernames) before it is refused (20)
    FANGPIN_LOGIN_IP_WINDOW_MINUTES the sliding window those IP failures are counted in (15)
    FANGPIN_SESSION_IDLE_MINUTES    a session ends after this long without a request (30)
    FANGPIN_SESSION_MAX_HOURS       and at the latest this long after login (12)
    FANGPIN_REQUIRE_TOTP            true/false: every login needs a TOTP code (default: true in
                                    production, false in demo and test)

Audit and alerts (docs/audit.md):
    FANGPIN_AUDIT_SINK              file receiving a JSON-line copy of every audit event
                                    (default $FANGPIN_VAR_DIR/log/audit.jsonl; empty: off)
    FANGPIN_AUDIT_SYSLOG            also send that copy to syslog: /dev/log or host:port
    FANGPIN_READ_ALERT_PER_HOUR     distinct households one account may open in an hour
                                    before an alert.bulk_read event (200; 0: never)

Screening (docs/casework.md):
    FANGPIN_SCREENING_MEMORY_LIMIT  DuckDB memory bound of a screening run, e.g. 2GB, 8GB
                                    (2GB; the rest spills to temporary files)

Accounts (docs/access.md):
    FANGPIN_PASSWORD_MAX_AGE_DAYS   a password older than this must be changed before any other
                                    page; 0 = never (default: 90 in production, 0 in demo/test)
    FANGPIN_PASSWORD_HISTORY        a new password may not repeat any of the last N (5)
    FANGPIN_DORMANT_DAYS            `fangpin user disable-dormant` disables accounts without a
                                    login for this many days; 0 = never (90)

Assistance (docs/assistance.md):
    FANGPIN_VISIT_INTERVAL_DAYS     a monitored household not visited for this many days is on
                                    the visit coverage list (30)

Exports (docs/exports.md):
    FANGPIN_EXPORT_APPROVAL_ROWS    an export of more rows than this (or any unmasked one) waits
                                    for a county approver (5000)
    FANGPIN_EXPORT_PER_HOUR         exports one account may download in any 60 minutes; the
                                    next one is refused with 429 (100)
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


class SettingsError(RuntimeError):
    """A malformed environment variable."""


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def _env_int(name: str, default: int, *, minimum: int, maximum: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    text = raw.strip()
    if not text.isascii() or not text.isdigit():
        raise SettingsError(f"{name} must be a whole number, got {raw!r}")
    value = int(text)
    if not minimum <= value <= maximum:
        raise SettingsError(f"{name} must be between {minimum} and {maximum}, got {value}")
    return value


def _env_choice(name: str, default: str, choices: set[str]) -> str:
    value = os.environ.get(name, default).strip().lower() or default
    if value not in choices:
        raise SettingsError(f"{name} must be one of {sorted(choices)}, got {value!r}")
    return value


def parse_database_url(url: str, *, var_dir: Path) -> dict[str, object]:
    """Turn DATABASE_URL into a Django DATABASES entry, with our SQLite and PostgreSQL options.

    SQLite runs in WAL mode with synchronous=FULL (the register must survive power loss, see
    SECURITY.md §0.5), IMMEDIATE transactions (so writers queue on the busy timeout instead of
    failing on lock upgrade) and a 20 s busy timeout.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        raw_path = unquote(parts.path)
        if raw_path.startswith("/"):  # sqlite:///relative/path or sqlite:////abs/path
            raw_path = raw_path[1:]
        if raw_path in {"", ":memory:"}:
            name: str | Path = ":memory:"
        else:
            path = Path(raw_path)
            name = path if path.is_absolute() else (BASE_DIR / path)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=FULL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                ),
            },
            "TEST": {"NAME": None},
        }
    if scheme in {"postgres", "postgresql", "pgsql"}:
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        db_name = unquote(parts.path.lstrip("/"))
        if not db_name:
            raise SettingsError("DATABASE_URL for PostgreSQL must name a database")
        # JIT compilation costs more than it saves on the app's short queries (a deep list page
        # took p95 203 ms with it, 144 ms without; docs/benchmarks.md). ?options=… overrides.
        options: dict[str, object] = {"options": "-c jit=off"}
        options.update(query)
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": db_name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 60,
            "OPTIONS": options,
        }
    raise SettingsError(f"DATABASE_URL scheme {scheme!r} is not supported (use sqlite or postgres)")


MODE = _env_choice("FANGPIN_MODE", "demo", {"demo", "test", "production"})
VAR_DIR = Path(os.environ.get("FANGPIN_VAR_DIR") or BASE_DIR / "var").resolve()
DEBUG = _env_bool("FANGPIN_DEBUG", False)
if DEBUG and MODE == "production":  # a traceback and the settings on every error page (W018)
    raise SettingsError("FANGPIN_DEBUG must be false when FANGPIN_MODE=production")

_secret = os.environ.get("FANGPIN_SECRET_KEY", "")
if not _secret:
    if MODE == "production":
        raise SettingsError("FANGPIN_SECRET_KEY is required when FANGPIN_MODE=production")
    _secret = "fangpin-demo-and-test-only-secret-key-never-use-in-production"
SECRET_KEY = _secret

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("FANGPIN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
# Reverse proxies whose X-Forwarded-For is believed (addresses or CIDRs, comma-separated).
# Empty: the client address is REMOTE_ADDR. Behind a proxy this MUST be set, or the per-IP
# login throttle sees every official as the proxy's address.
FANGPIN_TRUSTED_PROXY = [
    p.strip() for p in os.environ.get("FANGPIN_TRUSTED_PROXY", "").split(",") if p.strip()
]

DATABASES = {
    "default": parse_database_url(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'fangpin.sqlite3'}",
        var_dir=VAR_DIR,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "fangpin.core",
    "fangpin.registry",
    "fangpin.feeds",
    "fangpin.intake",
    "fangpin.assistance",
    "fangpin.imports",
    "fangpin.supervision",
    "fangpin.casework",
    "fangpin.evaluation",
    "fangpin.force",
    "fangpin.dashboards",
    "ninja",  # its static files: the API docs' Swagger UI, served locally
    "fangpin.api",
    "fangpin.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "fangpin.core.middleware.SecurityHeadersMiddleware",  # CSP: no inline script (scenario 10)
    "fangpin.core.request_id.RequestIdMiddleware",
    "fangpin.core.audit.AuditRequestMiddleware",  # events record the IP, whichever layer writes
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fangpin.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "fangpin.core.sessions.SessionLifetimeMiddleware",  # 12 h after login, the session ends
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): TOTP checked at login
    "django.contrib.auth.middleware.LoginRequiredMiddleware",  # deny by default (SEC-AC-5)
    "fangpin.core.auth.SecondFactorRequiredMiddleware",  # and no TOTP, no page (if required)
    "fangpin.core.password_policy.PasswordChangeRequiredMiddleware",  # must change: that page
    "django.contrib.messages.middleware.MessageMiddleware",
    "fangpin.web.denials.ScopeDenialAuditMiddleware",  # a 404 hiding another region's object
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a refused login into the lockout page
]

ROOT_URLCONF = "fangpin.urls"
WSGI_APPLICATION = "fangpin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "fangpin" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if MODE == "test":  # the same Argon2id at a tiny cost: tests log in hundreds of times
    PASSWORD_HASHERS.insert(0, "fangpin.core.hashers.TestArgon2PasswordHasher")
AUTH_PASSWORD_VALIDATORS = [  # SEC-AUTH-2
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "fangpin.core.auth.MinimumLengthValidator",  # Django's, message in Chinese
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "fangpin.core.auth.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "fangpin.core.auth.ContextWordsValidator"},
]

# --- Login: lockout per account and IP, throttle per IP, optional TOTP (docs/login.md) --------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked (account, IP) pairs and throttled IPs
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "web:login"  # the web app's login page (same form and TOTP check as the admin)
LOGIN_REDIRECT_URL = "web:home"
FANGPIN_LOGIN_FAILURE_LIMIT = _env_int("FANGPIN_LOGIN_FAILURE_LIMIT", 5, minimum=1, maximum=100)
FANGPIN_LOGIN_COOLOFF_MINUTES = _env_int(
    "FANGPIN_LOGIN_COOLOFF_MINUTES", 30, minimum=1, maximum=24 * 60
)
FANGPIN_LOGIN_IP_FAILURE_LIMIT = _env_int(
    "FANGPIN_LOGIN_IP_FAILURE_LIMIT", 20, minimum=1, maximum=10_000
)
FANGPIN_LOGIN_IP_WINDOW_MINUTES = _env_int(
    "FANGPIN_LOGIN_IP_WINDOW_MINUTES", 15, minimum=1, maximum=24 * 60
)
FANGPIN_REQUIRE_TOTP = _env_bool("FANGPIN_REQUIRE_TOTP", MODE == "production")

# --- Accounts: password expiry and history, dormant accounts (docs/access.md) ----------------
FANGPIN_PASSWORD_MAX_AGE_DAYS = _env_int(
    "FANGPIN_PASSWORD_MAX_AGE_DAYS", 90 if MODE == "production" else 0, minimum=0, maximum=3650
)
FANGPIN_PASSWORD_HISTORY = _env_int("FANGPIN_PASSWORD_HISTORY", 5, minimum=0, maximum=24)
FANGPIN_DORMANT_DAYS = _env_int("FANGPIN_DORMANT_DAYS", 90, minimum=0, maximum=3650)

# --- Assistance: how often each monitored household is visited (docs/assistance.md) ----------
FANGPIN_VISIT_INTERVAL_DAYS = _env_int("FANGPIN_VISIT_INTERVAL_DAYS", 30, minimum=1, maximum=366)
FANGPIN_EXPORT_APPROVAL_ROWS = _env_int(
    "FANGPIN_EXPORT_APPROVAL_ROWS", 5000, minimum=1, maximum=1_000_000
)
FANGPIN_EXPORT_PER_HOUR = _env_int("FANGPIN_EXPORT_PER_HOUR", 100, minimum=1, maximum=100_000)

# django-axes counts failures per (username, IP); fangpin.core.auth adds the per-IP throttle.
# Limits and cool-off are read from the FANGPIN_LOGIN_* settings at run time.
AXES_HANDLER = "fangpin.core.auth.LoginGuardHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = "fangpin.core.auth.account_failure_limit"
AXES_COOLOFF_TIME = "fangpin.core.auth.account_cooloff"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # one row per failure: the IP throttle counts these
AXES_CLIENT_IP_CALLABLE = "fangpin.core.audit.request_ip"  # the same client IP as the audit log
AXES_LOCKOUT_CALLABLE = "fangpin.core.auth.login_refused_response"
AXES_ENABLE_ADMIN = False  # the admin stays read-only; locks lift by themselves
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token"]  # masked in axes' rows

OTP_TOTP_ISSUER = "fangpin"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "fangpin" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    BASE_DIR / "fangpin" / "static",
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]

# --- Sessions (SEC-SES-1…3) -----------------------------------------------------------------
FANGPIN_SESSION_IDLE_MINUTES = _env_int(
    "FANGPIN_SESSION_IDLE_MINUTES", 30, minimum=1, maximum=24 * 60
)
FANGPIN_SESSION_MAX_HOURS = _env_int("FANGPIN_SESSION_MAX_HOURS", 12, minimum=1, maximum=7 * 24)
SESSION_COOKIE_AGE = FANGPIN_SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True  # idle timeout: the 30 minutes restart on each request
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
if MODE == "production":
    # HTTPS only; the __Host- prefix makes browsers refuse the cookie unless it is Secure,
    # host-only and Path=/ (ASVS 3.3.1). Demo and test run on plain http and keep the defaults.
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    # HTTPS (`manage.py check --deploy`, docs/security-gates.md). Production sits behind a
    # reverse proxy that terminates TLS, owns port 80 and redirects http to https there; the app
    # listens on a private address behind it. The proxy must overwrite X-Forwarded-Proto with the
    # scheme the browser used: then Django knows a request came over https (HSTS header, absolute
    # URLs such as the intake QR code, the CSRF origin check).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # One year: the __Host- cookies above already make production unusable over plain http, so
    # pinning browsers to https costs nothing. Subdomains are those of the app's own host name.
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SILENCED_SYSTEM_CHECKS = [
        # SECURE_SSL_REDIRECT stays off: the proxy redirects. Django redirecting as well would
        # loop whenever X-Forwarded-Proto does not reach it (waitress, under `fangpin serve`,
        # drops the header from proxies it was not told to trust).
        "security.W008",
        # No HSTS "preload": the browsers' preload list is for public registrable domains
        # submitted by their owner; the token would promise a submission nobody makes.
        "security.W021",
    ]
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# --- Logs (SEC-MSK-1, SEC-AUD-4, SEC-AUD-6) ---------------------------------------------------
# Every console line passes the PI mask; audit events also go, as JSON lines, to a file outside
# the database (and to syslog when FANGPIN_AUDIT_SYSLOG is set). docs/audit.md.
_audit_sink = os.environ.get("FANGPIN_AUDIT_SINK")
FANGPIN_AUDIT_SINK = None if _audit_sink is None else _audit_sink.strip()
FANGPIN_AUDIT_SYSLOG = os.environ.get("FANGPIN_AUDIT_SYSLOG", "").strip()
FANGPIN_READ_ALERT_PER_HOUR = _env_int(
    "FANGPIN_READ_ALERT_PER_HOUR", 200, minimum=0, maximum=1_000_000
)
# DuckDB's memory bound for screening runs of the app (docs/screening.md, Engines and scale).
FANGPIN_SCREENING_MEMORY_LIMIT = os.environ.get("FANGPIN_SCREENING_MEMORY_LIMIT", "2GB").strip()
_audit_handlers = ["audit_sink"]
_log_handlers: dict[str, dict[str, object]] = {
    # "[<request id>] message": the ID the 500 page shows (no prefix outside a request).
    "console": {
        "class": "logging.StreamHandler",
        "filters": ["request_id", "mask_pi"],
        "formatter": "console",
    },
    "audit_sink": {"class": "fangpin.core.audit_sink.AuditSinkHandler"},
}
if FANGPIN_AUDIT_SYSLOG:
    _host, _colon, _port = FANGPIN_AUDIT_SYSLOG.rpartition(":")
    _log_handlers["audit_syslog"] = {
        "class": "logging.handlers.SysLogHandler",
        "address": (_host, int(_port)) if _host and _port.isdigit() else FANGPIN_AUDIT_SYSLOG,
        "facility": "authpriv",
    }
    _audit_handlers.append("audit_syslog")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "mask_pi": {"()": "fangpin.core.logmask.MaskPersonalInfo"},
        "request_id": {"()": "fangpin.core.request_id.RequestIdLogFilter"},
    },
    "formatters": {"console": {"format": "%(request_tag)s%(message)s"}},
    "handlers": _log_handlers,
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "fangpin": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "fangpin.audit": {"handlers": _audit_handlers, "level": "INFO", "propagate": False},
    },
}
