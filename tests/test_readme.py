"""Proves the README's "First screens" gallery shows every page of app.py's menu, on a projector and a
laptop, from pictures that exist (tests/e2e/test_projector.py takes them)."""

from tests.e2e.helpers import README_SCREENSHOTS, ROOT, app_pages


def test_the_first_screens_table_shows_every_page_in_both_sizes():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    gallery = readme.split("## First screens", 1)[1].split("\n## ", 1)[0]
    for stem in app_pages().values():
        for size in ("projector", "laptop"):
            name = f"{size}-{stem}.png"
            assert f"(docs/screenshots/{name})" in gallery, f"the README's First screens lack {name}"
            assert (README_SCREENSHOTS / name).is_file(), f"docs/screenshots/{name} is missing"
