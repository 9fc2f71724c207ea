"""URL patterns of the refresh and sign-out views, at the configured paths.

Include them without a prefix, `path("", include("session_core_driver.django.urls"))`:
the refresh-token cookie's Path is SESSION_CORE["REFRESH_PATH"], so the view must be
served exactly there.
"""

from __future__ import annotations

from django.urls import path

from session_core_driver.django import views
from session_core_driver.django.registry import installed

_config = installed().settings.web

urlpatterns = [
    path(_config.refresh_path.lstrip("/"), views.refresh, name="session_core_refresh"),
    path(_config.signout_path.lstrip("/"), views.sign_out, name="session_core_signout"),
]
