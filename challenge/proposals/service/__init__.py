"""The proposals' writes, one module per feature: drafting, co-authors, attachments, supports,
versions, receipts, and ``status``, the one writer of a proposal's status."""
