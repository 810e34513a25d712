"""The results domain: pitch day, the final decision, the result messages, the public page.

Features, and where each lives (``service/`` writes, ``queries/`` reads, ``views/`` pages):

- pitch slots (generate, add, change, fill in ranking order, move, free):
  ``service/pitch_slots.py`` (input checks in ``service/slot_input.py``), page ``queries/slots.py``;
  the pitch list in written-ranking order: ``queries/pitch_list.py``; pure algorithms: ``slots.py``
- convocations with a calendar invitation, and the agent's answer through its personal link:
  ``service/convocations.py`` (invitation file: ``ics.py``), page ``queries/answer.py``
- pitch scoring by the jurors: ``service/pitch_scoring.py``, pages ``queries/pitch_scoring.py``
  (what a juror sees comes from ``challenge.access.juror_view``)
- the organisers' live progress and pitch ranking: ``queries/pitch_progress.py``
- the decision (laureates, mentions, not retained): ``service/laureates.py``, page
  ``queries/laureates.py``; proposals move through ``proposals.service.status.set_status``
- result messages (templates, preview, bulk send, resend): ``service/messages.py``; default texts
  in ``templates/results/default_messages/`` (``service/default_messages.py``), one message's
  context in ``service/result_mail.py``, placeholders in ``placeholders.py``; pages
  ``queries/messages.py``, ``queries/recipients.py``, ``queries/delivery.py``
- the public page of laureates: ``queries/public.py``; the authors' consent to show their name:
  ``service/consent.py``, page ``queries/consent.py``
- what each campaign step allows: ``queries/phases.py``; the messages already queued:
  ``queries/outbox.py``; authors and titles: ``queries/proposals.py``
- what an author reads of the decision ("Mes propositions"): ``challenge.access.outcomes``
"""
