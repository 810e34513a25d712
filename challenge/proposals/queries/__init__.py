"""Reads of the proposals domain: the pages' read models, one module per page or feature.

- :mod:`.campaigns`: the campaign an agent writes for (public, open, their domain).
- :mod:`.authorship`: a proposal as one of its authors opens it; the authors of many proposals.
- :mod:`.my_proposals`: "Mes propositions" and a proposal's progress for its authors.
- :mod:`.history`: a proposal's versions; the text kept after the deadline.
- :mod:`.irritants`: the "moi aussi" pages' lists, and how many supports each proposal has.
- :mod:`.downloads`: an attachment, for those who may read the proposal.
"""
