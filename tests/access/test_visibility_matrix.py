"""The visibility matrix: whatever a juror gets never carries what the juror may not see.

Every surface a juror can get (the review pages and the workspace over HTTP, the CSV exports of
both views, the XLSX export, the PDF dossier, the assignment and reminder e-mails) x blind review
on/off x each ``scores_visibility`` x (the juror in conflict with a proposal or not). Each cell is
one test: the bytes the juror receives are decoded (CSV with its BOM, XLSX unzipped, e-mails'
subject, text and HTML) and searched for values seeded so that a leak cannot hide:

- never shown to a juror: e-mail addresses, the supporters' names, a conflicted juror's review,
  the other jurors' messages to the agents;
- hidden in blind review: the authors' and co-authors' names, administration, service, region;
- hidden as ``scores_visibility`` says: the other juror's name, comments and scores;
- hidden when the juror is in conflict with a proposal: everything of that proposal.

The values the juror may see are checked too, on the surfaces that render them, so that a blank
page or an empty file cannot pass for a discreet one.

One campaign is built per cell (in an app of its own), and every surface is rendered from it
once; each surface's test then reads its bytes.
"""

from __future__ import annotations

import html
import io
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from challenge.access.juror_view import juror_sight
from challenge.accounts.models import Role, User
from challenge.campaigns.models import Campaign, ScoresVisibility
from challenge.errors import Refused
from challenge.exports import builders
from challenge.exports.models import ExportJob
from challenge.exports.service.building import build_export
from challenge.exports.spec import ExportSpec
from challenge.extensions import db
from challenge.jury.models import Conflict, ReviewAssignment
from challenge.jury.service.assignments import notify_assignments
from challenge.jury.service.reminders import remind_jurors
from challenge.notifications.models import OutboxMessage
from challenge.proposals.models import AuthorRole, Proposal, ProposalAuthor, Support
from challenge.timeutils import utcnow
from tests import factories
from tests.conftest import IsolatedClient, csrf_token_in, make_app

# ---------------------------------------------------------------- the seeded values ---------

AUTHOR = ("Zéphyrin", "Quatremaine", "zephyrin.q@leak.example")  # submitter of A and C
COAUTHOR = ("Ombeline", "Vasquezine", "ombeline.v@leak.example")  # co-author of A
AUTHOR_B = ("Anselme", "Pétrequin", "anselme.p@leak.example")  # submitter of B
SUPPORTER = ("Hermenegilde", "Soutenard", "hermenegilde.s@leak.example")  # supports A
OTHER_JUROR = ("Théodulf", "Crampagnac", "theodulf.c@leak.example")  # reviews A and C
CONFLICTED_JUROR = ("Gaspard", "Conflictuel", "gaspard.c@leak.example")  # in conflict with A
# Invited by e-mail, never signed in: no name to show, and the e-mail is a contact.
INVITED_COAUTHOR_EMAIL = "invitee.sans.compte.8819@leak.example"
JUROR = ("Léontine", "Jurée", "leontine@jury.example")  # the juror whose surfaces are read
ORGANISER = ("Orianne", "Organisa", "orianne@orga.example")

TITLE_A, TITLE_B, TITLE_C = (
    "Proposition-ALPHA-2468",
    "Proposition-BETA-3318",
    "Proposition-GAMMA-5791",
)
AFFILIATION_A = ("Administration-FUITE-7731", "Service-FUITE-4412", "Région-FUITE-9051")
AFFILIATION_B = ("Administration-BETA-2207", "Service-BETA-1190", "Région-BETA-6624")
CAMPAIGN_TITLE = "Campagne-MATRICE-4100"

OWN_COMMENT_A = "MON-AVIS-ALPHA-1357"
OTHER_COMMENT_A = "COMMENTAIRE-FUITE-5567"
OTHER_COMMENT_C = "COMMENTAIRE-GAMMA-7420"
OTHER_MESSAGE_A = "MESSAGE-AGENT-FUITE-6643"
CONFLICTED_COMMENT = "COMMENTAIRE-CONFLIT-8822"

# The grid weighs Impact 3 and Faisabilité 4: the weighted scores below are distinctive, as the
# exports write them (3 decimals) and as the pages show them (2 decimals, French comma).
WEIGHTS = (("Impact", 3.0), ("Faisabilité", 4.0))
OWN_SCORES_A = (4, 4)
OTHER_SCORES_A, OTHER_SCORE_A = (1, 4), {"sheet": "2.714", "page": "2,71"}  # 19/7
OTHER_SCORES_C, OTHER_SCORE_C = (3, 1), {"sheet": "1.857", "page": "1,86"}  # 13/7
CONFLICTED_SCORES, CONFLICTED_SCORE = (0, 2), {"sheet": "1.143", "page": "1,14"}  # 8/7

SURFACES = (
    "review-pages",
    "workspace-page",
    "csv-proposals",
    "csv-reviews",
    "xlsx",
    "pdf",
    "mail-assignment",
    "mail-reminder",
)
SCORE_STYLE = {"review-pages": "page", "csv-reviews": "sheet", "xlsx": "sheet"}


@dataclass(frozen=True)
class Cell:
    blind: bool
    visibility: str
    conflicted: bool  # the juror declared a conflict with proposal B

    @property
    def id(self) -> str:
        return "-".join(
            (
                "blind" if self.blind else "open",
                self.visibility,
                "conflicted" if self.conflicted else "free",
            )
        )

    @property
    def sees_others_on_a(self) -> bool:
        """The juror submitted her review of A: "after_own" and "always" show the others'."""
        return self.visibility in (ScoresVisibility.AFTER_OWN, ScoresVisibility.ALWAYS)

    @property
    def sees_others_on_c(self) -> bool:
        """Her review of C is a draft: only "always" shows the others' there."""
        return self.visibility == ScoresVisibility.ALWAYS


CELLS = [
    Cell(blind, visibility.value, conflicted)
    for blind in (False, True)
    for visibility in ScoresVisibility
    for conflicted in (False, True)
]


# ---------------------------------------------------------------- the campaign --------------


def _person(names: tuple[str, str, str], administration: str = "") -> User:
    first, last, email = names
    return factories.make_user(
        email, first_name=first, last_name=last, administration=administration
    )


def _proposal(
    campaign: Campaign, author: User, title: str, affiliation: tuple[str, ...]
) -> Proposal:
    administration, service, region = affiliation
    return factories.make_proposal(
        campaign,
        author,
        title,
        administration=administration,
        service=service,
        region=region,
        submitted_ago=timedelta(days=3),
    )


def _review(campaign, proposal, juror, criteria, scores, **fields) -> None:  # type: ignore[no-untyped-def]
    factories.add_review(
        campaign, proposal, juror, dict(zip(criteria, scores, strict=True)), **fields
    )


@dataclass
class World:
    campaign: Campaign
    organiser: User
    juror: User
    proposals: dict[str, Proposal] = field(default_factory=dict)


def build_world(cell: Cell) -> World:
    """One campaign in review: the juror (Léontine) is assigned A (reviewed and sent), B (not
    started; her conflict in the conflicted cells) and C (a draft). Théodulf sent his reviews of
    A and C; Gaspard, in conflict with A, reviewed it all the same."""
    ends = datetime.combine(utcnow().date() + timedelta(days=10), time(18, 0))
    campaign = factories.make_campaign(
        slug="matrice",
        title=CAMPAIGN_TITLE,
        administration="Direction-MATRICE",
        status="review",
        blind_review=cell.blind,
        scores_visibility=cell.visibility,
        same_administration_conflict=False,
        reviews_per_proposal=2,
        deadline_at=utcnow() - timedelta(days=5),
        review_ends_at=ends,
    )
    criteria = factories.add_grid(campaign, "review", WEIGHTS)
    organiser, juror = _person(ORGANISER), _person(JUROR, "Administration-du-jury")
    other, conflicted = _person(OTHER_JUROR), _person(CONFLICTED_JUROR)
    factories.add_member(campaign, organiser, Role.ORGANISER)
    for member in (juror, other, conflicted):
        factories.add_member(campaign, member, Role.JUROR)
    author, coauthor, author_b = _person(AUTHOR), _person(COAUTHOR), _person(AUTHOR_B)
    supporter = _person(SUPPORTER)
    world = World(campaign, organiser, juror)
    a = world.proposals["A"] = _proposal(campaign, author, TITLE_A, AFFILIATION_A)
    b = world.proposals["B"] = _proposal(campaign, author_b, TITLE_B, AFFILIATION_B)
    c = world.proposals["C"] = _proposal(campaign, author, TITLE_C, AFFILIATION_A)
    db.session.add_all(
        [
            ProposalAuthor(
                proposal_id=a.id,
                email=coauthor.email,
                user_id=coauthor.id,
                role=AuthorRole.COAUTHOR.value,
            ),
            ProposalAuthor(
                proposal_id=a.id, email=INVITED_COAUTHOR_EMAIL, role=AuthorRole.COAUTHOR.value
            ),
            Support(proposal_id=a.id, user_id=supporter.id),
            Conflict(
                campaign_id=campaign.id, juror_id=conflicted.id, proposal_id=a.id, source="declared"
            ),
        ]
    )
    if cell.conflicted:
        db.session.add(
            Conflict(
                campaign_id=campaign.id, juror_id=juror.id, proposal_id=b.id, source="declared"
            )
        )
    for member, proposal in ((juror, a), (juror, b), (juror, c), (other, a), (other, c)):
        db.session.add(
            ReviewAssignment(campaign_id=campaign.id, proposal_id=proposal.id, juror_id=member.id)
        )
    _review(campaign, a, juror, criteria, OWN_SCORES_A, comment=OWN_COMMENT_A)
    _review(campaign, c, juror, criteria, (2, 2), status="draft")
    _review(
        campaign, a, other, criteria, OTHER_SCORES_A, comment=OTHER_COMMENT_A,
        message=OTHER_MESSAGE_A,
    )  # fmt: skip
    _review(campaign, c, other, criteria, OTHER_SCORES_C, comment=OTHER_COMMENT_C)
    _review(campaign, a, conflicted, criteria, CONFLICTED_SCORES, comment=CONFLICTED_COMMENT)
    db.session.commit()
    return world


# ---------------------------------------------------------------- rendering the surfaces -----


@dataclass
class Rendered:
    texts: dict[str, str] = field(default_factory=dict)  # surface -> what the juror received
    pdf_refusals: list[str] = field(default_factory=list)  # how each way to a PDF was refused


def _get(client: FlaskClient, url: str, status: int = 200) -> bytes:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.data


def _post_export(client: FlaskClient, url: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    token = csrf_token_in(_get(client, url).decode())
    return client.post(url, data={"csrf_token": token, **data})


def _exported(client: FlaskClient, url: str, **data: str) -> bytes:
    """Ask for an export on the juror's page, run the worker's job, download the file."""
    response = _post_export(client, url, {"separator": ";", **data})
    assert response.status_code == 302, response.get_data(as_text=True)
    job_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    assert build_export(job_id) == "done"
    return _get(client, f"/exports/{job_id}/fichier")


def _csv_text(data: bytes) -> str:
    assert data.startswith(b"\xef\xbb\xbf"), "a UTF-8 BOM"
    return data.decode("utf-8-sig")


def _xlsx_text(data: bytes) -> str:
    """Every cell's value, then every XML part of the file unescaped (strings hide anywhere)."""
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    cells = [
        "\t".join("" if value is None else str(value) for value in row)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
    ]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = [html.unescape(archive.read(name).decode("utf-8")) for name in archive.namelist()]
    return "\n".join([*workbook.sheetnames, *cells, *parts])


def _mails(kind: str, to: str) -> str:
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == kind, OutboxMessage.to_address == to)
    ).all()
    assert messages, f"no {kind} e-mail to {to}"
    return "\n".join(f"{m.subject}\n{m.body_text}\n{m.body_html}" for m in messages)


def _pdf_refusals(client: FlaskClient, world: World, exports_url: str) -> list[str]:
    """A juror cannot get the dossier: the page does not offer it, a forged request is refused
    beside the field (no job), and the builder refuses the juror's sight."""
    refusals = []
    if 'id="format-pdf"' not in _get(client, exports_url).decode():
        refusals.append("not offered")
    response = _post_export(client, exports_url, {"format": "pdf", "view": "proposals"})
    jobs = db.session.scalar(select(func.count(ExportJob.id)).where(ExportJob.format == "pdf"))
    if response.status_code == 200 and 'id="format-error"' in response.get_data(as_text=True):
        refusals.append("request refused" if jobs == 0 else "request refused, yet a job exists")
    sight = juror_sight(world.campaign, world.juror.id)
    spec = ExportSpec(world.campaign.id, "pdf", sight=sight)
    path = Path(str(db.engine.url.database)).with_name("juror-dossier.pdf")
    try:
        builders.build(world.campaign, spec, path)
    except Refused:
        refusals.append("builder refused")
    assert not path.exists() or path.stat().st_size == 0
    return refusals


def render_surfaces(app: Flask, world: World, cell: Cell) -> Rendered:
    rendered, texts = Rendered(), {}
    campaign, juror = world.campaign, world.juror
    client = factories.sign_in(app.test_client(), juror)
    pages = []
    for key, proposal in world.proposals.items():
        url = f"/jury/campagnes/{campaign.id}/propositions/{proposal.id}"
        out_of_sight = key == "B" and cell.conflicted
        pages.append(_get(client, url, 404 if out_of_sight else 200).decode())
    texts["review-pages"] = "\n".join(pages)
    texts["workspace-page"] = _get(client, "/jury").decode()
    exports_url = f"/jury/campagnes/{campaign.id}/exports"
    texts["csv-proposals"] = _csv_text(
        _exported(client, exports_url, format="csv", view="proposals")
    )
    texts["csv-reviews"] = _csv_text(_exported(client, exports_url, format="csv", view="reviews"))
    texts["xlsx"] = _xlsx_text(_exported(client, exports_url, format="xlsx", view="proposals"))
    rendered.pdf_refusals = _pdf_refusals(client, world, exports_url)
    texts["pdf"] = ""
    assert notify_assignments(world.organiser, campaign.id) >= 1
    texts["mail-assignment"] = _mails("jury_assignment", juror.email)
    assert remind_jurors(campaign.review_ends_at - timedelta(days=1)) >= 1
    texts["mail-reminder"] = _mails("jury_reminder", juror.email)
    rendered.texts = texts
    return rendered


@pytest.fixture(scope="module", params=CELLS, ids=[cell.id for cell in CELLS])
def matrix_cell(
    request: pytest.FixtureRequest,
    sqlite_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Cell, Rendered]]:
    """One cell's campaign, in an app and database of its own, and every surface rendered."""
    cell: Cell = request.param
    instance = tmp_path_factory.mktemp(cell.id)
    shutil.copy(sqlite_template, instance / "challenge.sqlite3")
    app = make_app(instance)
    app.test_client_class = IsolatedClient
    with app.app_context():
        world = build_world(cell)
        rendered = render_surfaces(app, world, cell)
        db.session.remove()
        db.engine.dispose()
    yield cell, rendered


# ---------------------------------------------------------------- what may show -------------


def hidden_values(cell: Cell, surface: str) -> set[str]:
    """What the juror of this cell may never read, on any surface."""
    hidden = {
        *(email for *_names, email in (AUTHOR, COAUTHOR, AUTHOR_B, SUPPORTER, OTHER_JUROR)),
        *CONFLICTED_JUROR,
        *SUPPORTER,
        INVITED_COAUTHOR_EMAIL,
        CONFLICTED_COMMENT,
        OTHER_MESSAGE_A,
        *CONFLICTED_SCORE.values(),
    }
    if cell.blind:
        hidden |= {*AUTHOR[:2], *COAUTHOR[:2], *AUTHOR_B[:2], *AFFILIATION_A, *AFFILIATION_B}
    if cell.conflicted:
        hidden |= {TITLE_B, *AUTHOR_B[:2], *AFFILIATION_B}
    if not cell.sees_others_on_a:
        hidden |= {*OTHER_JUROR[:2], OTHER_COMMENT_A, *OTHER_SCORE_A.values()}
    if not cell.sees_others_on_c:
        hidden |= {OTHER_COMMENT_C, *OTHER_SCORE_C.values()}
    return hidden


def shown_values(cell: Cell, surface: str) -> set[str]:
    """What the surface must hold for this juror: proof that it really rendered."""
    titles = {TITLE_A, TITLE_C} | (set() if cell.conflicted else {TITLE_B})
    authors = set() if cell.blind else {" ".join(AUTHOR[:2]), " ".join(COAUTHOR[:2])}
    if not cell.blind and not cell.conflicted:
        authors.add(" ".join(AUTHOR_B[:2]))
    affiliations = set() if cell.blind else set(AFFILIATION_A)
    if not cell.blind and not cell.conflicted:
        affiliations |= set(AFFILIATION_B)
    style = SCORE_STYLE.get(surface, "sheet")
    others: set[str] = set()
    if cell.sees_others_on_a:
        others |= {" ".join(OTHER_JUROR[:2]), OTHER_COMMENT_A, OTHER_SCORE_A[style]}
    if cell.sees_others_on_c:
        others |= {OTHER_COMMENT_C, OTHER_SCORE_C[style]}
    reviews = {TITLE_A, TITLE_C, " ".join(JUROR[:2]), OWN_COMMENT_A} | others
    return {
        "review-pages": titles | authors | affiliations | {OWN_COMMENT_A} | others,
        "workspace-page": titles | {a for a in affiliations if a.startswith("Administration")},
        "csv-proposals": titles | authors | affiliations,
        "csv-reviews": reviews,
        "xlsx": titles | authors | affiliations | reviews,
        "pdf": set(),
        "mail-assignment": titles | {JUROR[0], CAMPAIGN_TITLE},
        "mail-reminder": {JUROR[0], CAMPAIGN_TITLE},
    }[surface]


# ---------------------------------------------------------------- the matrix ----------------


@pytest.mark.parametrize("surface", SURFACES)
def test_a_juror_never_receives_a_hidden_value(
    matrix_cell: tuple[Cell, Rendered], surface: str
) -> None:
    cell, rendered = matrix_cell
    text = rendered.texts[surface].casefold()
    leaked = sorted(v for v in hidden_values(cell, surface) if v.casefold() in text)
    assert leaked == [], f"{surface} shows what the juror may not see"
    missing = sorted(v for v in shown_values(cell, surface) if v.casefold() not in text)
    assert missing == [], f"{surface} lacks what the juror may see (did it render?)"
    if surface == "pdf":
        assert rendered.pdf_refusals == ["not offered", "request refused", "builder refused"]


@pytest.mark.parametrize("surface", ["csv-proposals", "xlsx"])
def test_the_proposals_header_and_rows_follow_the_same_sight(
    matrix_cell: tuple[Cell, Rendered], surface: str
) -> None:
    """The identifying columns are there exactly when their values may be read."""
    cell, rendered = matrix_cell
    text = rendered.texts[surface]
    if surface == "csv-proposals":
        header = text.splitlines()[0].split(";")
    else:
        header = next(line for line in text.splitlines() if line.startswith("N°\t")).split("\t")
    identifying = {"Administration", "Service ou direction", "Région", "Porteur", "Co-auteurs"}
    assert (identifying <= set(header)) is not cell.blind
    assert not identifying & set(header) or not cell.blind
    for contact in ("E-mail du porteur", "Accord pour publier le nom"):
        assert contact not in header
