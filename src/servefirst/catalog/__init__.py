"""The catalog: services with a price, a duration and versioned terms.

*Terms* are what a service promises (``expected_results``) and what it does not
(``limits``). They are versioned: a tab line records the version the customer
was shown, so changing the terms later never rewrites what a customer accepted.
"""
