"""Staff accounts, sign-in and the staff console ``/staff``."""
