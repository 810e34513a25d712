"""Temporary re-exports for the other domains; removed at merge."""

from challenge.errors import Forbidden, Gone, NotFound, Refused  # noqa: F401
from challenge.exports.queries.jobs import NotReady, job_page, job_status  # noqa: F401
from challenge.exports.queries.pages import ExportPage, juror_page, organiser_page  # noqa: F401
from challenge.exports.service.building import build_export  # noqa: F401
from challenge.exports.service.command_line import default_file_name, export_to_file  # noqa: F401
from challenge.exports.service.downloads import download  # noqa: F401
from challenge.exports.service.expiry import purge_expired_exports  # noqa: F401
from challenge.exports.service.requests import ExportRequest, request_export  # noqa: F401
