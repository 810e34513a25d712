"""Site: the pages of nobody's domain and what every page shares.

- home, legal pages, language switch, health check: ``views.py`` (reads: ``queries.py``)
- the main menu, dates in Paris, status labels for the templates: ``templating.py``
- the error pages, and the one mapping of the domain errors to them: ``errors.py``
"""
