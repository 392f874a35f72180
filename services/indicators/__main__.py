"""`python -m services.indicators`: run the indicators service."""

from eventkit.service import serve
from services.indicators.app import IndicatorsSettings, create_app

settings = IndicatorsSettings()
serve(create_app(settings), settings)
