"""Rendering an executed notebook as a small standalone page."""

from __future__ import annotations

from pathlib import Path


def render_html(executed: Path, target: Path, *, title: str = "fmgate evidence") -> None:
    """Render an executed notebook as a small standalone page: outputs only, images embedded, no script.

    nbconvert's ``basic`` template gives the cells without any theme; the page
    inlines only fmgate's own few rules for the tables and text the notebook
    shows, so it reads offline and stays a few kilobytes plus its plots.
    """
    import html as html_lib

    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="basic")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    nb = nbformat.read(executed, as_version=4)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    style = (Path(__file__).parents[1] / "templates" / "evidence.css").read_text(encoding="utf-8")
    page = (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html_lib.escape(title)}</title>\n<style>\n{style}</style>\n</head>\n"
        f'<body>\n<main class="fmgate-report">\n{strip_remote_scripts(body)}\n</main>\n</body>\n</html>\n'
    )
    target.write_text(page, encoding="utf-8")


def strip_remote_scripts(html: str) -> str:
    """Drop every script: an evidence page is read offline and must run no code."""
    import re

    return re.sub(r"<script\b[^>]*>.*?</script>", "", html, flags=re.S | re.I)
