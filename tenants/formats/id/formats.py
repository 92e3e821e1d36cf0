"""Indonesian date formats: Django's, with the time zone's abbreviation after every date and time
("1 Desember 2026 21.45 WIT"), because readers are spread over Indonesia's three zones."""

DATETIME_FORMAT = "j N Y, G.i T"
SHORT_DATETIME_FORMAT = "d-m-Y G.i T"
