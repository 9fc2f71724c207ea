"""The example project's Django settings, built at start-up for the core it talks to.

No database, no Django sessions or auth: session-core is the session store. The pages
are server-rendered forms, so the anti-CSRF mode is `none` (SameSite=Lax cookies plus
the driver's Origin / Sec-Fetch-Site check on every state-changing request), and
Django's own CSRF middleware is not installed.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def project_settings(target: str, api_key: str, origin: str, port: int) -> dict[str, Any]:
    """Settings for `django.conf.settings.configure` (the example serves `origin`)."""
    return {
        "DEBUG": False,
        "SECRET_KEY": secrets.token_urlsafe(32),  # nothing here is signed across restarts
        "ALLOWED_HOSTS": ["127.0.0.1", "localhost"],
        "ROOT_URLCONF": "examples.django_app.urls",
        "INSTALLED_APPS": ["session_core_driver.django"],
        "MIDDLEWARE": ["session_core_driver.django.SessionCoreMiddleware"],
        "DATABASES": {},
        "USE_TZ": True,
        "TEMPLATES": [
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [HERE / "templates"],
            }
        ],
        "SESSION_CORE": {
            "TARGET": target,
            "API_KEY": api_key,
            "API_ORIGIN": origin,
            "ALLOWED_ORIGINS": (f"http://localhost:{port}",),
            "ANTI_CSRF": "none",
        },
    }
