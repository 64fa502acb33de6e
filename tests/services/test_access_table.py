"""The README's access table is the one the routes declare (regenerate: python -m scripts.access_map --readme)."""

from scripts.access_map import END, README, START, markdown_table, readme_with_table, route_rules


def test_readme_access_table_matches_the_routes():
    readme = README.read_text()

    assert START in readme and END in readme
    assert readme == readme_with_table(readme, markdown_table(route_rules()))
