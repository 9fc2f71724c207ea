"""The example's URLs: its pages, and the driver's refresh and sign-out views."""

from __future__ import annotations

from django.urls import include, path

from examples.django_app import views

urlpatterns = [
    path("", views.home),
    path("login", views.login, name="login"),
    path("auth/refresh/continue", views.refresh_page),
    path("sessions", views.sessions_page, name="sessions"),
    path("sessions/revoke-others", views.revoke_others),
    path("sessions/<str:handle>/revoke", views.revoke),
    path("logout", views.logout),
    path("", include("session_core_driver.django.urls")),
]
