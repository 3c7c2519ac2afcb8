"""GD Lab's data files (the lessons), installed as the package ``gd_core.resources`` (see pyproject.toml)."""
