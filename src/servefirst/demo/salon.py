"""Studio Lume: staff on commission, bookings with deposits, a no-show and a
cancellation, and the week ahead booked."""

from __future__ import annotations

from servefirst.availability import service as availability
from servefirst.bookings import service as bookings
from servefirst.bookings.rules import SALON_POLICY, CancelledBy
from servefirst.customers.service import get_customer
from servefirst.demo.closed_days import open_days_ago
from servefirst.demo.menus import SALON_IVA, SALON_MENU
from servefirst.demo.result import DemoTab
from servefirst.demo.story import Shop, Story
from servefirst.loyalty import referrals
from servefirst.loyalty import service as loyalty
from servefirst.merchants.service import merchant_by_slug, update_merchant
from servefirst.reviews.service import review_tab
from servefirst.runtime import Runtime


def salon_story(story: Story, runtime: Runtime) -> Shop:
    with story.opening():
        salon = Shop(runtime, "Studio Lume", "EUR", SALON_MENU, SALON_IVA)
    with salon.step() as uow:
        # A Lisbon salon: its hours, booking page and money the Portuguese way.
        seller = {
            "legal_name": "Studio Lume, Unipessoal Lda.",
            "address": "Rua da Rosa 42\n1200-385 Lisboa",
            "tax_id": "519999991",
        }
        # Its phone, a Lisbon landline's form, made up (the zeros say so).
        update_merchant(
            uow,
            timezone="Europe/Lisbon",
            locale="pt_PT",
            seller=seller,
            phone="+351 213 000 202",
        )
        # New customers leave 15% (2.00-20.00) to hold a slot; "fair" cancellation fees.
        # The demo's story asks every new customer (issue 23's model decides by default).
        bookings.set_deposit_policy(
            uow, SALON_POLICY.as_dict() | {"required_for": ["new", "restricted"]}
        )
        # Referrals: a friend's first visit is 5.00 off; once it is paid, the
        # customer who sent them gets a free beard trim (aparo de barba). Both keep 30 days.
        referrals.set_program(
            uow,
            {
                "friend_reward": {"type": "amount_off", "amount": 500},
                "referrer_reward": {
                    "type": "free_service",
                    "service_id": salon.services["Aparo de barba"][0],
                },
                "monthly_cap": 5,
                "expires_after_days": 30,
            },
        )

    def on(days_ago: int) -> int:
        """The open day nearest ``days_ago``: no cut on a Monday or a holiday."""
        return open_days_ago(story.now.date(), days_ago, OPEN_WEEKDAYS)

    # Before the oldest visit, however far a closed day moved it back.
    story.day(50, 9)
    sofia = "Sofia Marques"  # stylist, 40% commission on what her lines bring in
    pedro = "Pedro Nunes"  # barber, 35%
    salon.member(sofia, 4000, title="Cabeleireira")
    salon.member(pedro, 3500, title="Barbeiro")
    marta = salon.customer("Marta Silva", "marta.silva@example.com", "+351 914 700 233")
    joao = salon.customer("João Pereira", "joao.pereira@example.com", "+351 927 118 064")
    rita = salon.customer("Rita Lopes", "rita.lopes@example.org", "+351 961 402 875")

    # Marta's first cut, then colour and cut: a new customer's tab limit
    # (100 EUR) would not cover 120 EUR, one paid visit (standard) does. She
    # booked the colour three days ahead; as a standard customer, no deposit.
    story.day(on(40), 14)
    story.visit(salon, marta, {"Corte de cabelo": 1}, card_tip=500, by=sofia)
    colour_day = on(12)
    story.day(colour_day + 3, 19, 10)
    colour = salon.book(marta, "Coloração", story.at(colour_day, 10), by=sofia)
    story.day(colour_day, 9, 55)
    visit = salon.check_in(colour)
    salon.add(visit, "Corte de cabelo", by=sofia)
    story.later(150)
    story.finish(salon, visit, card_tip=1000)
    _review(salon, visit, 5, "Exatamente o tom que combinámos, e durou.")

    # João keeps his beard in shape every week and pays cash: six visits on
    # time make him "trusted".
    for days_ago in (42, 35, 28, 21, 14, 7):
        story.day(on(days_ago), 18, 30)
        trim = story.visit(salon, joao, {"Aparo de barba": 1}, cash_tip=200, by=pedro)
        if days_ago in (21, 7):
            _review(salon, trim, 5 if days_ago == 7 else 4, "Rápido e cuidadoso, como sempre.")

    # Inês came on João's recommendation: her welcome took 5.00 off her first
    # cut, and once she had paid, João's free beard trim was waiting for him.
    first_day = on(19)
    story.day(first_day + 1, 12)
    ines = salon.customer(
        "Inês Duarte",
        "ines.duarte@example.com",
        "+351 938 410 552",
        referral_code=_code(salon, joao),
    )
    story.day(first_day, 11)
    first = salon.order(ines, {"Corte de cabelo": 1}, by=sofia)
    story.later(45)
    salon.serve(first)
    story.later(4)
    salon.pay_card(first, tip=200, reward_id=_welcome(salon, ines))

    # Rita forgot to pay, was reminded, and paid cash a week later.
    story.day(on(25), 17)
    late = story.visit(salon, rita, {"Corte de cabelo": 1}, by=sofia)
    paid_day = on(16)
    story.day(paid_day + 2, 9)
    salon.overdue(late)
    story.day(paid_day, 12, 20)
    salon.pay_cash(late)
    _review(salon, late, 3, "Bom corte, mas esperei vinte minutos para lá da minha hora.")

    # Beatriz, new, booked a cut with a 5.25 deposit; at check-in it counted
    # towards her bill and she paid the rest by card.
    cut_day = on(9)
    story.day(cut_day + 2, 20, 40)
    beatriz = salon.customer("Beatriz Rocha", "beatriz.rocha@example.com", "+351 932 615 480")
    cut = salon.book(beatriz, "Corte de cabelo", story.at(cut_day, 15), by=sofia)
    story.day(cut_day, 14, 58)
    visit = salon.check_in(cut)
    story.later(45)
    story.finish(salon, visit, card_tip=300)
    _review(salon, visit, 4, "")

    # Tomás, new, booked a cut and never came: the no-show fee (30% of the
    # price) is more than his deposit, so all of the deposit is kept.
    missed_day = on(4)
    story.day(missed_day + 2, 21, 15)
    tomas = salon.customer("Tomás Ferreira", "tomas.f@example.net", "+351 918 330 761")
    missed = salon.book(tomas, "Corte de cabelo", story.at(missed_day, 11), by=pedro)
    story.day(missed_day, 11, 40)
    with salon.step() as uow:
        bookings.no_show(uow, missed)

    # Helena, new, booked a colour and cancelled two days ahead: in time, so
    # her deposit went back in full.
    off_day = on(3)
    story.day(off_day + 5, 10, 5)
    helena = salon.customer("Helena Sousa", "helena.sousa@example.org", "+351 965 208 119")
    called_off = salon.book(helena, "Coloração", story.at(off_day, 15), by=sofia)
    story.day(off_day + 2, 9, 30)
    with salon.step() as uow:
        bookings.cancel(uow, called_off, by=CancelledBy.CUSTOMER)

    # Marta dropped in for a quick cut two days ago and pays at her colour
    # next week: a regular's small receivable.
    story.day(on(2), 17, 30)
    owed = salon.order(marta, {"Corte de cabelo": 1}, by=sofia)
    story.later(40)
    salon.serve(owed)

    # Booked last night for today (UTC), or the next day the salon opens:
    # João, trusted, leaves no deposit; Leonor, new, leaves one on the sandbox card.
    story.day(1, 19)
    leonor = salon.customer("Leonor Batista", "leonor.batista@example.com", "+351 926 774 051")
    salon.book(joao, "Aparo de barba", story.at(on(0), 10), by=pedro)
    salon.book(leonor, "Corte de cabelo", story.at(on(0), 16, 30), by=sofia)

    # The week ahead: Marta's next colour (standard, no deposit) and Rita's
    # cut (her late payment keeps her new: she leaves a deposit).
    salon.book(marta, "Coloração", story.at(on(-3), 11), by=sofia)
    salon.book(rita, "Corte de cabelo", story.at(on(-5), 17, 30), by=sofia)
    return salon


def _code(salon: Shop, customer_id: str) -> str:
    with salon.step() as uow:
        return get_customer(uow, customer_id).referral_code


def _welcome(salon: Shop, customer_id: str) -> str:
    with salon.step() as uow:
        return loyalty.available_rewards(uow, customer_id)[0].reward_id


def _review(salon: Shop, tab: DemoTab, rating: int, comment: str) -> None:
    with salon.step() as uow:
        review_tab(uow, tab.token, rating=rating, comment=comment)


#: The salon's link for booking online: /b/studio-lume.
SLUG = "studio-lume"
#: Tuesday to Saturday, with a lunch break; Sunday and Monday closed.
WEEK = {
    day: [["09:00", "13:00"], ["14:00", "19:00"]] for day in ("tue", "wed", "thu", "fri", "sat")
}
#: The same days as ``date.weekday()`` counts them (Monday 0): the history's
#: visits and bookings fall on these, and on no public holiday of Portugal.
OPEN_WEEKDAYS = frozenset(("mon", "tue", "wed", "thu", "fri", "sat", "sun").index(d) for d in WEEK)


def online_booking(salon: Shop) -> str:
    """A link of its own and everyone's working hours, so customers book online.
    Its slug: ``SLUG``, or made unique when another demo in the database holds it."""
    with salon.step() as uow:
        slug = SLUG
        if merchant_by_slug(uow, slug) is not None:
            slug = f"{SLUG}-{uow.merchant.removeprefix('mer_').lower()}"
        update_merchant(uow, slug=slug)
        services = [service_id for service_id, _minutes in salon.services.values()]
        for staff_id in salon.staff.values():
            availability.set_hours(
                uow, staff_id, weekly=dict(WEEK), exceptions=[], services=services
            )
    return slug
