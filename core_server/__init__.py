"""session-core: the gRPC session service."""
