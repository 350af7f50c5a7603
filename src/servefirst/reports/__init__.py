"""Reports an owner reads: where the money is and where it went."""
