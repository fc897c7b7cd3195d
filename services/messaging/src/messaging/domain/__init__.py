"""messaging's domain: threads and their messages, and who takes part in a Security Model's correspondence."""
