"""The API's routers, one per resource; :func:`sitroom.serve.app.create_app` includes them in this order."""
