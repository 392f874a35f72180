"""Bulk import: a program's records from CSV or XLSX, each row sent through the owning
service's public HTTP API (the same commands, validation, events and audit as a caseworker's).

See docs/import.md. The command is `python -m deploy.ops import <kind> <file>`; the supervisors'
upload is `deploy.imports.app` (`POST /imports`, `GET /imports/{id}`).
"""
