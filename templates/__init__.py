"""The pages' Jinja2 templates, installed as the package ``app.templates`` (see pyproject.toml)."""
