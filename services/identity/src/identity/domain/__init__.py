"""The identity domain: pure rules, no web framework, no database."""
