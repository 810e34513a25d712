"""The reads of the exports domain: ``pages.py`` (the exports page), ``jobs.py`` (a job, its
progress and its file, for who may read it), ``campaigns.py`` (the command line's campaign),
``statements.py`` (the streamed statements the builders read)."""
