"""The refresh and sign-out views (mounted by `session_core_driver.django.urls`).

Both are exempt from Django's CSRF middleware: the web layer runs its own Origin /
Sec-Fetch-Site and anti-CSRF checks on them, and a failure never clears cookies.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from session_core_driver.django.adapter import to_django
from session_core_driver.django.protection import session_core_of


@csrf_exempt
def refresh(request: HttpRequest) -> HttpResponse:
    """POST <refresh path>: rotate the refresh token and hand out new tokens."""
    return to_django(session_core_of(request).refresh())


@csrf_exempt
def sign_out(request: HttpRequest) -> HttpResponse:
    """POST <sign-out path>: revoke the session and clear it in the client."""
    return to_django(session_core_of(request).sign_out())
