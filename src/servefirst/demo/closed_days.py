"""The days the demo's Lisbon salon keeps its door shut: its weekly days off
and Portugal's public holidays, so its made-up history never has a cut on
Christmas Day or a booking on 1 December."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

from dateutil.easter import easter

#: Portugal's national public holidays on a fixed date (Código do Trabalho, art. 234.º).
FIXED_HOLIDAYS = {
    (1, 1): "Ano Novo",
    (4, 25): "Dia da Liberdade",
    (5, 1): "Dia do Trabalhador",
    (6, 10): "Dia de Portugal",
    (8, 15): "Assunção de Nossa Senhora",
    (10, 5): "Implantação da República",
    (11, 1): "Dia de Todos os Santos",
    (12, 1): "Restauração da Independência",
    (12, 8): "Imaculada Conceição",
    (12, 25): "Natal",
}
#: Those that move with Easter (Western, as the Catholic calendar keeps it),
#: in days from Easter Sunday.
EASTER_HOLIDAYS = {-2: "Sexta-feira Santa", 0: "Páscoa", 60: "Corpo de Deus"}


@cache
def holidays_in_portugal(year: int) -> dict[date, str]:
    """Portugal's national public holidays in ``year``, each with its name."""
    days = {date(year, month, day): name for (month, day), name in FIXED_HOLIDAYS.items()}
    sunday = easter(year)
    days |= {sunday + timedelta(days=offset): name for offset, name in EASTER_HOLIDAYS.items()}
    return days


def is_closed(day: date, open_weekdays: frozenset[int]) -> bool:
    """Shut on ``day``: not one of its ``open_weekdays`` (Monday 0) or a holiday."""
    return day.weekday() not in open_weekdays or day in holidays_in_portugal(day.year)


def open_days_ago(today: date, days_ago: int, open_weekdays: frozenset[int]) -> int:
    """``days_ago`` (negative: days ahead) moved to the nearest day the
    business is open, away from ``today``: a past day further into the past, a
    day ahead (or today) further ahead, so a visit stays in the past and a
    booking for the days ahead stays ahead."""
    step = 1 if days_ago > 0 else -1
    while is_closed(today - timedelta(days=days_ago), open_weekdays):
        days_ago += step
    return days_ago
