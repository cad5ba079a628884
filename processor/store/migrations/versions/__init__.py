"""Migration scripts, one per schema change, applied in order; never edited once released."""
