"""Client reports: figures per brand over a period, charts, CSV and PDF exports, scheduled report
emails, and the agency's portfolio of its brands. Read-only over the other apps: it imports their
named selectors, and nothing imports it."""
