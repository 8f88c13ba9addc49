"""``sitroom serve``: the dashboard (one page: map, timeline, filters, evidence) and its JSON API."""


def __getattr__(name: str):
    # imported on first use: every `sitroom` command would otherwise pay for FastAPI at start-up
    if name == "create_app":
        from .app import create_app
        return create_app
    raise AttributeError(name)


__all__ = ["create_app"]
