"""Access control and data protection every service plugs into.

Who the caller is (`tokens`, `principal`), what they may do (`policy`, `break_glass`), how an
HTTP route asks (`fastapi`), what is remembered (`audit`) and how personal data stays protected
(`crypto`, `participant_keys`, `blind_index`). See `access/README.md`.
"""
