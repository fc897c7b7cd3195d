"""The Trade Accounts domain: pure rules, no web framework, no database."""
