"""Trust: what the business knows of a customer's reliability, and what it unlocks.

The score is a Beta posterior mean over the customer's history at this
merchant (see ``rules.py``); the tier decides whether the customer pays after,
how large their tab may grow and whether a booking needs a deposit.
"""
