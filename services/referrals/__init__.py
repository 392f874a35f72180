"""The referrals service.

Closed-loop referrals to the services of the program's referral destinations (women's emergency
centres, public health insurance, mental health...), answered by the receiving units.
"""
