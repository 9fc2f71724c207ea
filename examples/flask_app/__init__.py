"""A small server-rendered Flask app on session-core: sign in, see and revoke sessions.

Run it from the repository root with one command (it starts a core if none is named):

    .venv/bin/python -m examples.flask_app

then open http://127.0.0.1:5000/login (alice / wonderland-2024, bob / can-we-fix-it).
"""

from __future__ import annotations

from examples.flask_app.app import create_app

__all__ = ["create_app"]
