"""ctpat's domain: pure rules, no framework (the catalogue is in `ctpat.catalogue`)."""
