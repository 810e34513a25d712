"""Who may do and see what: declared once here, asked by every page, export, e-mail, JSON and CLI.

- :mod:`.domains`: which e-mail addresses may take part (pure: the allowed domains).
- :mod:`.roles`: admins and memberships (``is_admin``, ``is_organiser``, ``is_juror``, who sees
  the organisers', the jury's and the admins' pages).
- :mod:`.campaigns`: a campaign opened by an organiser or a juror (404 / 403 the same everywhere).
- :mod:`.jury`: conflicts of interest and the proposals each juror may see.
- :mod:`.juror_view`: the one view of a proposal for a reader (blind review, others' scores).
- :mod:`.proposals`: who may read, edit, send or support a proposal; whether a campaign takes
  submissions now.
- :mod:`.outcomes`: what an author reads of the decision, and from when.

This package reads the domains' models and nothing of their services, so every domain can ask
it without a cycle (``make lint`` checks that).
"""
