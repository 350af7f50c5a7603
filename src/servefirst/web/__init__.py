"""Server-rendered pages: the customer's tab and the staff console share these templates."""
