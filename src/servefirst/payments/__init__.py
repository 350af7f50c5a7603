"""Payments on a tab through a gateway: ``manual`` (staff record cash or their
own card terminal) and ``sandbox`` (the contract's test cards). Tips are paid
with the bill but booked apart, as a debt to staff. A card is charged in
phases, with no database transaction open while the processor answers
(``phases``); ``recovery`` finishes what a crash left between them."""
