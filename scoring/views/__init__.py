"""Pages of scoring, one module per subject (scores, sanctions, entries, awards, rulebooks)."""
