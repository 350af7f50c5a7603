"""Imports every model so ``Base.metadata`` is complete (Alembic, schema tests)."""

from servefirst.availability.models import BookingCode, StaffHours
from servefirst.bookings.models import Booking, CardHold, DepositTotals
from servefirst.cashup.models import DayClose
from servefirst.catalog.models import Service, ServiceTerms
from servefirst.customers.models import Customer
from servefirst.db.base import Base
from servefirst.events.models import Event
from servefirst.exports.models import AccountMappingRow
from servefirst.guarantee.models import Concern
from servefirst.idempotency.models import IdempotencyKey
from servefirst.ledger.models import AccountBalance, JournalEntryRow, JournalLegRow
from servefirst.loyalty.models import LoyaltyReward, LoyaltyTransaction
from servefirst.merchants.models import ApiKey, Merchant
from servefirst.messages.models import Message
from servefirst.payments.models import (
    Dispute,
    GatewayAccount,
    Payment,
    ProcessorEvent,
    SandboxCharge,
)
from servefirst.payments.refund_models import Refund
from servefirst.reviews.models import Review
from servefirst.risk.models import ImportedBooking, RiskModelRow
from servefirst.staff.models import (
    SignInAttempt,
    SignInThrottle,
    StaffAccount,
    StaffMember,
    StaffSession,
)
from servefirst.tabs.models import ReceiptCounter, Tab, TabLine
from servefirst.taxes.models import TaxMovement, TaxRate
from servefirst.trust.models import TrustEvent
from servefirst.webhooks.models import WebhookDelivery, WebhookEndpoint

__all__ = [
    "Base",
    "BookingCode",
    "AccountMappingRow",
    "ReceiptCounter",
    "DayClose",
    "ImportedBooking",
    "RiskModelRow",
    "Merchant",
    "ApiKey",
    "Service",
    "Booking",
    "CardHold",
    "DepositTotals",
    "ServiceTerms",
    "Customer",
    "Tab",
    "TabLine",
    "Payment",
    "GatewayAccount",
    "ProcessorEvent",
    "Dispute",
    "Refund",
    "SandboxCharge",
    "JournalEntryRow",
    "JournalLegRow",
    "AccountBalance",
    "Concern",
    "Review",
    "Event",
    "IdempotencyKey",
    "StaffAccount",
    "StaffMember",
    "StaffSession",
    "SignInThrottle",
    "SignInAttempt",
    "TrustEvent",
    "Message",
    "WebhookEndpoint",
    "WebhookDelivery",
    "StaffHours",
    "TaxRate",
    "TaxMovement",
    "LoyaltyTransaction",
    "LoyaltyReward",
]
