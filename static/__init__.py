"""The pages' scripts, styles and icon, installed as the package ``app.static`` (see pyproject.toml)."""
