"""The AppConfig: reads `settings.SESSION_CORE` once, when Django starts.

Bad settings fail at start-up with ImproperlyConfigured naming the key. Changing
SESSION_CORE later (a test's `override_settings`) rebuilds everything from the new value.
"""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core.signals import setting_changed

from session_core_driver.django.registry import install
from session_core_driver.django.settings import SETTING, configured_options


class SessionCoreConfig(AppConfig):
    name = "session_core_driver.django"
    label = "session_core"
    verbose_name = "session-core"

    def ready(self) -> None:
        install(configured_options())
        setting_changed.connect(_reload, dispatch_uid="session_core_driver.django.reload")


def _reload(*, setting: str, **_kwargs: Any) -> None:
    if setting == SETTING:
        install(configured_options())
