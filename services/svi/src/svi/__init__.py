"""svi: the Status Verification Interface (partner monitoring)."""
