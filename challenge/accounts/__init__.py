"""Accounts: agents, jurors, organisers and admins, who sign in by a link sent by e-mail.

Features, and where each lives:
- sign-in by a single-use link, accounts created at the first sign-in, invitations bound to the
  account, profile, language, admins named from the command line: ``service.py``
- which addresses may sign in (allowed domains, pure): ``domains.py``
- pages: ``views.py``; forms: ``forms.py``; who may do what in a campaign: ``challenge.access``
"""
