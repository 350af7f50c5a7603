"""The staff API: who serves, at what commission (the console's pages are in pages.py)."""

from __future__ import annotations

from fastapi import APIRouter

from servefirst.api.context import MerchantUoW
from servefirst.api.routing import ServefirstRoute
from servefirst.db.uow import UnitOfWork
from servefirst.staff import service as staff
from servefirst.staff.models import StaffMember
from servefirst.staff.schemas import StaffIn, StaffList, StaffOut, StaffUpdateIn

router = APIRouter(prefix="/v1/staff", tags=["staff"], route_class=ServefirstRoute)


def present(uow: UnitOfWork, member: StaffMember) -> StaffOut:
    return StaffOut.build(member, staff.account_of(uow, member.staff_id))


@router.post("", status_code=201, response_model=StaffOut, summary="Add a staff member")
def create_staff(body: StaffIn, uow: MerchantUoW) -> StaffOut:
    member = staff.create_member(
        uow,
        name=body.name,
        role=body.role,
        access=body.access,
        commission_bps=body.commission_rate_bps,
        email=body.email,
        password=body.password,
    )
    return present(uow, member)


@router.get("", response_model=StaffList, summary="The current staff members, by name")
def list_staff(uow: MerchantUoW, include_inactive: bool = False) -> StaffList:
    members = staff.list_members(uow, include_inactive=include_inactive)
    return StaffList(data=[present(uow, m) for m in members])


@router.get("/{staff_id}", response_model=StaffOut, summary="A staff member")
def get_staff(staff_id: str, uow: MerchantUoW) -> StaffOut:
    return present(uow, staff.get_member(uow, staff_id))


@router.post(
    "/{staff_id}",
    response_model=StaffOut,
    summary="Change a member's name, job title, access or commission rate, or mark them as"
    " having left (active false) or back",
)
def update_staff(staff_id: str, body: StaffUpdateIn, uow: MerchantUoW) -> StaffOut:
    member = staff.update_member(
        uow,
        staff_id,
        name=body.name,
        role=body.role,
        access=body.access,
        commission_bps=body.commission_rate_bps,
        active=body.active,
    )
    return present(uow, member)
