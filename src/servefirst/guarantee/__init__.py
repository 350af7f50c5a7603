"""The satisfaction guarantee: a customer's "this was not right" before paying.

A concern asks for a remedy (``redo``, ``partial``, ``waive``); the merchant's
policy answers ``approved``, ``pending`` (staff decide) or ``rejected``. An
approved discount is a balanced entry on the satisfaction-adjustments
contra-revenue account.
"""
