"""`python -m web`: the web app under uvicorn."""

from __future__ import annotations

import uvicorn

from web.app import create_app
from web.settings import WebSettings

if __name__ == "__main__":
    settings = WebSettings()
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="info",
        timeout_graceful_shutdown=5,
    )
