"""The Django project: settings, URL map, WSGI/ASGI entry points and the API v1 instance.

Capabilities live in their own apps (`pollguard.registry`, `pollguard.accounts`,
`pollguard.audit`, `pollguard.live`, ...); this package only wires them together.
"""
