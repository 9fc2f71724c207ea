"""session_core_driver.django: sessions for Django, plain and async views, and DRF.

    INSTALLED_APPS = [..., "session_core_driver.django"]
    MIDDLEWARE = [..., "session_core_driver.django.SessionCoreMiddleware"]
    SESSION_CORE = {"TARGET": "127.0.0.1:7380", "API_KEY": "sck_...",
                    "API_ORIGIN": "https://example.com"}
    # urls.py: path("", include("session_core_driver.django.urls"))

    @session_required
    def me(request):
        return JsonResponse({"user": request.session_core.session.user_id})

Settings are read once, when Django starts (see `session_core_driver.django.settings`).
"""

from __future__ import annotations

from session_core_driver.django.errors import SessionBadRequest, SessionPermissionDenied
from session_core_driver.django.middleware import SessionCoreMiddleware
from session_core_driver.django.protection import (
    SessionRequiredMixin,
    session_core_of,
    session_required,
)
from session_core_driver.django.session import DjangoSession
from session_core_driver.django.state import RequestSessionCore
from session_core_driver.web.validators import claim_equals, claim_includes

__all__ = [
    "DjangoSession",
    "RequestSessionCore",
    "SessionBadRequest",
    "SessionCoreMiddleware",
    "SessionPermissionDenied",
    "SessionRequiredMixin",
    "claim_equals",
    "claim_includes",
    "session_core_of",
    "session_required",
]
