"""Signed, expiring calendar downloads (CSV for Excel, JSON, ICS), streamed row by row."""
