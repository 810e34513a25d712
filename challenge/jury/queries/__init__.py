"""The reads of the jury domain: each page's read model (plain dataclasses), one module a page.

Nothing here writes; the writes live in :mod:`challenge.jury.service`. What a juror may see is
asked of :mod:`challenge.access.juror_view` (the one juror view), never decided here.
"""
