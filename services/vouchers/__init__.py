"""The vouchers service.

Health vouchers issued by caseworkers and redeemed by partner clinics; reconciliation.
"""
