"""The refresh and sign-out views, as a blueprint at the configured paths.

Register it without a `url_prefix` (`init_app` does, unless SESSION_CORE_MOUNT_VIEWS is
False): the refresh-token cookie's Path is the configured refresh path, so the view must
be served exactly there.
"""

from __future__ import annotations

from flask import Blueprint, Response

from session_core_driver.flask.adapter import to_flask, web_request
from session_core_driver.flask.registry import installed
from session_core_driver.flask.state import request_state
from session_core_driver.web.config import WebConfig
from session_core_driver.web.messages import WebResponse

BLUEPRINT_NAME = "session_core"


def make_blueprint(config: WebConfig) -> Blueprint:
    blueprint = Blueprint(BLUEPRINT_NAME, __name__)
    blueprint.add_url_rule(config.refresh_path, "refresh", refresh, methods=["POST"])
    blueprint.add_url_rule(config.signout_path, "signout", sign_out, methods=["POST"])
    return blueprint


def refresh() -> Response:
    """POST <refresh path>: rotate the refresh token and hand out new tokens."""
    return to_flask(handle_refresh())


def sign_out() -> Response:
    """POST <sign-out path>: revoke the session and clear it in the client."""
    return to_flask(handle_sign_out())


def handle_refresh() -> WebResponse:
    """Run the refresh handling on the current request; its cookies go on this response.

    For apps that answer refreshes their own way (a server-rendered page redirecting
    after a form POST, say): serve it under the refresh path, so the cookie is sent.
    """
    return _queued(installed().web.refresh(web_request()))


def handle_sign_out() -> WebResponse:
    """Run the sign-out handling on the current request; its cookies go on this response."""
    return _queued(installed().web.sign_out(web_request()))


def _queued(web_response: WebResponse) -> WebResponse:
    request_state().replace(web_response.effects)
    return web_response
