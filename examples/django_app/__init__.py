"""A small server-rendered Django project on session-core: sign in, see and revoke sessions.

The same pages as examples/flask_app. Run it from the repository root with one command
(it starts a core if none is named):

    .venv/bin/python -m examples.django_app

then open http://127.0.0.1:8000/login (alice / wonderland-2024, bob / can-we-fix-it).
"""
