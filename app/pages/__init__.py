"""HTML page routes (excluded from the OpenAPI schema) rendering ``templates/``."""
