"""The indicators service.

Live logframe attainment computed from every event stream; dashboard and exports.
"""
