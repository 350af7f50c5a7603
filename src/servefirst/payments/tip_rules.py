"""Pure rules of a customer's tip: what a suggested tip is a share of, when a
tip is asked about before it is charged, and when a payment needs a card at all.

A tip thanks the people who served, for the service the customer had: tipping
customs work it out on the bill before any discount or voucher, and so does
servefirst. A loyalty reward is the business's thank-you to the customer, not a
smaller service: it never shrinks the tip, and a reward that pays the whole
bill leaves the suggested tips what they were. The same rule holds whichever
reward the customer chooses, so the page can show each suggested tip's amount
before the choice is made (without JavaScript, the page cannot know it until
the form is sent) and charge exactly what it showed.
"""

from __future__ import annotations

from servefirst.kit.money import Money

#: Suggested tips, in percent of the bill before any reward (0: no tip).
TIP_PERCENTS = (0, 10, 15, 20)


def suggested_tips(bill: Money) -> list[tuple[int, Money]]:
    """Each suggested tip (percent, amount) on ``bill``: what is due before any
    reward is taken off, rounded as ``Money.percent`` rounds."""
    base = Money(max(bill.amount, 0), bill.currency)
    return [(percent, base.percent(percent)) for percent in TIP_PERCENTS]


def tip_to_question(tip: int, bill: int) -> bool:
    """A tip more than ``bill`` (what is due before any reward, the same
    yardstick as the suggested tips) is most often a slipped decimal mark
    (680 typed for 6,80): it is asked about before it is charged."""
    return tip > bill


def card_needed(left_to_pay: int, tip: int) -> bool:
    """A payment needs a card only if it charges something: what is left to pay
    once the reward chosen is off, plus the tip. A reward that pays the whole
    bill, with no tip, is used without one."""
    return left_to_pay + max(tip, 0) > 0
