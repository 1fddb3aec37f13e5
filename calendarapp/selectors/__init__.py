"""Reads: querysets shaped for their callers, each a constant number of queries."""
