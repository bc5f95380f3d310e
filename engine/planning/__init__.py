"""Layer 4, planning: the plan of an upgrade and the assessment both faces show. Opens no
connection of its own."""
