"""`python -m services.vouchers`: run the vouchers service."""

from eventkit.service import serve
from services.vouchers.app import VouchersSettings, create_app

settings = VouchersSettings()
serve(create_app(settings), settings)
