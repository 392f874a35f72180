"""What a client does next with the cases API's answers (OpenAPI links, `eventkit.openapi_links`):
register a person, then read them, record consent, open a case; open a case, then deliver a
service, write a note, read it."""

from __future__ import annotations

from eventkit.openapi_links import Link

PARTICIPANT = {"participant_id": "$response.body#/participant_id"}
CASE = {"case_id": "$response.body#/case_id"}
REGISTER, OPEN = ("POST", "/participants"), ("POST", "/cases")

LINKS = (
    Link("ReadParticipant", REGISTER, ("GET", "/participants/{participant_id}"), PARTICIPANT),
    Link("GiveConsent", REGISTER, ("POST", "/participants/{participant_id}/consents"), PARTICIPANT),
    Link("OpenCase", REGISTER, OPEN, body=PARTICIPANT),
    Link("Timeline", REGISTER, ("GET", "/participants/{participant_id}/timeline"), PARTICIPANT),
    Link("ReadCase", OPEN, ("GET", "/cases/{case_id}"), CASE),
    Link("DeliverService", OPEN, ("POST", "/cases/{case_id}/services"), CASE),
    Link("AddNote", OPEN, ("POST", "/cases/{case_id}/notes"), CASE),
    Link("ReadNotes", OPEN, ("GET", "/cases/{case_id}/notes"), CASE),
    Link("CloseCase", OPEN, ("POST", "/cases/{case_id}/closure"), CASE),
)
