"""Forms of scoring, one module per subject."""
