"""The public page of a campaign: the call, its dates, the way to propose."""

from __future__ import annotations

from flask import current_app, render_template
from flask_login import current_user

from challenge.access.campaigns import published_campaign
from challenge.access.proposals import accepts_submissions
from challenge.access.roles import is_organiser
from challenge.campaigns.lifecycle import DATE_FIELDS
from challenge.campaigns.markdown import render_markdown
from challenge.campaigns.views import bp


@bp.route("/campagnes/<slug>")
def public_page(slug: str) -> str:
    viewer = current_user if current_user.is_authenticated else None
    campaign = published_campaign(slug, viewer)
    accepts = accepts_submissions(campaign)
    return render_template(
        "campaigns/public_page.html",
        campaign=campaign,
        call_html=render_markdown(campaign.call_text),
        can_propose="proposals.new_proposal" in current_app.view_functions and accepts,
        accepts=accepts,
        organiser=viewer is not None and is_organiser(viewer, campaign.id),
        dates=[(name, getattr(campaign, name)) for name in DATE_FIELDS],
    )
