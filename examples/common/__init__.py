"""What the example apps share: finding or starting a core, and the demo user store."""
