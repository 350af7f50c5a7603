"""Reviews: one rating (1-5) and comment per tab; replaceable until paid."""
