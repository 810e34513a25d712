"""Writes of the campaigns domain, one module a feature: creation, settings, jury_settings,
questions, grids, members (invitations of organisers and jurors), transitions (the lifecycle
moves, by hand and by beat); versioned (the end every set-up save shares), addresses (what
organisers type as addresses, domains and page addresses) and ordering (the order they type
beside questions and criteria).
"""
