"""Bookings with deposits and card holds: the buffer against no-shows."""
