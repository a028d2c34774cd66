"""Settings shared by every environment; values come from the environment (django-environ).

Importing them starts nothing. Without DATABASE_URL / REDIS_URL in the environment, they are read from
var/services.env, written by `make services` when it starts the project's own PostgreSQL and Redis
(config/local_services.py).
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# Never overrides a variable already set; a missing file is no error (the check comes below).
SERVICES_ENV_FILE = Path(env.str("CAP_VAR_DIR", default=str(BASE_DIR / "var"))).expanduser() / "services.env"
environ.Env.read_env(SERVICES_ENV_FILE)
for _name in ("DATABASE_URL", "REDIS_URL"):
    if not env.str(_name, default=""):
        raise ImproperlyConfigured(
            f"{_name} is not set and {SERVICES_ENV_FILE} does not give it: run `make services` "
            "(it starts PostgreSQL and Redis under var/ and writes that file), or set DATABASE_URL and REDIS_URL."
        )

SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The site's address, for links in e-mails sent without a request (Celery beat): the first trusted origin
# (https://SITE_DOMAIN under docker-compose) unless SITE_URL says otherwise.
SITE_URL = env.str("SITE_URL", default=(CSRF_TRUSTED_ORIGINS or ["http://127.0.0.1:8000"])[0]).rstrip("/")

INSTALLED_APPS = [
    "tenancy.admin_apps.OperatorsAdminConfig",  # Django's admin, with a required second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "tenancy",
    "territories",
    "documents",
    "roadmap",
    "fiches",
    "adoption",
    "projectgroup",
    "diagnostics",
    "workshops",
    "chantiers",
    "resourcemaps",
    "inspiration",
    "evaluation",
    "questionnaires",
    "onboarding",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A NUL byte in a URL or a form is a 400, never a server error (tenancy.request_checks).
    "tenancy.request_checks.RejectMalformedInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tenancy.middleware.TenantMiddleware",
    "tenancy.headers.SecurityHeadersMiddleware",
    # Last: turns a locked-out login into the French "too many attempts" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenancy.context_processors.tenant",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {"default": env.db_url("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

REDIS_URL = env.str("REDIS_URL")

AUTH_USER_MODEL = "tenancy.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a throttled login before any password is checked (django-axes).
    "tenancy.backends.ThrottledLoginBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A password-reset link is valid for this long (Django's default is three days).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60 * 2)
LOGIN_URL = "tenancy:login"
LOGIN_REDIRECT_URL = "tenancy:home"
LOGOUT_REDIRECT_URL = "tenancy:login"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# Absolute: a relative STATIC_URL takes the script prefix of the request during which the storage is first built,
# and a tenant request's prefix is `/<slug>/` (tenancy.middleware), which would then stick to every page's assets.
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "var" / "static"))
MEDIA_URL = "/media/"  # absolute too, for the same reason
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Cap Partagé <ne-pas-repondre@cap-partage.fr>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# Where join requests are announced (the service's operators); staff users are told too.
OPERATOR_EMAILS = env.list("OPERATOR_EMAILS", default=[])

# Reverse proxies in front of the app that append the client's address to X-Forwarded-For (0: none, the client
# connects directly). Every throttle keys on the address they forwarded (tenancy.client_ip), never on a header a
# client could write itself.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one account, or from one address,
# logins are refused for a few minutes, then accepted again — a third party cannot lock a person out for longer.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=5))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "tenancy.backends.login_username"
AXES_CLIENT_IP_CALLABLE = "tenancy.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "tenancy.views.login_throttled"
AXES_VERBOSE = False
# Successful logins are not logged by axes (Django records last_login): a smaller table, less personal data.
AXES_DISABLE_ACCESS_LOG = True

# Two-factor authentication (TOTP) for those who turn it on.
OTP_TOTP_ISSUER = "Cap Partagé"

# Security headers sent on every response (tenancy.headers); production adds HSTS and secure cookies.
SECURE_CONTENT_TYPE_NOSNIFF = True
CSRF_FAILURE_VIEW = "tenancy.views.csrf_failure"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No page may be framed, but the diagnostic's own map page (tenancy.headers).
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="cap"),
    }
}

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_ACKS_LATE = False
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = TIME_ZONE

# Reference data (communes, INSEE, IFN…) for the demo and the diagnostic importers.
CAP_DATA_DIR = env.path("CAP_DATA_DIR", default=str(BASE_DIR.parent / "shared" / "data"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# The publisher, host and contacts shown on the legal pages (onboarding/templates/legal/).
LEGAL = {
    "publisher": env.str("LEGAL_PUBLISHER", default="Cap Partagé (éditeur à renseigner : LEGAL_PUBLISHER)"),
    "address": env.str("LEGAL_ADDRESS", default="adresse à renseigner (LEGAL_ADDRESS)"),
    "director": env.str("LEGAL_PUBLICATION_DIRECTOR", default="à renseigner (LEGAL_PUBLICATION_DIRECTOR)"),
    "host": env.str("LEGAL_HOST", default="hébergeur à renseigner (LEGAL_HOST)"),
    "contact_email": env.str("LEGAL_CONTACT_EMAIL", default="contact@cap-partage.fr"),
    "dpo_email": env.str("LEGAL_DPO_EMAIL", default="dpo@cap-partage.fr"),
    "accessibility_audit": env.str("LEGAL_ACCESSIBILITY_AUDIT", default=""),
}
