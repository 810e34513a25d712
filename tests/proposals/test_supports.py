""" "Moi aussi": agents browse the irritants already sent (titles and irritant only) and
support one with an optional testimony; the jury gets the count."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from challenge.extensions import db
from challenge.proposals.models import MAX_TESTIMONY_LENGTH, Support
from challenge.proposals.queries.irritants import support_counts
from tests.proposals.builders import (  # noqa: F401
    client_for,
    counts,
    csrf,
    make_campaign,
    make_proposal,
    make_user,
    one_user_per_request,
)


@pytest.fixture
def irritants(app: Flask):  # type: ignore[no-untyped-def]
    campaign = make_campaign()
    other_campaign = make_campaign("autre-appel")
    author = make_user("auteur@francetravail.fr", first_name="Camille", last_name="Auteur")
    sent = make_proposal(
        author,
        campaign,
        status="submitted",
        title="Les courriers reviennent",
        irritant="30 % de retours NPAI",
    )
    make_proposal(author, campaign, status="draft", title="Un brouillon secret")
    make_proposal(author, campaign, status="withdrawn", title="Une proposition retirée")
    make_proposal(author, other_campaign, status="submitted", title="Autre campagne")
    reader = make_user()
    mine = make_proposal(reader, campaign, status="submitted", title="Ma propre proposition")
    return campaign, sent, mine, reader, client_for(app, reader)


def test_the_list_shows_sent_irritants_of_the_campaign_without_names_or_solutions(
    irritants,  # type: ignore[no-untyped-def]
) -> None:
    _campaign, _sent, _mine, _reader, client = irritants
    page = client.get("/campagnes/appel-2026/moi-aussi").get_data(as_text=True)
    assert "Les courriers reviennent" in page and "30 % de retours NPAI" in page
    for hidden in (
        "Un brouillon secret",
        "Une proposition retirée",
        "Autre campagne",
        "Ma propre proposition",
        "Camille",
        "auteur@francetravail.fr",
        "Une solution",
    ):
        assert hidden not in page, hidden
    assert "1 irritant signalé" in page


def test_search_matches_titles_and_irritants_and_escapes_wildcards(irritants) -> None:  # type: ignore[no-untyped-def]
    _campaign, _sent, _mine, _reader, client = irritants
    assert "Les courriers" in client.get("/campagnes/appel-2026/moi-aussi?q=COURRIERS").get_data(
        as_text=True
    )
    assert "Les courriers" in client.get("/campagnes/appel-2026/moi-aussi?q=npai").get_data(
        as_text=True
    )
    page = client.get("/campagnes/appel-2026/moi-aussi?q=_").get_data(as_text=True)
    assert "Les courriers" not in page and "0 irritant" in page
    page = client.get("/campagnes/appel-2026/moi-aussi?q=30 %").get_data(as_text=True)
    assert "Les courriers" in page
    page = client.get("/campagnes/appel-2026/moi-aussi?q=<script>x</script>").get_data(as_text=True)
    assert "<script>x</script>" not in page and "&lt;script&gt;" in page
    assert client.get("/campagnes/appel-2026/moi-aussi?q=" + "a" * 5000).status_code == 200


def test_pagination_of_many_irritants(app: Flask) -> None:
    campaign = make_campaign()
    author = make_user("auteur@francetravail.fr")
    for n in range(45):
        make_proposal(author, campaign, status="submitted", title=f"Irritant numéro {n:02d}")
    client = client_for(app, make_user())
    page = client.get("/campagnes/appel-2026/moi-aussi").get_data(as_text=True)
    assert "45 irritants signalés" in page and page.count('class="fr-tile__title') == 20
    assert 'aria-current="page"' in page and "Page suivante" in page
    last = client.get("/campagnes/appel-2026/moi-aussi?page=3").get_data(as_text=True)
    assert last.count('class="fr-tile__title') == 5
    for odd in ("abc", "-4", "0", "999999999999999999999"):
        assert client.get(f"/campagnes/appel-2026/moi-aussi?page={odd}").status_code == 200, odd


def test_support_with_a_testimony_then_update_then_withdraw(irritants, app: Flask) -> None:  # type: ignore[no-untyped-def]
    _campaign, sent, _mine, reader, client = irritants
    url = f"/campagnes/appel-2026/moi-aussi/{sent.id}"
    page = client.get(url).get_data(as_text=True)
    assert "30 % de retours NPAI" in page and "Moi aussi, je vis cet irritant" in page
    response = client.post(
        url, data={"csrf_token": csrf(client), "testimony": "<b>Chez nous</b> aussi, 20 par jour."}
    )
    assert response.status_code == 302
    support = db.session.scalar(select(Support))
    assert (
        support.user_id == reader.id and support.testimony == "<b>Chez nous</b> aussi, 20 par jour."
    )
    assert support_counts([sent.id]) == {sent.id: 1}
    page = client.get(url).get_data(as_text=True)
    assert "&lt;b&gt;Chez nous&lt;/b&gt;" in page and "Vous soutenez cet irritant" in page
    listing = client.get("/campagnes/appel-2026/moi-aussi").get_data(as_text=True)
    assert "Vous soutenez cet irritant" in listing

    client.post(url, data={"csrf_token": csrf(client), "testimony": "Mis à jour"})
    assert db.session.scalars(select(Support.testimony)).all() == ["Mis à jour"]

    response = client.post(url + "/retirer", data={"csrf_token": csrf(client)})
    assert response.status_code == 302
    assert support_counts([sent.id]) == {sent.id: 0}


def test_one_cannot_support_a_draft_ones_own_or_another_campaigns_proposal(
    irritants, app: Flask
) -> None:  # type: ignore[no-untyped-def]
    campaign, _sent, mine, _reader, client = irritants
    draft = make_proposal(make_user("x@francetravail.fr"), campaign, status="draft")
    token = csrf(client)
    before = counts()
    for proposal_id in (draft.id, mine.id, 999999):
        url = f"/campagnes/appel-2026/moi-aussi/{proposal_id}"
        assert client.get(url).status_code == 404
        assert client.post(url, data={"csrf_token": token}).status_code == 404
    assert counts() == before


def test_a_too_long_testimony_is_refused_and_changes_nothing(irritants) -> None:  # type: ignore[no-untyped-def]
    _campaign, sent, _mine, _reader, client = irritants
    before = counts()
    response = client.post(
        f"/campagnes/appel-2026/moi-aussi/{sent.id}",
        data={"csrf_token": csrf(client), "testimony": "x" * (MAX_TESTIMONY_LENGTH + 1)},
    )
    assert response.status_code == 400
    assert 'id="testimony-error"' in response.get_data(as_text=True)
    assert counts() == before


def test_campaigns_without_supports_or_closed_do_not_offer_them(app: Flask) -> None:
    make_campaign(allow_supports=False)
    make_campaign("fermee", status="review")
    client = client_for(app, make_user())
    assert client.get("/campagnes/appel-2026/moi-aussi").status_code == 404
    page = client.get("/campagnes/appel-2026/proposer").get_data(as_text=True)
    assert "moi-aussi" not in page
    assert client.get("/campagnes/fermee/moi-aussi").status_code == 409
