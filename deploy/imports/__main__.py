"""`python -m deploy.imports`: serve the supervisors' import API."""

import uvicorn

from deploy.imports.app import ImportsSettings, create_app

settings = ImportsSettings()
uvicorn.run(create_app(settings), host=settings.host, port=settings.port)
