"""Who exists and where: a service's local copy of the participants and cases the cases
service announces (regions, merges, erasures), for services that take those ids in commands.

The referrals and vouchers services never read the cases service's database. Each keeps this
copy in its own, fed by the participants and cases topics (`feed.py`, effectively once: the rows
and the consumed offsets commit together), and checks every command naming a participant or a
case against it (`reach.py`): the ids exist, belong together, are not erased, and lie within
the caller's regions.
"""
