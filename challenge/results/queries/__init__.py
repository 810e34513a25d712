"""The reads of the results domain: each page's read model (plain dataclasses), one module a page."""
