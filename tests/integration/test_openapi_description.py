"""The OpenAPI document says what the server does: the contract's operation
ids, every error status with the body the server really sends, and the
idempotency headers on every POST."""

from __future__ import annotations

from typing import Any

from tests.conftest import Merchant
from tests.integration.test_openapi import operations, resolve

#: CONTRACT.md, "Operation ids": what generated clients name their methods.
_CONTRACT_LIST = """
    health get_merchant update_merchant get_deposit_policy set_deposit_policy
    get_guarantee_policy set_guarantee_policy get_earnings_policy set_earnings_policy
    get_trust_policy set_trust_policy get_gateway set_gateway get_loyalty_program
    set_loyalty_program create_service list_services get_service update_service
    create_customer list_customers get_customer merge_customer get_trust_history
    get_customer_loyalty create_tab list_tabs get_tab add_line void_line serve_tab
    void_tab mark_tab_overdue write_off_tab pay_tab list_payments list_concerns
    resolve_concern refund_payment list_refunds get_public_tab accept_terms review_tab
    raise_concern pay_public_tab create_booking list_bookings get_booking check_in_booking
    cancel_booking mark_no_show reschedule_booking renew_holds get_booking_calendar
    get_balances list_entries get_cash_flow get_trust_report get_earnings
    get_earnings_csv get_satisfaction get_tax_report list_events list_messages
    create_staff list_staff get_staff update_staff get_staff_hours set_staff_hours
    create_webhook_endpoint list_webhook_endpoints update_webhook_endpoint
    delete_webhook_endpoint list_webhook_deliveries retry_webhook_delivery
    receive_stripe_event list_public_services get_availability create_public_booking
"""
CONTRACT_OPERATION_IDS = set(_CONTRACT_LIST.split())
#: Named here in the contract's style, for routes the contract's list lacks.
NEW_OPERATION_IDS = {
    "retry_message",
    "get_message_settings",
    "set_message_settings",
    "list_disputes",
    "mark_dispute_lost",
    "mark_dispute_won",
    "close_day",
    "get_day_close",
    "export_journal",
    "export_beancount",
    "export_quickbooks",
    "export_xero",
    "export_xero_daily",
    "export_z_reports",
    "get_account_mapping",
    "set_account_mapping",
    "create_tax_rate",
    "list_tax_rates",
    "get_receipt_pdf",
    "issue_invoice",
    "update_customer",
    "get_referral_program",
    "set_referral_program",
    "get_loyalty_report",
    "create_email_code",
    "confirm_email_code",
}

#: Every operation of the schema and its id.
OPERATION_IDS = {
    ("post", "/v1/tabs"): "create_tab",
    ("get", "/v1/tabs"): "list_tabs",
    ("get", "/v1/tabs/{tab_id}"): "get_tab",
    ("post", "/v1/tabs/{tab_id}/lines"): "add_line",
    ("post", "/v1/tabs/{tab_id}/serve"): "serve_tab",
    ("post", "/v1/tabs/{tab_id}/void"): "void_tab",
    ("post", "/v1/tabs/{tab_id}/overdue"): "mark_tab_overdue",
    ("post", "/v1/tabs/{tab_id}/write-off"): "write_off_tab",
    ("post", "/v1/tabs/{tab_id}/payments"): "pay_tab",
    ("get", "/v1/tabs/{tab_id}/payments"): "list_payments",
    ("post", "/v1/tabs/{tab_id}/lines/{line_no}/void"): "void_line",
    ("post", "/v1/payments/{payment_id}/refunds"): "refund_payment",
    ("get", "/v1/payments/{payment_id}/refunds"): "list_refunds",
    ("post", "/v1/public/tabs/{token}/pay"): "pay_public_tab",
    ("get", "/v1/merchant"): "get_merchant",
    ("post", "/v1/merchant"): "update_merchant",
    ("get", "/v1/merchant/deposit-policy"): "get_deposit_policy",
    ("post", "/v1/merchant/deposit-policy"): "set_deposit_policy",
    ("get", "/v1/merchant/trust-policy"): "get_trust_policy",
    ("post", "/v1/merchant/trust-policy"): "set_trust_policy",
    ("get", "/v1/merchant/loyalty-program"): "get_loyalty_program",
    ("post", "/v1/merchant/loyalty-program"): "set_loyalty_program",
    ("get", "/v1/customers/{customer_id}/loyalty"): "get_customer_loyalty",
    ("get", "/v1/merchant/referral-program"): "get_referral_program",
    ("post", "/v1/merchant/referral-program"): "set_referral_program",
    ("get", "/v1/reports/loyalty"): "get_loyalty_report",
    ("post", "/v1/services"): "create_service",
    ("get", "/v1/services"): "list_services",
    ("get", "/v1/services/{service_id}"): "get_service",
    ("post", "/v1/services/{service_id}"): "update_service",
    ("post", "/v1/customers"): "create_customer",
    ("get", "/v1/customers"): "list_customers",
    ("get", "/v1/customers/{customer_id}"): "get_customer",
    ("post", "/v1/customers/{customer_id}"): "update_customer",
    ("post", "/v1/customers/{customer_id}/merge"): "merge_customer",
    ("get", "/v1/tabs/{tab_id}/receipt.pdf"): "get_receipt_pdf",
    ("post", "/v1/tabs/{tab_id}/invoice"): "issue_invoice",
    ("get", "/v1/customers/{customer_id}/trust/history"): "get_trust_history",
    ("get", "/v1/reports/trust"): "get_trust_report",
    ("post", "/v1/bookings"): "create_booking",
    ("get", "/v1/bookings"): "list_bookings",
    ("get", "/v1/bookings/{booking_id}"): "get_booking",
    ("post", "/v1/bookings/{booking_id}/check-in"): "check_in_booking",
    ("post", "/v1/bookings/{booking_id}/cancel"): "cancel_booking",
    ("post", "/v1/bookings/{booking_id}/no-show"): "mark_no_show",
    ("post", "/v1/bookings/{booking_id}/reschedule"): "reschedule_booking",
    ("post", "/v1/holds/renew"): "renew_holds",
    ("get", "/v1/public/bookings/{token}.ics"): "get_booking_calendar",
    ("post", "/v1/public/tabs/{token}/concerns"): "raise_concern",
    ("get", "/v1/tabs/{tab_id}/concerns"): "list_concerns",
    ("post", "/v1/tabs/{tab_id}/concerns/{concern_id}/resolve"): "resolve_concern",
    ("get", "/v1/merchant/guarantee-policy"): "get_guarantee_policy",
    ("post", "/v1/merchant/guarantee-policy"): "set_guarantee_policy",
    ("get", "/v1/public/tabs/{token}"): "get_public_tab",
    ("post", "/v1/public/tabs/{token}/accept"): "accept_terms",
    ("post", "/v1/public/tabs/{token}/review"): "review_tab",
    ("get", "/v1/reports/satisfaction"): "get_satisfaction",
    ("get", "/v1/ledger/balances"): "get_balances",
    ("get", "/v1/ledger/entries"): "list_entries",
    ("get", "/v1/reports/cash-flow"): "get_cash_flow",
    ("post", "/v1/day-closes"): "close_day",
    ("get", "/v1/day-closes/{date}"): "get_day_close",
    ("get", "/v1/reports/earnings"): "get_earnings",
    ("get", "/v1/exports/journal.csv"): "export_journal",
    ("get", "/v1/exports/journal.beancount"): "export_beancount",
    ("get", "/v1/exports/quickbooks.csv"): "export_quickbooks",
    ("get", "/v1/exports/xero.csv"): "export_xero",
    ("get", "/v1/exports/xero-daily.csv"): "export_xero_daily",
    ("get", "/v1/exports/z-reports.csv"): "export_z_reports",
    ("get", "/v1/merchant/account-mapping"): "get_account_mapping",
    ("post", "/v1/merchant/account-mapping"): "set_account_mapping",
    ("get", "/v1/reports/earnings.csv"): "get_earnings_csv",
    ("get", "/v1/merchant/earnings-policy"): "get_earnings_policy",
    ("post", "/v1/merchant/earnings-policy"): "set_earnings_policy",
    ("get", "/v1/staff"): "list_staff",
    ("post", "/v1/staff"): "create_staff",
    ("get", "/v1/staff/{staff_id}"): "get_staff",
    ("post", "/v1/staff/{staff_id}"): "update_staff",
    ("get", "/v1/staff/{staff_id}/hours"): "get_staff_hours",
    ("post", "/v1/staff/{staff_id}/hours"): "set_staff_hours",
    ("get", "/v1/public/merchants/{slug}/services"): "list_public_services",
    ("get", "/v1/public/merchants/{slug}/availability"): "get_availability",
    ("post", "/v1/public/merchants/{slug}/bookings"): "create_public_booking",
    ("post", "/v1/public/merchants/{slug}/email-codes"): "create_email_code",
    ("post", "/v1/public/merchants/{slug}/email-codes/{code_id}/confirm"): "confirm_email_code",
    ("get", "/v1/events"): "list_events",
    ("get", "/healthz"): "health",
    ("get", "/v1/messages"): "list_messages",
    ("post", "/v1/messages/{message_id}/retry"): "retry_message",
    ("get", "/v1/merchant/messages"): "get_message_settings",
    ("post", "/v1/merchant/messages"): "set_message_settings",
    ("post", "/v1/webhook-endpoints"): "create_webhook_endpoint",
    ("get", "/v1/webhook-endpoints"): "list_webhook_endpoints",
    ("post", "/v1/webhook-endpoints/{endpoint_id}"): "update_webhook_endpoint",
    ("delete", "/v1/webhook-endpoints/{endpoint_id}"): "delete_webhook_endpoint",
    ("get", "/v1/webhook-endpoints/{endpoint_id}/deliveries"): "list_webhook_deliveries",
    ("get", "/v1/merchant/gateway"): "get_gateway",
    ("post", "/v1/merchant/gateway"): "set_gateway",
    ("post", "/v1/webhooks/stripe/{merchant_id}"): "receive_stripe_event",
    ("get", "/v1/disputes"): "list_disputes",
    ("post", "/v1/tax-rates"): "create_tax_rate",
    ("get", "/v1/tax-rates"): "list_tax_rates",
    ("get", "/v1/reports/tax"): "get_tax_report",
    ("post", "/v1/disputes/{dispute_id}/lost"): "mark_dispute_lost",
    ("post", "/v1/disputes/{dispute_id}/won"): "mark_dispute_won",
    ("post", "/v1/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/retry"): (
        "retry_webhook_delivery"
    ),
}


def api_operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m, p, op) for m, p, op in operations(schema) if p.startswith("/v1/")]


def test_operation_ids_are_the_contract_s_names(app: Any) -> None:
    found = {(m, p): op["operationId"] for m, p, op in operations(app.openapi())}
    assert found == OPERATION_IDS
    assert CONTRACT_OPERATION_IDS - set(found.values()) == set(), "a contract name is missing"
    assert set(found.values()) - CONTRACT_OPERATION_IDS == NEW_OPERATION_IDS


def test_no_page_is_in_the_schema(app: Any) -> None:
    paths = app.openapi()["paths"]
    assert [p for p in paths if p.startswith(("/t/", "/staff", "/static"))] == []


def test_every_operation_lists_its_error_statuses_with_the_error_body(app: Any) -> None:
    schema = app.openapi()
    for method, path, op in api_operations(schema):
        statuses = {int(s) for s in op["responses"] if int(s) >= 400}
        expected = {404, 409, 422}
        if op.get("security"):
            expected.add(401)
        if method == "post":
            expected |= {400, 413, 415}
        assert expected <= statuses, (method, path, statuses)
        for status in statuses:
            content = op["responses"][str(status)]["content"]
            assert content == {
                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
            }
    assert "HTTPValidationError" not in str(schema)


def test_the_error_schema_is_the_shape_the_server_sends(app: Any, merchant: Merchant) -> None:
    schema = app.openapi()
    error = resolve(schema, schema["components"]["schemas"]["Error"])
    assert error["required"] == ["error"]
    detail = resolve(schema, error["properties"]["error"])
    assert set(detail["required"]) == {"type", "code", "message", "param"}
    assert detail["additionalProperties"] is True  # extra facts: tab_limit, available
    refused = merchant.post("/v1/tabs", {"customer_id": 12})
    assert refused.status_code == 422
    assert set(refused.json()) == {"error"}
    assert set(detail["required"]) <= set(refused.json()["error"])


def test_business_refusals_are_documented(app: Any) -> None:
    paths = app.openapi()["paths"]
    for method, path, status in (
        ("post", "/v1/tabs", "402"),
        ("post", "/v1/tabs/{tab_id}/payments", "402"),
        ("post", "/v1/bookings", "402"),
        ("post", "/v1/tabs/{tab_id}/serve", "409"),
        ("post", "/v1/bookings/{booking_id}/cancel", "409"),
    ):
        answer = paths[path][method]["responses"][status]
        assert answer["description"] and "content" in answer, (method, path, status)


def test_a_public_booking_names_the_refusals_an_integrator_may_meet(app: Any) -> None:
    responses = app.openapi()["paths"]["/v1/public/merchants/{slug}/bookings"]["post"]["responses"]
    assert "slot_off_grid" in responses["422"]["description"]
    assert "staff_not_bookable" in responses["422"]["description"]
    assert "staff_id" in responses["404"]["description"]
    assert "parameter_invalid" in responses["422"]["description"]


def test_a_route_s_own_422_refusals_are_kept_beside_the_parameter_ones(app: Any) -> None:
    refunds = app.openapi()["paths"]["/v1/payments/{payment_id}/refunds"]["post"]["responses"]
    assert "amount_exceeds_refundable" in refunds["422"]["description"]
    assert "parameter_invalid" in refunds["422"]["description"]


def test_every_post_declares_the_idempotency_headers(app: Any) -> None:
    posts = [(p, op) for m, p, op in api_operations(app.openapi()) if m == "post"]
    assert len(posts) >= 25
    for path, op in posts:
        key = [p for p in op["parameters"] if p["name"] == "Idempotency-Key"]
        assert key and key[0]["in"] == "header" and not key[0]["required"], path
        for status, answer in op["responses"].items():
            assert "Idempotent-Replayed" in answer.get("headers", {}), (path, status)
