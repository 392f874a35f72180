"""The donor report as the donor reads it (domain brief, section 8): Spanish labels, the
report's tables (age groups as rows, sexes as columns, a total row), as XLSX and PDF."""
