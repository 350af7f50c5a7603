"""Availability: staff working hours, free slots, and booking online by a merchant's slug."""
