"""The cases service.

Case management: participants, consent, cases, services delivered, outcomes.
"""
