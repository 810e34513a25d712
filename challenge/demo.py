"""The demo dataset seeded by ``make run`` on first start (idempotent)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from challenge.accounts.models import Membership, Role, User
from challenge.accounts.service import create_admin
from challenge.campaigns.models import (
    Campaign,
    CampaignStatus,
    Criterion,
    ProposalQuestion,
    QuestionKind,
)
from challenge.campaigns.service.creation import ensure_default_grids
from challenge.extensions import db
from challenge.jury.models import (
    AssignmentState,
    Review,
    ReviewAssignment,
    ReviewScore,
    ReviewStatus,
)
from challenge.jury.service.assignments import run_assignment
from challenge.proposals.models import AuthorRole, Proposal, ProposalAuthor, ProposalStatus
from challenge.timeutils import utcnow
from challenge.unit_of_work import unit_of_work

DEMO_SLUG = "demo-france-travail-2026"
DEMO_ADMIN = "admin@demo.gouv.fr"

DEMO_CALL_TEXT = """Vous voyez chaque jour un **irritant** qui complique la vie des demandeurs \
d'emploi, des entreprises ou des conseillers ? Vous avez une idée de solution numérique et vous \
êtes prêt à lui consacrer six mois ? Proposez-la.

## Ce que nous cherchons

- un problème **récurrent**, vécu par beaucoup d'usagers ou d'agents, que vous savez décrire \
sans présupposer la solution ;
- une idée de solution numérique qu'une petite équipe peut mettre entre les mains de vrais \
usagers en six mois ;
- un agent prêt à s'y consacrer au moins deux jours par semaine, avec le soutien de sa hiérarchie.

## Comment ça se passe

1. Vous déposez votre proposition avant la date limite (seul ou à plusieurs).
2. Un jury lit toutes les propositions et en retient une vingtaine pour un pitch de trois minutes.
3. Les lauréats lancent une Startup d'État avec l'appui de \
[beta.gouv.fr](https://beta.gouv.fr).
"""

DEMO_QUESTIONS = (
    {
        "label": "Avez-vous déjà parlé de cette idée à votre hiérarchie ?",
        "help_text": "Sans engagement : le jury regarde surtout l'irritant et la solution.",
        "kind": QuestionKind.YES_NO.value,
        "required": True,
        "max_length": None,
        "choices": [],
    },
    {
        "label": "Quel public est concerné en premier ?",
        "help_text": "",
        "kind": QuestionKind.SINGLE_CHOICE.value,
        "required": False,
        "max_length": None,
        "choices": ["Demandeurs d'emploi", "Entreprises", "Conseillers", "Partenaires"],
    },
)


def seed_demo() -> bool:
    """Create the demo campaign and admin unless they exist. Returns True when it created them.

    Running it again completes a campaign seeded by an older version (grids, questions, the
    admin's organiser role) and changes nothing else.
    """
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == DEMO_SLUG))
    created = campaign is None
    if campaign is None:
        campaign = _open_demo_campaign()
        create_admin(DEMO_ADMIN)
    _complete_demo_set_up(campaign)
    review_created = seed_review_campaign()
    return created or review_created


def _open_demo_campaign() -> Campaign:
    now = utcnow()
    with unit_of_work():
        campaign = Campaign(
            slug=DEMO_SLUG,
            title="Y a-t-il un intrapreneur parmi nous ? — édition 2026",
            administration="France Travail",
            call_text=DEMO_CALL_TEXT,
            status=CampaignStatus.OPEN.value,
            allowed_domains="francetravail.fr,pole-emploi.fr,demo.gouv.fr",
            opens_at=now - timedelta(days=7),
            deadline_at=now + timedelta(days=21),
            review_ends_at=now + timedelta(days=42),
            pitch_at=now + timedelta(days=56),
            results_at=now + timedelta(days=63),
        )
        db.session.add(campaign)
    return campaign


def _complete_demo_set_up(campaign: Campaign) -> None:
    with unit_of_work():
        ensure_default_grids(campaign)
        if not db.session.scalar(
            select(ProposalQuestion.id).where(ProposalQuestion.campaign_id == campaign.id).limit(1)
        ):
            for position, question in enumerate(DEMO_QUESTIONS):
                db.session.add(
                    ProposalQuestion(campaign_id=campaign.id, position=position, **question)
                )
        has_membership = db.session.scalar(
            select(Membership.id).where(
                Membership.campaign_id == campaign.id,
                Membership.email == DEMO_ADMIN,
                Membership.role == Role.ORGANISER.value,
            )
        )
        if has_membership is None:
            _add_demo_organiser(campaign)


def _add_demo_organiser(campaign: Campaign) -> User | None:
    """The demo admin organises ``campaign`` (the role binds at sign-in if no account yet)."""
    admin = db.session.scalar(select(User).where(User.email == DEMO_ADMIN))
    db.session.add(
        Membership(
            campaign_id=campaign.id,
            email=DEMO_ADMIN,
            role=Role.ORGANISER.value,
            user_id=admin.id if admin else None,
            joined_at=utcnow() if admin else None,
        )
    )
    return admin


# ---------------------------------------------------------------- a campaign under review -----

REVIEW_SLUG = "demo-appel-interministeriel-2026"
DEMO_JURORS = (
    ("claire.bernard@demo.gouv.fr", "Claire", "Bernard"),
    ("karim.haddad@demo.gouv.fr", "Karim", "Haddad"),
    ("sophie.leroy@demo.gouv.fr", "Sophie", "Leroy"),
    ("thomas.nguyen@demo.gouv.fr", "Thomas", "Nguyen"),
)
# (agent e-mail, first name, last name, administration, region, title, irritant, solution)
DEMO_PROPOSALS = (
    (
        "lea.martin",
        "Léa",
        "Martin",
        "France Travail",
        "Bretagne",
        "Un rendez-vous sans ressaisie",
        "Chaque demandeur d'emploi répète sa situation à chaque conseiller : 20 minutes perdues par "
        "entretien, plus de 300 000 entretiens par mois.",
        "Une fiche de synthèse partagée, remplie une fois par la personne, relue par le conseiller.",
    ),
    (
        "yanis.benali",
        "Yanis",
        "Benali",
        "Caisse d'allocations familiales",
        "Occitanie",
        "Le justificatif déjà fourni",
        "Les allocataires envoient trois fois le même justificatif à trois organismes.",
        "Un coffre de justificatifs que l'allocataire autorise chaque organisme à consulter.",
    ),
    (
        "ines.moreau",
        "Inès",
        "Moreau",
        "DGFiP",
        "Île-de-France",
        "Comprendre son avis d'impôt",
        "Un appel sur cinq au centre des finances porte sur la lecture de l'avis d'imposition.",
        "Un avis annoté en ligne qui explique chaque ligne avec la situation de la personne.",
    ),
    (
        "hugo.petit",
        "Hugo",
        "Petit",
        "France Travail",
        "Hauts-de-France",
        "Les offres qui n'existent plus",
        "Des candidats postulent à des offres pourvues depuis des semaines ; les recruteurs ne "
        "répondent plus.",
        "Une relance automatique des recruteurs et le retrait des offres sans réponse.",
    ),
    (
        "manon.girard",
        "Manon",
        "Girard",
        "Assurance maladie",
        "Grand Est",
        "Le transport sanitaire sans papier",
        "Les bons de transport papier se perdent : 12 % des remboursements sont retardés.",
        "Une prescription de transport dématérialisée, lisible par le transporteur.",
    ),
    (
        "lucas.roux",
        "Lucas",
        "Roux",
        "Préfecture du Rhône",
        "Auvergne-Rhône-Alpes",
        "Le titre de séjour sans file d'attente",
        "Des files d'attente dès 5 heures du matin pour déposer un dossier de renouvellement.",
        "Une prise de rendez-vous équitable avec liste d'attente et rappel automatique.",
    ),
    (
        "chloe.fournier",
        "Chloé",
        "Fournier",
        "France Travail",
        "Nouvelle-Aquitaine",
        "Trouver une formation près de chez soi",
        "Les conseillers passent des heures à chercher une formation financée et accessible.",
        "Un moteur qui croise financement, distance et date de début, partagé avec la personne.",
    ),
    (
        "nathan.blanc",
        "Nathan",
        "Blanc",
        "Urssaf",
        "Pays de la Loire",
        "La première déclaration d'un micro-entrepreneur",
        "Un créateur sur trois se trompe à sa première déclaration et reçoit une pénalité.",
        "Un accompagnement pas à pas de la première déclaration, avec simulation.",
    ),
    (
        "sarah.garnier",
        "Sarah",
        "Garnier",
        "Éducation nationale",
        "Normandie",
        "Les remplacements annoncés la veille",
        "Les familles apprennent le soir qu'un enseignant est absent le lendemain.",
        "Une alerte aux familles dès que l'absence est connue, avec la solution de remplacement.",
    ),
    (
        "adam.chevalier",
        "Adam",
        "Chevalier",
        "France Travail",
        "Provence-Alpes-Côte d'Azur",
        "L'attestation employeur introuvable",
        "Sans attestation employeur, l'ouverture des droits attend : 4 semaines en moyenne.",
        "Une relance de l'employeur par le service, avec suivi visible par la personne.",
    ),
)
# Each juror's habit: lenient jurors score high, harsh ones low (the ranking page corrects it).
JUROR_BIAS = (1.0, 0.0, -0.5, 0.5)


def seed_review_campaign() -> bool:
    """A second demo campaign, under review: proposals, jurors, assignments and some reviews,
    so the ranking, the shortlist and the exports have something to show. Idempotent."""
    if db.session.scalar(select(Campaign.id).where(Campaign.slug == REVIEW_SLUG)) is not None:
        return False

    now = utcnow()
    with unit_of_work():
        campaign = _open_review_campaign(now)
        ensure_default_grids(campaign)
        admin = _add_demo_organiser(campaign)
        jurors = [_demo_juror(campaign, email, first, last) for email, first, last in DEMO_JURORS]
        for index, row in enumerate(DEMO_PROPOSALS):
            _demo_proposal(campaign, row, submitted_at=now - timedelta(days=30 - index))
    if admin is not None:
        run_assignment(admin, campaign.id)
    with unit_of_work():
        # The deadline passed: the campaign is under review (set directly, as a seed does).
        campaign.status = CampaignStatus.REVIEW.value
        campaign.deadline_at = now - timedelta(days=2)
    _demo_reviews(campaign, jurors)
    return True


def _open_review_campaign(now: datetime) -> Campaign:
    campaign = Campaign(
        slug=REVIEW_SLUG,
        title="Appel interministériel 2026 — évaluation en cours",
        administration="Direction interministérielle du numérique",
        call_text="Un appel ouvert aux agents de plusieurs administrations, **en cours "
        "d'évaluation** : il montre le travail du jury.",
        status=CampaignStatus.OPEN.value,
        allowed_domains="demo.gouv.fr",
        opens_at=now - timedelta(days=40),
        deadline_at=now + timedelta(days=1),
        review_ends_at=now + timedelta(days=14),
        pitch_at=now + timedelta(days=28),
        results_at=now + timedelta(days=35),
        reviews_per_proposal=2,
    )
    db.session.add(campaign)
    db.session.flush()
    return campaign


def _demo_juror(campaign: Campaign, email: str, first: str, last: str) -> User:
    juror = User(
        email=email,
        first_name=first,
        last_name=last,
        administration="Direction interministérielle du numérique",
    )
    db.session.add(juror)
    db.session.flush()
    db.session.add(
        Membership(
            campaign_id=campaign.id,
            email=email,
            role=Role.JUROR.value,
            user_id=juror.id,
            joined_at=utcnow(),
        )
    )
    return juror


def _demo_proposal(campaign: Campaign, row: tuple[str, ...], *, submitted_at: datetime) -> Proposal:
    """A proposal submitted by its agent (created straight as submitted: a seed, not a story)."""
    local, first, last, administration, region, title, irritant, solution = row
    agent = User(
        email=f"{local}@demo.gouv.fr",
        first_name=first,
        last_name=last,
        administration=administration,
        region=region,
    )
    db.session.add(agent)
    db.session.flush()
    proposal = Proposal(
        campaign_id=campaign.id,
        submitter_id=agent.id,
        status=ProposalStatus.SUBMITTED.value,
        title=title,
        irritant=irritant,
        workaround="Des tableurs et des courriels, au cas par cas.",
        solution=solution,
        impact="Le temps gagné par usager et par agent, mesuré avant et après.",
        first_users="Une agence pilote volontaire.",
        administration=administration,
        region=region,
        commitment_released=True,
        commitment_manager_informed=True,
        submitted_at=submitted_at,
    )
    db.session.add(proposal)
    db.session.flush()
    db.session.add(
        ProposalAuthor(
            proposal_id=proposal.id,
            email=agent.email,
            user_id=agent.id,
            role=AuthorRole.SUBMITTER.value,
        )
    )
    return proposal


def _demo_reviews(campaign: Campaign, jurors: list[User]) -> None:
    """Submitted reviews for most assignments, with each juror's habit (lenient or harsh)."""
    criteria = db.session.scalars(
        select(Criterion).where(Criterion.campaign_id == campaign.id, Criterion.grid == "review")
    ).all()
    bias = {juror.id: JUROR_BIAS[i % len(JUROR_BIAS)] for i, juror in enumerate(jurors)}
    assignments = db.session.scalars(
        select(ReviewAssignment)
        .where(
            ReviewAssignment.campaign_id == campaign.id,
            ReviewAssignment.state == AssignmentState.ACTIVE.value,
        )
        .order_by(ReviewAssignment.id)
    ).all()
    with unit_of_work():
        now = utcnow()
        for number, assignment in enumerate(assignments):
            if number % 5 == 4:
                continue  # a few reviews still to do, so the progress bars mean something
            quality = (assignment.proposal_id * 7) % 5 / 2  # 0 .. 2, fixed per proposal
            review = Review(
                campaign_id=campaign.id,
                proposal_id=assignment.proposal_id,
                juror_id=assignment.juror_id,
                status=ReviewStatus.SUBMITTED.value,
                comment_for_jury="Irritant bien documenté ; la cible reste à préciser.",
                message_for_agent="Merci pour cette proposition claire.",
                submitted_at=now,
            )
            for criterion in criteria:
                raw = 1 + quality + bias[assignment.juror_id] + (criterion.position % 2) * 0.5
                score = max(criterion.scale_min, min(criterion.scale_max, round(raw)))
                review.scores.append(ReviewScore(criterion_id=criterion.id, score=score))
            db.session.add(review)
