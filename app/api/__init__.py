"""JSON API routers (thin: validate, call a service, return a response model)."""
