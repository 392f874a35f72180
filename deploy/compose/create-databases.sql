-- One database per service: no service reads another's tables.
-- pana_owner owns the schemas (each service migrates with it at start, a short-lived
-- connection); each service then connects as its own role, which owns no table, so it can
-- neither alter one nor disable the audit triggers (issue 20). Local-only passwords.
CREATE ROLE pana_owner LOGIN PASSWORD 'pana-owner-local-only';
CREATE DATABASE pana_cases OWNER pana_owner;
CREATE DATABASE pana_referrals OWNER pana_owner;
CREATE DATABASE pana_vouchers OWNER pana_owner;
CREATE DATABASE pana_indicators OWNER pana_owner;
CREATE ROLE pana_cases LOGIN PASSWORD 'pana-cases-local-only';
CREATE ROLE pana_referrals LOGIN PASSWORD 'pana-referrals-local-only';
CREATE ROLE pana_vouchers LOGIN PASSWORD 'pana-vouchers-local-only';
CREATE ROLE pana_indicators LOGIN PASSWORD 'pana-indicators-local-only';
-- The web app's sessions: its own role owns its own database (nothing there is audited).
CREATE ROLE pana_web LOGIN PASSWORD 'pana-web-local-only';
CREATE DATABASE pana_web OWNER pana_web;
-- The import API's jobs (deploy/imports): its own role owns its own database.
CREATE ROLE pana_imports LOGIN PASSWORD 'pana-imports-local-only';
CREATE DATABASE pana_imports OWNER pana_imports;
-- Keycloak's realms, accounts and sessions.
CREATE ROLE keycloak LOGIN PASSWORD 'keycloak-local-only';
CREATE DATABASE keycloak OWNER keycloak;
