"""Exports: a campaign's data as CSV, XLSX, PDF or JSON, for organisers and (tables) jurors.

- what an export is (formats, views, the reader's sight): ``spec.py``
- requesting one from the page: ``service/requests.py``; the exports page: ``queries/pages.py``
- building it in the Celery task (claim, progress, done or failed): ``service/building.py``
- following a job and downloading its file: ``queries/jobs.py``, ``service/downloads.py``
- removing expired files (beat): ``service/expiry.py``
- the same builders from the command line: ``service/command_line.py``, ``cli.py``
- the builders, one per view or format: ``builders/``; the streamed statements:
  ``queries/statements.py``; the pure streaming writers: ``writers.py``

Who reads what is the reader's :class:`~challenge.access.juror_view.Sight`, never a flag of the
campaign read here.
"""
