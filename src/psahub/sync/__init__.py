"""Running one entity for one integration: page → upsert → checkpoint; deletions; runs; health."""
