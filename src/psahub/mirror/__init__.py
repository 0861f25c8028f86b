"""Reading the mirror for people: counts, runs, tables and clients, always scoped."""
