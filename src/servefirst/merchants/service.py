"""Creating merchants and checking API keys."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from servefirst.customers.rules import check_phone
from servefirst.db.uow import UnitOfWork
from servefirst.kit.errors import AuthenticationFailed, Conflict, InvalidRequest, NotFound
from servefirst.kit.ids import (
    hash_secret,
    merchant_of_credential,
    new_api_key,
    new_id,
    new_merchant_id,
)
from servefirst.kit.money import normalize_currency
from servefirst.kit.tax_ids import country_of_locale
from servefirst.ledger import service as ledger
from servefirst.merchants.models import ApiKey, Merchant
from servefirst.merchants.rules import check_locale, check_seller, check_slug, check_timezone

#: The longest name a merchant is created or renamed with.
NAME_MAX = 200


@dataclass(frozen=True)
class NewMerchant:
    merchant: Merchant
    api_key: str  # shown once; only its hash is stored


def create_merchant(uow: UnitOfWork, *, name: str, currency: str) -> NewMerchant:
    name = (name or "").strip()
    if not name:
        raise InvalidRequest("A merchant needs a name.", code="parameter_missing", param="name")
    if len(name) > NAME_MAX:
        # Refused, not cut: the name is printed on every receipt, and a cut
        # one would be found there first.
        raise InvalidRequest(
            f"A merchant's name takes at most {NAME_MAX} characters; this has {len(name)}.",
            code="name_too_long",
            param="name",
        )
    merchant = Merchant(
        merchant_id=new_merchant_id(),
        name=name,
        currency=normalize_currency(currency),
        policy={},
        created_at=uow.clock.now(),
    )
    uow.session.add(merchant)
    uow.session.flush()
    uow.merchant_id = merchant.merchant_id
    ledger.open_accounts(uow)
    key = issue_api_key(uow, label="default")
    return NewMerchant(merchant, key)


def issue_api_key(uow: UnitOfWork, *, label: str) -> str:
    key = new_api_key(uow.merchant)
    uow.session.add(
        ApiKey(
            merchant_id=uow.merchant,
            key_id=new_id("key"),
            key_hash=hash_secret(key),
            last4=key[-4:],
            label=label,
            created_at=uow.clock.now(),
        )
    )
    return key


def authenticate(uow: UnitOfWork, api_key: str) -> str:
    """The merchant id a live API key belongs to, or 401."""
    merchant_id = merchant_of_credential(api_key)
    if merchant_id is None or not api_key.startswith("sk_"):
        raise AuthenticationFailed("Invalid API key. Send 'Authorization: Bearer sk_...'.")
    found = uow.session.scalar(
        select(ApiKey.merchant_id).where(
            ApiKey.merchant_id == merchant_id,
            ApiKey.key_hash == hash_secret(api_key),
            ApiKey.revoked_at.is_(None),
        )
    )
    if found is None:
        raise AuthenticationFailed("Invalid API key. Send 'Authorization: Bearer sk_...'.")
    return found


def get_merchant(uow: UnitOfWork, *, lock: bool = False) -> Merchant:
    """The unit of work's merchant, or 404; `lock` holds its row for a settings change."""
    merchant = uow.session.get(Merchant, uow.merchant, with_for_update=lock)
    if merchant is None:
        raise NotFound("No such merchant.")
    return merchant


def find_merchant(uow: UnitOfWork, merchant_id: str) -> Merchant | None:
    """A merchant by id, or None: for callers that answer an unknown id their own way."""
    return uow.session.get(Merchant, merchant_id)


def all_merchant_ids(uow: UnitOfWork) -> list[str]:
    """Every merchant's id: the periodic jobs visit each in turn."""
    return list(uow.session.scalars(select(Merchant.merchant_id).order_by(Merchant.merchant_id)))


def merchant_names(uow: UnitOfWork, merchant_ids: list[str]) -> dict[str, str]:
    """Names by id, for the merchants asked about only."""
    rows = uow.session.execute(
        select(Merchant.merchant_id, Merchant.name).where(Merchant.merchant_id.in_(merchant_ids))
    )
    return {merchant_id: name for merchant_id, name in rows}


def update_merchant(
    uow: UnitOfWork,
    *,
    name: str | None = None,
    timezone: str | None = None,
    locale: str | None = None,
    slug: str | None = None,
    booking: dict[str, int] | None = None,
    taxes: dict[str, bool | str] | None = None,
    seller: dict[str, str] | None = None,
    phone: str | None = None,
) -> Merchant:
    """Change the merchant's name, time zone, locale, slug or booking settings
    (``slot_minutes``, ``min_notice_minutes``, ``max_days_ahead``; checked by
    the caller's schema) or how prices carry tax (``prices_include_tax``,
    ``tax_rounding``: checked by the caller's schema; an open tab keeps how it
    was taxed), or the ``phone`` customers call it on (the customers' phone
    rule; '' takes it off).

    Every field is checked before any is kept: a bad zone changes no name."""
    merchant = get_merchant(uow)
    if name is not None and not name.strip():
        raise InvalidRequest("A merchant needs a name.", code="parameter_missing", param="name")
    zone = check_timezone(timezone) if timezone is not None else merchant.timezone
    chosen_locale = check_locale(locale) if locale is not None else merchant.locale
    details = check_seller(seller or {}, country=country_of_locale(chosen_locale))
    if phone is not None:
        details["phone"] = check_phone(phone)
    if slug is not None:
        slug = check_slug(slug)
        holder = merchant_by_slug(uow, slug)
        if holder is not None and holder.merchant_id != merchant.merchant_id:
            raise Conflict(
                f"'{slug}' is taken by another business; choose another.",
                code="slug_taken",
                param="slug",
            )
        merchant.slug = slug
    if name is not None:
        merchant.name = name.strip()[:200]
    merchant.timezone, merchant.locale = zone, chosen_locale
    for setting, value in (booking or {}).items():
        setattr(merchant, setting, value)
    for tax_setting, chosen in (taxes or {}).items():
        setattr(merchant, tax_setting, chosen)
    for detail, given in details.items():
        setattr(merchant, detail, given)
    try:
        uow.session.flush()
    except IntegrityError:
        # Two businesses claimed the same slug at once: the unique constraint decides.
        raise Conflict(
            f"'{slug}' is taken by another business; choose another.",
            code="slug_taken",
            param="slug",
        ) from None
    return merchant


def merchant_by_slug(uow: UnitOfWork, slug: str) -> Merchant | None:
    """The merchant a booking link names, or None (looked up without a merchant
    in hand: see the model's docstring)."""
    return uow.session.scalar(select(Merchant).where(Merchant.slug == slug))


def merchant_zone(uow: UnitOfWork) -> ZoneInfo:
    """Where the merchant's days begin and end."""
    return ZoneInfo(get_merchant(uow).timezone)
