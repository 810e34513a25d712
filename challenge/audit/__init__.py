"""Audit: who did what, when, to what.

- writing an event, inside the caller's transaction: ``service.py`` (through
  ``challenge.unit_of_work.Work.audit``)
- what each type of event is called on the pages: ``labels.py``
- the organisers' page of a campaign's events: ``challenge.campaigns.queries.audit_log``
"""
