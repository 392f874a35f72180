-- One database per service: no service reads another's tables.
CREATE DATABASE pana_cases;
CREATE DATABASE pana_referrals;
CREATE DATABASE pana_vouchers;
CREATE DATABASE pana_indicators;
