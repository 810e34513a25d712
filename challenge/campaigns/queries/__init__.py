"""Reads of the campaigns domain: the organisers' and the public pages' read models."""
