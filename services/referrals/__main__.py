"""`python -m services.referrals`: run the referrals service."""

from eventkit.service import serve
from services.referrals.app import ReferralsSettings, create_app

settings = ReferralsSettings()
serve(create_app(settings), settings)
