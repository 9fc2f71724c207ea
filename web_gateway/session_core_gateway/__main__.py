"""`python -m session_core_gateway`: the same as the `session-core-gateway` command."""

from __future__ import annotations

import sys

from session_core_gateway.cli import main

if __name__ == "__main__":
    sys.exit(main())
