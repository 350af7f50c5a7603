"""Use cases of the catalog: add a service, change its terms, list."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import bindparam, select

from servefirst.bookings.rules import DepositPolicy
from servefirst.catalog.models import Service, ServiceTerms
from servefirst.db.by_id import column_by_id
from servefirst.db.uow import UnitOfWork
from servefirst.events.service import emit
from servefirst.kit.errors import NotFound
from servefirst.kit.ids import new_id
from servefirst.taxes.service import get_rate

Terms = str | list[str]


def create_service(
    uow: UnitOfWork,
    *,
    name: str,
    price: int,
    duration_minutes: int,
    expected_results: Terms,
    limits: Terms,
    deposit_policy: dict[str, Any] | None = None,
    buffer_minutes: int = 0,
    tax_rate_id: str | None = None,
) -> tuple[Service, ServiceTerms]:
    now = uow.clock.now()
    _check_deposit_policy(deposit_policy)
    if tax_rate_id is not None:
        get_rate(uow, tax_rate_id)  # the merchant's own rate, else 404
    service = Service(
        merchant_id=uow.merchant,
        service_id=new_id("svc"),
        name=name,
        price=price,
        duration_minutes=duration_minutes,
        buffer_minutes=buffer_minutes,
        terms_version=1,
        active=True,
        created_at=now,
        deposit_policy=deposit_policy or None,
        tax_rate_id=tax_rate_id,
    )
    terms = ServiceTerms(
        merchant_id=uow.merchant,
        service_id=service.service_id,
        version=1,
        expected_results=expected_results,
        limits=limits,
        created_at=now,
    )
    uow.session.add(service)
    uow.session.flush()
    uow.session.add(terms)
    uow.session.flush()
    emit(uow, "service.created", service.service_id, {"name": name, "price": price})
    return service, terms


def update_service(
    uow: UnitOfWork, service_id: str, changes: dict[str, Any]
) -> tuple[Service, ServiceTerms]:
    """Change price, name, duration, tax rate or terms. New terms make a new
    version; tabs keep the version their customer was shown."""
    service = get_service(uow, service_id, lock=True)
    terms = current_terms(uow, service)
    for field in ("name", "price", "duration_minutes", "buffer_minutes", "active"):
        if field in changes and changes[field] is not None:
            setattr(service, field, changes[field])
    if "deposit_policy" in changes:
        _check_deposit_policy(changes["deposit_policy"])
        service.deposit_policy = changes["deposit_policy"] or None
    if "tax_rate_id" in changes:
        # Lines already sold keep the rate they were charged at.
        rate_id = changes["tax_rate_id"]
        if rate_id is not None:
            get_rate(uow, rate_id)
        service.tax_rate_id = rate_id
    new_expected = changes.get("expected_results")
    new_limits = changes.get("limits")
    if (new_expected is not None and new_expected != terms.expected_results) or (
        new_limits is not None and new_limits != terms.limits
    ):
        service.terms_version += 1
        terms = ServiceTerms(
            merchant_id=uow.merchant,
            service_id=service.service_id,
            version=service.terms_version,
            expected_results=new_expected if new_expected is not None else terms.expected_results,
            limits=new_limits if new_limits is not None else terms.limits,
            created_at=uow.clock.now(),
        )
        uow.session.add(terms)
    uow.session.flush()
    emit(uow, "service.updated", service.service_id, {"terms_version": service.terms_version})
    return service, terms


def _check_deposit_policy(overrides: dict[str, Any] | None) -> None:
    """Refuse an impossible policy now (422), not at the first booking."""
    if overrides:
        DepositPolicy.from_dict(overrides)


def get_service(uow: UnitOfWork, service_id: str, *, lock: bool = False) -> Service:
    query = _SERVICE_FOR_UPDATE if lock else _SERVICE
    service = uow.session.scalar(query, {"m": uow.merchant, "s": service_id})
    if service is None:
        raise NotFound(f"No such service: '{service_id}'.", param="service_id")
    return service


def service_if_any(uow: UnitOfWork, service_id: str) -> Service | None:
    """The service, or None if there is none (a booking's message names it)."""
    return uow.session.get(Service, (uow.merchant, service_id))


def names_of(uow: UnitOfWork, service_ids: Collection[str]) -> dict[str, str]:
    """Each service's name, by id (a service not found is left out)."""
    return column_by_id(uow, Service.service_id, Service.name, service_ids)


#: Built once, with bound parameters: every line added looks its service up.
_SERVICE = select(Service).where(
    Service.merchant_id == bindparam("m"), Service.service_id == bindparam("s")
)
_SERVICE_FOR_UPDATE = _SERVICE.with_for_update()


def current_terms(uow: UnitOfWork, service: Service) -> ServiceTerms:
    terms = uow.session.get(ServiceTerms, (uow.merchant, service.service_id, service.terms_version))
    assert terms is not None, "a service always has its current terms"
    return terms


def terms_by_version(
    uow: UnitOfWork, keys: set[tuple[str, int]]
) -> dict[tuple[str, int], ServiceTerms]:
    if not keys:
        return {}
    service_ids = {service_id for service_id, _ in keys}
    rows = uow.session.scalars(
        select(ServiceTerms).where(
            ServiceTerms.merchant_id == uow.merchant, ServiceTerms.service_id.in_(service_ids)
        )
    )
    return {(t.service_id, t.version): t for t in rows if (t.service_id, t.version) in keys}


def list_services(
    uow: UnitOfWork, *, include_inactive: bool = False
) -> list[tuple[Service, ServiceTerms]]:
    query = select(Service).where(Service.merchant_id == uow.merchant)
    if not include_inactive:
        query = query.where(Service.active.is_(True))
    services = list(uow.session.scalars(query.order_by(Service.created_at, Service.service_id)))
    terms = terms_by_version(uow, {(s.service_id, s.terms_version) for s in services})
    return [(s, terms[(s.service_id, s.terms_version)]) for s in services]


def terms_history(uow: UnitOfWork, service_id: str) -> list[ServiceTerms]:
    """Every version of a service's terms, newest first: what each tab was shown."""
    return list(
        uow.session.scalars(
            select(ServiceTerms)
            .where(ServiceTerms.merchant_id == uow.merchant, ServiceTerms.service_id == service_id)
            .order_by(ServiceTerms.version.desc())
        )
    )
