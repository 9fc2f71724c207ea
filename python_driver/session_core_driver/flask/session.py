"""FlaskSession: the verified session of the current request, as `current_session` shows it.

Reads come from the verified access token (no core call) except `get_data`. Writes go to
the core at once; a claims change also puts a new access token (and front token) on
this request's response, so the client holds the new claims without a refresh, and the
same request already reads them (see `session_core_driver.web.session`).
"""

from __future__ import annotations

from session_core_driver.web.session import BoundSession


class FlaskSession(BoundSession):
    """One verified (or just created) session, bound to the Flask request that holds it."""
