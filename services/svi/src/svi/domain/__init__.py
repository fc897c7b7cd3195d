"""svi's domain: pure rules, no framework."""
