"""The revocation feed's overlap is validated at start, naming the setting."""

from __future__ import annotations

import pytest

from tests.support.core_process import CoreFactory


@pytest.mark.parametrize("overlap", [0, -1, 1.9, 120.5])
def test_an_overlap_out_of_range_stops_the_start(core_factory: CoreFactory, overlap: float) -> None:
    with pytest.raises(RuntimeError, match="configuration error: feed_overlap_seconds"):
        core_factory.start({"feed_overlap_seconds": overlap})
