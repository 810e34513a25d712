"""Notifications: the outbox, the e-mails' templates and their delivery.

- queue a message inside the caller's transaction, deliver it after commit, retry, sweep:
  ``service.py`` (SMTP or files: ``transport.py``; rendering a mail template: ``rendering.py``)
- the admin's list of messages: ``queries.py``; the development mailbox: ``mailbox.py``
- pages: ``views.py``
"""
