"""The outcome table and Halo's many error-body shapes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from psahub.halo.errors import (
    TABLE,
    Action,
    HaloError,
    Problem,
    halo_message,
    parse_body,
    resolve,
)


@pytest.mark.parametrize("status", [200, 201, 202, 204, 299])
def test_2xx_is_success(status: int) -> None:
    outcome = resolve(status, {"error": "ignored on success"})
    assert (outcome.action, outcome.problem) == (Action.SUCCESS, Problem.NONE)


@pytest.mark.parametrize(
    ("status", "action", "problem"),
    [
        (400, Action.FAIL, Problem.BAD_REQUEST),
        (401, Action.REFRESH_TOKEN, Problem.CREDENTIALS),
        (403, Action.FAIL, Problem.PERMISSION),
        (404, Action.FAIL, Problem.NOT_FOUND),
        (405, Action.FAIL, Problem.BAD_REQUEST),
        (408, Action.RETRY, Problem.SERVER),
        (409, Action.RETRY, Problem.SERVER),
        (425, Action.RETRY, Problem.SERVER),
        (429, Action.RATE_LIMITED, Problem.RATE_LIMITED),
        (500, Action.RETRY, Problem.SERVER),
        (502, Action.RETRY, Problem.SERVER),
        (503, Action.RETRY, Problem.SERVER),
        (504, Action.RETRY, Problem.SERVER),
    ],
)
def test_table_rows(status: int, action: Action, problem: Problem) -> None:
    outcome = resolve(status)
    assert (outcome.action, outcome.problem) == (action, problem)
    assert outcome.explanation == TABLE[status][2]


def test_every_table_status_is_covered_above() -> None:
    assert set(TABLE) == {400, 401, 403, 404, 405, 408, 409, 425, 429, 500, 502, 503, 504}


def test_401_with_insufficient_scope_challenge_is_a_scope_failure() -> None:
    headers = httpx.Headers(
        {"WWW-Authenticate": 'Bearer error="insufficient_scope", scope="read:tickets"'}
    )
    outcome = resolve(401, None, headers)
    assert (outcome.action, outcome.problem) == (Action.FAIL, Problem.SCOPE)


@pytest.mark.parametrize(
    "body",
    [
        {"message": "You do not have permission to access this resource"},
        {"Message": "This action is not permitted for the application"},
    ],
)
def test_401_whose_body_speaks_of_permission_is_a_scope_failure(body: dict[str, str]) -> None:
    outcome = resolve(401, body)
    assert (outcome.action, outcome.problem) == (Action.FAIL, Problem.SCOPE)


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (None, None),
        ("", httpx.Headers({"WWW-Authenticate": 'Bearer error="invalid_token"'})),
        ({"error": "invalid_token", "error_description": "The token is invalid"}, None),
    ],
)
def test_plain_401_refreshes_the_token(body: Any, headers: httpx.Headers | None) -> None:
    outcome = resolve(401, body, headers)
    assert (outcome.action, outcome.problem) == (Action.REFRESH_TOKEN, Problem.CREDENTIALS)


@pytest.mark.parametrize(
    "body",
    [
        {"error": "invalid_token", "error_description": "Token expired"},
        {"error": "invalid_token"},
        {"Message": "The access token has expired."},
        "Token has expired",
    ],
)
def test_400_about_an_expired_token_refreshes_it(body: Any) -> None:
    outcome = resolve(400, body)
    assert (outcome.action, outcome.problem) == (Action.REFRESH_TOKEN, Problem.CREDENTIALS)


@pytest.mark.parametrize(
    "body",
    [
        None,
        {"[0].summary": "Please enter a Summary."},
        {"ClassName": "System.ArgumentException", "Message": "Invalid ticket type"},
        "Bad Request",
    ],
)
def test_other_400_fails(body: Any) -> None:
    outcome = resolve(400, body)
    assert (outcome.action, outcome.problem) == (Action.FAIL, Problem.BAD_REQUEST)


def test_400_about_an_expired_contract_is_not_a_token_problem() -> None:
    outcome = resolve(400, {"[0].contract_id": "The selected contract has expired."})
    assert (outcome.action, outcome.problem) == (Action.FAIL, Problem.BAD_REQUEST)


@pytest.mark.parametrize("status", [501, 505, 520, 599])
def test_unknown_5xx_is_retried(status: int) -> None:
    outcome = resolve(status)
    assert (outcome.action, outcome.problem) == (Action.RETRY, Problem.SERVER)
    assert str(status) in outcome.explanation


@pytest.mark.parametrize("status", [402, 410, 418, 422, 451])
def test_unknown_4xx_fails(status: int) -> None:
    outcome = resolve(status)
    assert (outcome.action, outcome.problem) == (Action.FAIL, Problem.BAD_REQUEST)
    assert str(status) in outcome.explanation


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"error": "invalid_client", "error_description": "The client secret is wrong"},
            "The client secret is wrong",
        ),
        ({"error": "invalid_client", "error_description": ""}, "invalid_client"),
        ({"error": "unauthorized_client"}, "unauthorized_client"),
        ({"errorMessage": "Ticket type not found"}, "Ticket type not found"),
        ({"Message": "An error has occurred."}, "An error has occurred."),
        (
            {
                "ClassName": "System.NullReferenceException",
                "Message": "Object reference not set to an instance of an object.",
                "StackTraceString": "   at Halo.Api.Controllers.TicketsController.Get()",
            },
            "Object reference not set to an instance of an object.",
        ),
        ({"message": "Record not found"}, "Record not found"),
        ({"error": {"error_description": "Tenant not found"}}, "Tenant not found"),
        ({"[0].summary": "Please enter a Summary."}, "[0].summary: Please enter a Summary."),
        (
            {"[0].summary": "Please enter a Summary.", "[0].client_id": "Choose a customer."},
            "[0].summary: Please enter a Summary.; [0].client_id: Choose a customer.",
        ),
        ({"": "Something went wrong", "count": 3}, "Something went wrong"),
        ("Service Unavailable", "Service Unavailable"),
        (None, ""),
        ({}, ""),
        (["first", "second"], "['first', 'second']"),
    ],
)
def test_halo_message_reads_every_shape(body: Any, message: str) -> None:
    assert halo_message(body) == message


@pytest.mark.parametrize(
    "body",
    [
        "x" * 2000,
        {"[0].details": "y" * 2000},
        ["z" * 2000],
    ],
    ids=["text", "field-map", "list"],
)
def test_long_messages_are_truncated_to_500(body: Any) -> None:
    message = halo_message(body)
    assert len(message) == 500


def test_long_keyed_message_is_truncated_to_500() -> None:
    assert len(halo_message({"Message": "m" * 2000})) == 500


@pytest.mark.parametrize(
    ("response", "body"),
    [
        (
            httpx.Response(
                400,
                content=b'{"error": "invalid_client", "error_description": "bad"}',
                headers={"Content-Type": "application/json"},
            ),
            {"error": "invalid_client", "error_description": "bad"},
        ),
        (
            httpx.Response(200, content=b"[1, 2]", headers={"Content-Type": "text/plain"}),
            [1, 2],
        ),
        (httpx.Response(200, content=b'"just a string"'), "just a string"),
        (
            httpx.Response(
                502,
                content=b"  <html><body>Bad Gateway</body></html>\n",
                headers={"Content-Type": "text/html"},
            ),
            "<html><body>Bad Gateway</body></html>",
        ),
        (httpx.Response(500, content=b"Internal error\r\n"), "Internal error"),
        (httpx.Response(204, content=b""), None),
        (httpx.Response(200, content=b"null"), None),
    ],
    ids=["json", "json-as-text-type", "json-string", "html", "text", "empty", "json-null"],
)
def test_parse_body(response: httpx.Response, body: Any) -> None:
    assert parse_body(response) == body


def test_halo_error_shows_what_halo_said() -> None:
    error = HaloError("GET Tickets: HaloPSA refused", Problem.PERMISSION, halo_said="No access")
    assert str(error) == "GET Tickets: HaloPSA refused (HaloPSA said: No access)"
    assert str(HaloError("plain", Problem.SERVER)) == "plain"
