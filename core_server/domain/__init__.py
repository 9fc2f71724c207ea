"""Pure session logic: tokens, keys, rotation rules. No I/O happens here."""
