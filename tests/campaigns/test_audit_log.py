"""The audit log page renders one event of every type the code records, whatever its details.

The event types are found by reading the code of ``challenge/`` (every ``audit.record(...)`` and
``work.audit(...)``, following an action passed through a variable, a parameter or an f-string),
so a type added anywhere is on this page's test at once: it needs a label, and it must render.
"""

from __future__ import annotations

import ast
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from challenge.accounts.models import Role, User
from challenge.audit.labels import ACTION_LABELS
from challenge.audit.models import AuditEvent
from challenge.campaigns.models import Campaign
from challenge.campaigns.queries.audit_log import AUDIT_PAGE_SIZE, event_details
from challenge.extensions import db
from challenge.proposals.lifecycle import MOVES
from tests.campaigns.builders import add_member, login, make_campaign, make_user

SOURCE = Path(__file__).resolve().parents[2] / "challenge"

# What the placeholder of an event name built with an f-string can be, by the f-string's shape.
# A new f-string event name fails the scan until it is taught here.
PLACEHOLDERS = {
    "proposal.{}": sorted(set(MOVES.values())),  # set_status records proposal.<move>
    "campaign.{}_invited": [role.value for role in Role],
    "campaign.{}_removed": [role.value for role in Role],
}


class UnresolvedAction(AssertionError):
    pass


@dataclass(frozen=True)
class Module:
    path: Path
    tree: ast.Module
    parents: dict[ast.AST, ast.AST]


def _modules() -> list[Module]:
    modules = []
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        modules.append(Module(path, tree, parents))
    return modules


def _callee(call: ast.Call) -> str:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return call.func.id if isinstance(call.func, ast.Name) else ""


def _records_an_event(call: ast.Call) -> bool:
    """``audit.record(...)``, ``record(...)`` or ``<work>.audit(...)``."""
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr == "audit" or (
            func.attr == "record" and isinstance(func.value, ast.Name) and func.value.id == "audit"
        )
    return isinstance(func, ast.Name) and func.id == "record"


def _enclosing_function(module: Module, node: ast.AST) -> ast.FunctionDef | None:
    while node in module.parents:
        node = module.parents[node]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return node  # type: ignore[return-value]
    return None


class Scan:
    """Every value the first argument of an event-recording call can take."""

    def __init__(self) -> None:
        self.modules = _modules()
        self.calls = [
            (module, node)
            for module in self.modules
            for node in ast.walk(module.tree)
            if isinstance(node, ast.Call)
        ]

    def actions(self) -> set[str]:
        found: set[str] = set()
        for module, call in self.calls:
            if _records_an_event(call):
                action = self._action_argument(call)
                if action is not None:
                    found.update(self.values(module, action, depth=0))
        return found

    @staticmethod
    def _action_argument(call: ast.Call) -> ast.expr | None:
        if call.args:
            return call.args[0]
        return next((k.value for k in call.keywords if k.arg == "action"), None)

    def values(self, module: Module, node: ast.expr, depth: int) -> Iterator[str]:
        where = f"{module.path.relative_to(SOURCE.parent)}:{node.lineno}"
        if depth > 5:
            raise UnresolvedAction(f"{where}: the action goes through too many hands")
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value
        elif isinstance(node, ast.IfExp):
            yield from self.values(module, node.body, depth)
            yield from self.values(module, node.orelse, depth)
        elif isinstance(node, ast.JoinedStr):
            yield from self._expanded(node, where)
        elif isinstance(node, ast.Name):
            yield from self._name_values(module, node, depth, where)
        else:
            raise UnresolvedAction(f"{where}: cannot tell which action {ast.unparse(node)} is")

    @staticmethod
    def _expanded(node: ast.JoinedStr, where: str) -> Iterator[str]:
        parts = [part.value if isinstance(part, ast.Constant) else "{}" for part in node.values]
        shape = "".join(str(part) for part in parts)
        if shape not in PLACEHOLDERS or shape.count("{}") != 1:
            raise UnresolvedAction(
                f"{where}: teach PLACEHOLDERS what {ast.unparse(node)} can be ({shape!r})"
            )
        for value in PLACEHOLDERS[shape]:
            yield shape.replace("{}", value)

    def _name_values(self, module: Module, node: ast.Name, depth: int, where: str) -> Iterator[str]:
        function = _enclosing_function(module, node)
        if function is None:
            raise UnresolvedAction(f"{where}: {node.id} is not set in a function")
        assigned = [
            statement.value
            for statement in ast.walk(function)
            if isinstance(statement, ast.Assign | ast.AnnAssign)
            and statement.value is not None
            and any(
                isinstance(target, ast.Name) and target.id == node.id
                for target in (
                    statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                )
            )
        ]
        for value in assigned:
            yield from self.values(module, value, depth + 1)
        parameters = [a.arg for a in function.args.posonlyargs + function.args.args]
        keyword_only = [a.arg for a in function.args.kwonlyargs]
        if node.id in parameters or node.id in keyword_only:
            yield from self._passed_values(function, node.id, parameters, depth)
        elif not assigned:
            raise UnresolvedAction(f"{where}: cannot tell where {node.id} comes from")

    def _passed_values(
        self, function: ast.FunctionDef, name: str, parameters: list[str], depth: int
    ) -> Iterator[str]:
        """The values the callers of ``function`` pass as its parameter ``name``."""
        position = parameters.index(name) if name in parameters else None
        if position is not None and parameters and parameters[0] in ("self", "cls"):
            position -= 1
        for module, call in self.calls:
            if _callee(call) != function.name:
                continue
            if _records_an_event(call) and function.name in ("audit", "record"):
                continue  # already a root of the scan
            passed = next((k.value for k in call.keywords if k.arg == name), None)
            if passed is None and position is not None and position < len(call.args):
                passed = call.args[position]
            if passed is not None and not isinstance(passed, ast.Starred):
                yield from self.values(module, passed, depth + 1)


@pytest.fixture(scope="module")
def recorded_actions() -> list[str]:
    return sorted(Scan().actions())


def test_the_scan_finds_the_events_of_every_domain(recorded_actions: list[str]):
    for action in (
        "account.signed_in",
        "campaign.settings_updated",  # passed through the set-up saves' common end
        "campaign.grid_updated",
        "campaign.juror_invited",  # an f-string
        "jury.assignment_run",
        "jury.review_saved",  # one branch of a conditional expression
        "proposal.shortlisted",  # set_status: proposal.<move>
        "outbox.retry",
    ):
        assert action in recorded_actions


def test_every_recorded_event_has_a_label(recorded_actions: list[str]):
    assert [action for action in recorded_actions if action not in ACTION_LABELS] == []


LONG_TEXT = "Un texte très long, " * 400

# Details as the domains record them, and a few shapes no domain should record but that must not
# break the page either.
DETAIL_SHAPES: list[object] = [
    {"added": 12, "removed": 3, "jurors": 4, "unassigned": [], "warnings": ["peu de jurés"]},
    {"changes": {"status": ["open", "review"]}, "automatic": True},
    {"changes": {"title": ["Ancien", "Nouveau"], "deadline_at": [None, "2026-12-15T13:00:00Z"]}},
    {
        "grid": "review",
        "added": [{"id": 7, "label": "Impact", "weight": 1.5, "level_descriptions": ["a", "b"]}],
        "removed": [{"id": 3, "label": None}],
        "changed": [{"id": 4, "label": "Faisabilité", "changes": {"weight": [1, 2]}}],
    },
    {"proposal_id": 42, "scores": {"12": 3, "13": None}, "created": False, "status": "submitted"},
    {"email": "juree@francetravail.fr", "reason": None, "comment": LONG_TEXT},
    {"emails": ["a@gouv.fr", "b@gouv.fr"], "count": 0, "ratio": 0.75, "nested": [[1, 2], {"a": 1}]},
    {"changes": "pas une liste de champs", "added": "trois", "changed": [1, 2]},
    {"changes": {"title": "sans paire"}, "removed": {"label": "pas une liste"}},
    {"": "une clé vide", "automatic": "oui", "grid": 3},
    {},
]


@pytest.fixture
def organiser(app: Flask) -> User:
    return make_user("orga@francetravail.fr")


def _audit_table(page: str) -> str:
    table = re.search(r'data-testid="audit-events".*?</table>', page, re.S)
    assert table
    return html.unescape(table.group(0))


def test_the_audit_log_renders_one_event_of_every_type(
    client: FlaskClient, organiser: User, recorded_actions: list[str]
):
    campaign: Campaign = make_campaign("Journal complet", status="review")
    add_member(campaign, organiser, Role.ORGANISER)
    for index, action in enumerate(recorded_actions):
        shapes = [DETAIL_SHAPES[index % len(DETAIL_SHAPES)], DETAIL_SHAPES[0]]
        for details in shapes:
            db.session.add(
                AuditEvent(
                    action=action,
                    actor_id=organiser.id if index % 2 else None,
                    actor_label=organiser.email if index % 2 else "system",
                    campaign_id=campaign.id,
                    target_type="proposal",
                    target_id=index,
                    details=details,
                )
            )
    for details in DETAIL_SHAPES:  # every shape at least once, whatever the number of types
        db.session.add(
            AuditEvent(action="jury.assignment_run", campaign_id=campaign.id, details=details)
        )
    db.session.commit()
    login(client, organiser)
    total = db.session.query(AuditEvent).filter_by(campaign_id=campaign.id).count()
    tables = []
    for page_number in range(1, (total + AUDIT_PAGE_SIZE - 1) // AUDIT_PAGE_SIZE + 1):
        response = client.get(f"/organisation/campagnes/{campaign.id}/journal?page={page_number}")
        assert response.status_code == 200, f"page {page_number}"
        tables.append(_audit_table(response.get_data(as_text=True)))
    shown = "\n".join(tables)
    for action in recorded_actions:
        assert str(ACTION_LABELS[action]) in shown, action
    assert "Un texte très long" in shown
    assert "juree@francetravail.fr" in shown


@pytest.mark.parametrize("details", DETAIL_SHAPES + [None, [1, 2], 3, "texte"])
def test_event_details_accept_any_shape(details: object):
    shown = event_details(details)
    kept = shown.others if isinstance(details, dict) else shown.others.get("")
    if isinstance(details, dict) and not (shown.changes or shown.items):
        assert kept == details
