"""Campaigns: an admin creates one, its organisers set it up and lead it through its lifecycle.

Features, and where each lives:
- creation of a campaign by an admin, with the default grids: ``service/creation.py``
- the call's settings (title, address, domains, dates): ``service/settings.py``
- how the jury works (reviews per proposal, blind review, scores shown): ``service/jury_settings.py``
- extra questions of the proposal form: ``service/questions.py``
- the two scoring grids: ``service/grids.py`` (frozen once used: ``queries/grids.py``)
- organisers and jurors invited and removed: ``service/members.py`` (listed: ``queries/members.py``)
- lifecycle moves, by hand and by beat: ``service/transitions.py`` (the pure table:
  ``lifecycle.py``; guards' facts and their messages: ``queries/lifecycle.py``)
- the organisers' index: ``queries/organiser_index.py``; the dashboard: ``queries/dashboard.py``
  (charts: ``charts.py``); the audit log: ``queries/audit_log.py`` (diffs: ``changes.py``)
- the public page of a campaign: ``views/public.py`` (found by
  ``access.campaigns.published_campaign``; its text: ``markdown.py``)
- pages: ``views/`` (one module a page); forms: ``forms.py``
"""
