"""ctpat: C-TPAT Security Models from application to certification."""
