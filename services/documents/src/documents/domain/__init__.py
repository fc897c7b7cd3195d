"""documents' domain: libraries and who may use them, documents and their versions, what a file is (pure)."""
