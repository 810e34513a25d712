"""``challenge export CAMPAIGN``: the same builders as the pages, from the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from challenge.exports.spec import FORMATS, PROPOSALS, VIEWS


@click.command("export")
@click.argument("campaign")
@click.option(
    "--format",
    "format_",
    type=click.Choice(FORMATS),
    default="xlsx",
    show_default=True,
    help="csv (one view), xlsx (every view), pdf (laureates' dossier), json (published results)",
)
@click.option(
    "--view",
    type=click.Choice(VIEWS),
    default=PROPOSALS,
    show_default=True,
    help="the view exported as CSV",
)
@click.option(
    "--separator",
    type=click.Choice([";", ","]),
    default=";",
    show_default=True,
    help="the CSV separator",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="where to write the file (default: <slug>-<view>-<date>.<ext> here)",
)
@click.option("--quiet", is_flag=True, help="no progress bar")
@with_appcontext
def export_command(
    campaign: str, format_: str, view: str, separator: str, output: Path | None, quiet: bool
) -> None:
    """Export CAMPAIGN (its id or slug) with an organiser's rights, streaming from the database."""
    from tqdm import tqdm

    from challenge.errors import DomainError
    from challenge.exports.service.command_line import default_file_name, export_to_file

    bars: list[tqdm] = []

    def progress_factory(total: int):  # type: ignore[no-untyped-def]
        bar = tqdm(total=total, unit=" lignes", disable=quiet, dynamic_ncols=True, leave=True)
        bars.append(bar)

        def progress(rows_done: int) -> None:
            bar.update(max(rows_done - bar.n, 0))

        return progress

    try:
        target = output or Path(default_file_name(campaign, format_, view))
        rows = export_to_file(
            campaign,
            format_,
            target,
            view=view,
            separator=separator,
            progress_factory=progress_factory,
        )
    except DomainError as error:  # an unknown campaign, a refused choice, an unavailable export
        raise click.ClickException(str(error) or "export impossible") from error
    finally:
        for bar in bars:
            bar.close()
    click.echo(f"{rows} row(s) written to {target}")
