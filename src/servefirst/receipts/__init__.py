"""Receipts and invoices as documents: what the law asks a receipt to carry.

A paid tab's receipt, or a served tab's invoice while it is unpaid, as a PDF
(ReportLab, Debian's DejaVu fonts so '€' and Portuguese accents print):
seller (legal name, address, tax id), number (the tab's receipt number, see
``tabs.receipt_counter``), date in the merchant's zone, customer (and tax id),
lines, totals (net, tax per rate and gross when the tab has tax totals, else
the total), payments and tip. After a refund the sale stays as it was charged,
and each refund is printed below it like a credit note (date, reason, the
bill's and the tip's part, the tax in the bill's part per rate), then what the
customer paid after refunds; the customer's receipt page and the receipt
e-mail say the same.

``document`` gathers what is printed (``ReceiptDocument``, plain data);
``pdf`` draws it and knows nothing of the database; ``endpoints`` serves it
to staff (``GET /v1/tabs/{id}/receipt.pdf``) and to the customer by their
tab token (``/t/{token}/receipt.pdf``); the receipt e-mail attaches it.

Not a certified invoice: where a country requires certified invoicing
software (Portugal's SAF-T and ATCUD), this is out of scope (the README says so).
"""
