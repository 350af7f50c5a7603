"""Staff earnings: commission on what was paid for their lines, their tips, and a
satisfaction bonus."""
