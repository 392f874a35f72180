"""Field capture with the forms the sector already uses (issue 28): XLSForm definitions for Kobo
and ODK Collect, the intake of their submissions as the API's own commands, and a review queue
for what cannot be applied."""
