"""Temporary re-exports for the other domains; removed at merge."""

from challenge.access.proposals import accepts_submissions, is_author, may_read  # noqa: F401
from challenge.errors import Forbidden, Invalid, NotFound  # noqa: F401
from challenge.proposals.fields import ProposalInput  # noqa: F401
from challenge.proposals.queries.authorship import authors_of  # noqa: F401
from challenge.proposals.queries.irritants import support_counts  # noqa: F401
from challenge.proposals.service.coauthors import bind_authors, invite_coauthor  # noqa: F401
from challenge.proposals.service.drafting import create_draft, save, submit, withdraw  # noqa: F401
