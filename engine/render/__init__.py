"""Layer 5, the words: the one place that turns events, inspections, plans, checks and results
into sentences and JSON for both faces. Opens no connection."""
