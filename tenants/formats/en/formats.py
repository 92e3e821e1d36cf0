"""English date formats: Django's, with the time zone's abbreviation after every date and time
("Dec 1, 2026, 9:45 p.m. WIT"), because readers are spread over Indonesia's three zones."""

DATETIME_FORMAT = "N j, Y, P T"
SHORT_DATETIME_FORMAT = "m/d/Y P T"
