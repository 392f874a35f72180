"""`python -m services.cases`: run the cases service."""

from eventkit.service import serve
from services.cases.app import CasesSettings, create_app

settings = CasesSettings()
serve(create_app(settings), settings)
