"""Generated from proto/sessioncore: do not edit; run scripts/generate_proto.py."""
