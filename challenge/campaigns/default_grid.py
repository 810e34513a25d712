"""The scoring grids proposed to every new campaign, which organisers then edit.

The four criteria follow what intrapreneur programmes look at: the size of the irritant, the
impact for users, whether a first version can be built in six months, and the intrapreneur's
commitment (time freed, a sponsor who backs them). Scale 0 to 4 with one sentence per level, so
that jurors score against words rather than their own idea of a "3".

``_`` only marks the strings for extraction: the service translates them when it creates a grid.
"""

from __future__ import annotations

from dataclasses import dataclass


def _(text: str) -> str:
    return text


SCALE_MIN = 0
SCALE_MAX = 4


@dataclass(frozen=True)
class DefaultCriterion:
    label: str
    description: str
    levels: tuple[str, ...]
    weight: float = 1.0


IRRITANT = DefaultCriterion(
    label=_("Ampleur de l’irritant"),
    description=_(
        "Combien de personnes le subissent, à quelle fréquence, et ce qu’il coûte (temps perdu, "
        "erreurs, renoncements, argent public)."
    ),
    levels=(
        _("Irritant non établi ou anecdotique"),
        _("Touche peu de personnes, rarement"),
        _("Touche un public limité, régulièrement"),
        _("Touche un large public, souvent, avec un coût visible"),
        _("Massif, quotidien et chiffré : son coût est documenté"),
    ),
)
IMPACT = DefaultCriterion(
    label=_("Impact pour les usagers"),
    description=_(
        "Ce qui change pour les usagers ou les agents si la solution marche : temps gagné, "
        "droits mieux exercés, démarches simplifiées."
    ),
    levels=(
        _("Aucun bénéfice identifiable"),
        _("Bénéfice marginal ou incertain"),
        _("Bénéfice réel pour une partie des usagers"),
        _("Bénéfice net et mesurable pour la plupart des usagers concernés"),
        _("Change la vie des usagers concernés, preuves à l’appui"),
    ),
)
FEASIBILITY = DefaultCriterion(
    label=_("Faisabilité d’une première version en six mois"),
    description=_(
        "Une petite équipe peut-elle mettre une première version entre les mains de vrais "
        "usagers en six mois (données accessibles, partenaires, contraintes juridiques) ?"
    ),
    levels=(
        _("Irréaliste en six mois"),
        _("Obstacles majeurs sans piste pour les lever"),
        _("Faisable si des obstacles identifiés sont levés"),
        _("Faisable, premiers partenaires ou données identifiés"),
        _("Très faisable : un premier public et les moyens sont déjà là"),
    ),
)
COMMITMENT = DefaultCriterion(
    label=_("Engagement de l’intrapreneur"),
    description=_(
        "Temps que l’agent pourra y consacrer (au moins deux jours par semaine), soutien d’un "
        "sponsor de haut niveau, connaissance du terrain."
    ),
    levels=(
        _("Aucun temps libéré ni soutien"),
        _("Motivation sans temps libéré"),
        _("Temps partiel envisagé, hiérarchie informée"),
        _("Au moins deux jours par semaine libérés, un sponsor identifié"),
        _("Temps largement libéré et sponsor engagé par écrit"),
    ),
)
PITCH_CLARITY = DefaultCriterion(
    label=_("Clarté et conviction du pitch"),
    description=_(
        "En trois minutes : le problème est-il compris, la solution crédible, l’agent "
        "convaincant pour la porter ?"
    ),
    levels=(
        _("Confus, le problème n’est pas compris"),
        _("Compréhensible mais peu convaincant"),
        _("Clair, quelques points restent flous"),
        _("Clair et convaincant"),
        _("Remarquable : le jury veut voir la suite"),
    ),
)

REVIEW_GRID: tuple[DefaultCriterion, ...] = (IRRITANT, IMPACT, FEASIBILITY, COMMITMENT)
PITCH_GRID: tuple[DefaultCriterion, ...] = (
    IRRITANT,
    IMPACT,
    FEASIBILITY,
    COMMITMENT,
    PITCH_CLARITY,
)


def default_grid(kind: str) -> tuple[DefaultCriterion, ...]:
    return PITCH_GRID if kind == "pitch" else REVIEW_GRID
