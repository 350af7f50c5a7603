"""Today at a glance: takings so far by method, tips, what each person and each
service sold, beside the same weekday last week by the same hour.

``rules`` (pure) says where the merchant's day begins and ends and what "last
week by this hour" is; ``repository`` holds the SQL; ``service`` is the use
case the console's Today page calls.
"""
