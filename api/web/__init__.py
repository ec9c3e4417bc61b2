"""Web pages for the three roles (firm clerk, coordinator, guide), served by the API's own FastAPI app.

``register_web(app)`` adds the page routes and the static files; see ``docs/web.md``.
"""

from api.web.pages import register_web

__all__ = ["register_web"]
