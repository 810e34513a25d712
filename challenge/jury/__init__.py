"""The jury: who reviews what, the reviews, the ranking and the shortlist for the pitch.

Features, and where each lives (writes in ``service/``, the pages' reads in ``queries/``):

- Juror workspace (assigned proposals, progress): ``queries/workspace.py``.
- Reviewing a proposal as a juror sees it: ``queries/review_page.py``; saving: ``service/reviews.py``.
- Conflicts of interest: ``queries/conflicts_page.py``; declaring, withdrawing: ``service/conflicts.py``.
- Assignment of reviewers: ``queries/assignments_overview.py`` (page), ``queries/assignment_data.py``
  (rows), ``service/assignments.py`` (run, pins, removals, summaries), ``assignment.py`` (the solver).
- Reminders before the end of review: ``service/reminders.py`` (Celery beat, ``worker/tasks_jury.py``).
- E-mails to jurors, rendered from their sight: ``service/juror_mail.py``.
- Ranking: ``ranking.py`` (the pure algorithm), ``queries/ranking_feed.py`` and ``queries/review_stream.py``
  (its database feed, for the pages, the results and the exports), ``queries/ranking_page.py``,
  ``queries/proposal_scores.py``.
- Shortlist for the pitch: ``service/shortlist.py`` (status through ``proposals.service.status``).
- When the jury may act (review window, assignment and shortlist phases): ``queries/phases.py``.
- What a juror may see is decided in :mod:`challenge.access.juror_view`, never here.
"""
