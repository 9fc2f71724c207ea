"""GET /session.js: the browser helper, served from the package.

Cached for five minutes (a new release reaches pages within that), with an ETag so a
revalidation costs a 304; `nosniff` so browsers run it only as the script it says it is.

Imports Flask only: an app with the `flask` extra (no Flask-CORS, no Flask-Limiter)
serves SESSION_JS_PATH itself, as the example app does.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, send_file

SESSION_JS_PATH = Path(__file__).parent / "static" / "session.js"
SESSION_JS_URL = "/session.js"
MAX_AGE_SECONDS = 300


def install_assets(app: Flask) -> None:
    """Serve SESSION_JS_PATH at SESSION_JS_URL."""
    blueprint = Blueprint("session_core_gateway_assets", __name__)

    @blueprint.get(SESSION_JS_URL)
    def session_js() -> Response:
        response = send_file(
            SESSION_JS_PATH,
            mimetype="text/javascript",
            max_age=MAX_AGE_SECONDS,
            conditional=True,
            etag=True,
        )
        response.content_type = "text/javascript; charset=utf-8"
        response.headers["Cache-Control"] = f"public, max-age={MAX_AGE_SECONDS}"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    app.register_blueprint(blueprint)
