"""The referrals service.

Closed-loop referrals to CEM, SIS, CSMC and other services, answered by the receiving units.
"""
