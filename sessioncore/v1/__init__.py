"""Generated from proto/sessioncore/v1: do not edit; run scripts/generate_proto.py."""
