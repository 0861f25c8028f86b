"""A HaloPSA-compatible server for demos, tests and benchmarks.

Written from the HaloPSA reference alone; it imports nothing from the rest of psahub so that
its mistakes and those of psahub's Halo client cannot cancel each other out.
"""
