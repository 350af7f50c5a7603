"""Loyalty and referrals: customers who come back, and those who bring friends.

- ``rules`` (pure): a programme is a stamp card or points per euro (before tip
  and tax, doubled in a promotion's window); what a paid tab earns, what a
  reward is worth on a bill, expiry.
- ``take_back_rules`` (pure): what a refund, a line voided after, or a card
  dispute the merchant lost takes back, in proportion to the money gone back.
- ``referral_rules`` (pure): no self-referral, the referrer thanked once the
  friend's first tab is paid for something (and the thanks taken back, unused,
  if that tab comes to nothing), a monthly cap.
- ``service``: the programme (kept in ``merchant.policy["loyalty"]``), earning
  when a tab settles (``tabs.closing.settle``), redeeming a reward as a
  discount before tax (one entry to ``loyalty_rewards``; the tab's
  ``adjustments`` carry it, so what is due and what staff earn follow), a
  customer's card; ``referrals`` the same for referral programmes.
- ``take_back``: taking back on a refund (``payments.refunds``), a void
  (``tabs.voiding``) or a dispute marked lost (``payments.disputes``);
  ``service`` names these too. ``journal``: the journal row and the reward
  every use case writes.
- ``repository``: the append-only ``loyalty_transactions`` journal (a balance
  is its sum) and ``loyalty_rewards``, with the conditional UPDATE that lets
  exactly one of two redemptions of a reward through.
- ``endpoints``, ``schemas``, ``pages``, ``words``: the API, the owner's page
  (``/staff/policies/loyalty``), and progress in words.
"""
