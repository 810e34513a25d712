"""The two scoring grids (written review, pitch): their scale and criteria, frozen once used."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from challenge.accounts.models import User
from challenge.campaigns.models import Campaign, Criterion
from challenge.campaigns.queries.grids import grid_in_use, grid_kind
from challenge.campaigns.service.ordering import typed_order
from challenge.campaigns.service.versioned import ensure_editable, keep_written_changes
from challenge.campaigns.texts import _
from challenge.errors import Invalid, NotFound, Refused
from challenge.extensions import db
from challenge.unit_of_work import unit_of_work

MAX_CRITERIA = 30
SCALE_BOUNDS = (0, 10)
MAX_WEIGHT = 100.0


@dataclass(frozen=True)
class CriterionInput:
    id: int | None
    label: str
    description: str = ""
    weight: float | None = 1.0
    levels: tuple[str, ...] = ()
    position: int | None = None
    remove: bool = False


@dataclass(frozen=True)
class GridInput:
    kind: str
    scale_min: int | None
    scale_max: int | None
    criteria: list[CriterionInput]


def save_grid(
    campaign: Campaign,
    kind: str,
    scale_min: int | None,
    scale_max: int | None,
    criteria: list[CriterionInput],
    actor: User,
    *,
    expected_version: int | None = None,
) -> dict[str, object]:
    """Replace one scoring grid (its scale and criteria), unless a review already uses it."""
    grid = GridInput(grid_kind(kind), scale_min, scale_max, criteria)
    ensure_editable(campaign, actor)
    if grid_in_use(campaign.id, grid.kind):
        raise Refused(_("Des évaluations utilisent déjà cette grille : elle ne peut plus changer."))
    existing = {c.id: c for c in campaign.criteria if c.grid == grid.kind}
    kept = _checked_criteria(grid, existing)
    with unit_of_work(actor=actor, campaign_id=campaign.id) as work:
        before = {c.id: _criterion_snapshot(c) for c in existing.values()}
        _write_criteria(campaign, grid, existing, kept)
        after = {c.id: _criterion_snapshot(c) for c in campaign.criteria if c.grid == grid.kind}
        return keep_written_changes(
            work,
            campaign,
            before,
            after,
            "campaign.grid_updated",
            expected_version,
            grid=grid.kind,
        )


def _scale_errors(grid: GridInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    low, high = SCALE_BOUNDS
    if grid.scale_min is None or not low <= grid.scale_min <= high:
        errors["scale_min"] = [_("Indiquez une note minimale entre 0 et 10.")]
    if grid.scale_max is None or not low <= grid.scale_max <= high:
        errors["scale_max"] = [_("Indiquez une note maximale entre 0 et 10.")]
    elif grid.scale_min is not None and grid.scale_max <= grid.scale_min:
        errors["scale_max"] = [_("La note maximale doit dépasser la note minimale.")]
    return errors


def _checked_criteria(
    grid: GridInput, existing: dict[int, Criterion]
) -> list[tuple[int, CriterionInput, dict]]:
    """The criteria kept, each with its cleaned values; Invalid with every message otherwise."""
    errors: dict[str, list[str]] = defaultdict(list, _scale_errors(grid))
    levels_wanted = (
        grid.scale_max - grid.scale_min + 1
        if not errors and grid.scale_min is not None and grid.scale_max is not None
        else None
    )
    kept: list[tuple[int, CriterionInput, dict]] = []
    for index, c in enumerate(grid.criteria):
        if c.id is not None and c.id not in existing:
            raise NotFound
        if not c.remove:
            kept.append((index, c, _clean_criterion(index, c, levels_wanted, errors)))
    if not kept:
        errors["criteria"].append(_("La grille doit compter au moins un critère."))
    elif len(kept) > MAX_CRITERIA:
        errors["criteria"].append(_("La grille peut compter au plus 30 critères."))
    if any(errors.values()):
        raise Invalid({name: messages for name, messages in errors.items() if messages})
    return kept


def _write_criteria(
    campaign: Campaign,
    grid: GridInput,
    existing: dict[int, Criterion],
    kept: list[tuple[int, CriterionInput, dict]],
) -> None:
    kept_ids = {c.id for _i, c, _v in kept if c.id is not None}
    # Positions are unique per grid: park the kept rows on negative positions first.
    for offset, (criterion_id, criterion) in enumerate(existing.items()):
        if criterion_id in kept_ids:
            criterion.position = -1 - offset
        else:
            db.session.delete(criterion)
    db.session.flush()
    new_rows = []
    for position, (_index, c, values) in enumerate(typed_order(kept)):
        criterion = existing.get(c.id) if c.id is not None else None
        if criterion is None:
            criterion = Criterion(campaign_id=campaign.id, grid=grid.kind)
            new_rows.append(criterion)
        criterion.position = position
        criterion.scale_min = grid.scale_min
        criterion.scale_max = grid.scale_max
        for name, value in values.items():
            setattr(criterion, name, value)
    db.session.flush()
    db.session.add_all(new_rows)
    db.session.flush()
    db.session.expire(campaign, ["criteria"])


def _criterion_snapshot(c: Criterion) -> dict[str, object]:
    return {
        "position": c.position,
        "label": c.label,
        "description": c.description,
        "weight": c.weight,
        "scale_min": c.scale_min,
        "scale_max": c.scale_max,
        "level_descriptions": list(c.level_descriptions or []),
    }


def _clean_criterion(
    index: int, c: CriterionInput, levels_wanted: int | None, errors: dict[str, list[str]]
) -> dict:
    prefix = f"criteria.{index}."
    label = c.label.strip()
    if not label:
        errors[prefix + "label"].append(_("Saisissez l’intitulé du critère."))
    elif len(label) > 200:
        errors[prefix + "label"].append(_("L’intitulé ne doit pas dépasser 200 caractères."))
    if len(c.description) > 2000:
        errors[prefix + "description"].append(
            _("La description ne doit pas dépasser 2 000 caractères.")
        )
    weight = c.weight
    if weight is None or not math.isfinite(weight) or weight <= 0:
        errors[prefix + "weight"].append(
            _("Le poids doit être un nombre strictement positif, par exemple 1 ou 1,5.")
        )
    elif weight > MAX_WEIGHT:
        errors[prefix + "weight"].append(_("Le poids ne doit pas dépasser 100."))
    levels = [line.strip() for line in c.levels if line.strip()]
    if levels and levels_wanted is not None and len(levels) != levels_wanted:
        errors[prefix + "levels"].append(
            _(
                "Décrivez chaque niveau de l’échelle, soit %(n)s lignes, ou laissez vide.",
                n=levels_wanted,
            )
        )
    if any(len(line) > 300 for line in levels):
        errors[prefix + "levels"].append(_("Chaque niveau tient en 300 caractères au plus."))
    return {
        "label": label,
        "description": c.description.strip(),
        "weight": weight,
        "level_descriptions": levels,
    }
