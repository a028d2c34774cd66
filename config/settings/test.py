from config.settings.base import *  # noqa: F403
from config.settings.base import BASE_DIR, CACHES, DATABASES, env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests run tasks inline (the test database lives in the test process); `make run` and the benches use a real worker.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CACHES["default"]["KEY_PREFIX"] = "cap-test"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Several test runs may share one PostgreSQL server (e.g. parallel work trees): TEST_DB_NAME separates them.
DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DB_NAME", default="test_cap_partage")}
# Files written by tests (exports, uploads) stay apart from the dev server's.
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
