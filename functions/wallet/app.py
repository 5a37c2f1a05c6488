"""Wallet API (seeds 001/003 money model): deposits, withdrawals, bets, wins, rollbacks, bonuses, winz,
the wallet and its ledger, under /v1/players/{key}/..."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from pitboss import http, idempotency
from pitboss.games import authenticate
from pitboss.games.models import GameSessionIn, GameSessionOut
from pitboss.http.params import BrandQuery, PlayerKey, replayable
from pitboss.identity import resolve_user_id
from pitboss.observability import logger
from pitboss.tenancy import WALLET_WRITE_SCOPES, Principal
from pitboss.wallet import payments, promotions, queries, rounds
from pitboss.wallet.models import (
    BetIn,
    BonusIn,
    DepositIn,
    RollbackIn,
    WinIn,
    WinzIn,
    WithdrawalIn,
    WithdrawalOutcomeIn,
)
from pitboss.wallet.output import MovementOut, TransactionsPage, WalletEnvelope, movement_answer

app = APIGatewayHttpResolver(**http.RESOLVER_OPTIONS)
http.configure(app, surface="v1", generic_codes=True)

WithdrawalId = Annotated[str, Path(description="The withdrawal's id", max_length=64, pattern=r"^wd_[0-9a-z]{26}$")]
CurrencyQuery = Annotated[
    str | None, Query(pattern=r"^[A-Z]{3,5}$", description="The currency to detail (default: the brand's)")
]
# The outcome's body is optional: a model whose fields are all optional, and a request body not required
# (documented as such, not as `anyOf [model, null]`, which client generators trip on).
OutcomeBody = Annotated[WithdrawalOutcomeIn, Body(description="Optional: a memo and an idempotency key")]

MOVED = replayable(
    "Applied: the entry and the wallet after it",
    MovementOut,
    "A replay (same idempotency_key or provider ref): the original answer, deduped",
)
SETTLED = {
    **http.V1_ERRORS,
    200: http.ok("Applied, or a replay of the same outcome (deduped)", MovementOut),
}


def _player(who: Principal, key: str, brand_id: int | None, body_brand_id: int | None = None) -> str:
    """The player the path names, resolved once, here, in the brand the request names (query or body):
    flows get the user_id and resolve nothing again."""
    return resolve_user_id(who, key, http.brand_param(brand_id, body_brand_id))


def _begin(
    who: Principal, key: str, brand_id: int | None, body: Any, route: str, *, target: str = ""
) -> tuple[str, idempotency.IdemRequest]:
    """The player and the idempotency request. The fingerprint names the player by user_id: the UUID and
    any spelling of the username are the same request."""
    user_id = _player(who, key, brand_id, body.brand_id)
    path = f"{route}:{user_id}{target}"
    return user_id, idempotency.begin(who, body.idempotency_key, "POST", path, http.raw_body(app))


def _moved(outcome: idempotency.Outcome) -> Response[MovementOut]:
    return http.model_response(outcome.status, movement_answer(outcome))


@app.post("/v1/players/<key>/deposits", summary="Deposit", responses=MOVED, tags=["wallet"])
def deposit(key: PlayerKey, body: DepositIn, brand_id: BrandQuery = None) -> Response[MovementOut]:
    who = http.principal(app, "wallet:payments")
    user_id, idem = _begin(who, key, brand_id, body, "deposit")
    return _moved(payments.deposit(who, user_id, body, idem))


@app.post(
    "/v1/players/<key>/withdrawals",
    summary="Request a withdrawal",
    description="Moves the amount from real to frozen (status pending) and forfeits active bonuses.",
    responses=MOVED,
    tags=["wallet"],
)
def withdraw(key: PlayerKey, body: WithdrawalIn, brand_id: BrandQuery = None) -> Response[MovementOut]:
    who = http.principal(app, "wallet:payments")
    user_id, idem = _begin(who, key, brand_id, body, "withdrawal")
    return _moved(payments.request_withdrawal(who, user_id, body, idem))


def _settle(
    key: str, withdrawal_id: str, outcome: str, body: WithdrawalOutcomeIn, brand_id: int | None
) -> Response[MovementOut]:
    """A PSP's outcome; the body is optional (a memo and an idempotency key at most)."""
    who = http.principal(app, "wallet:payments")
    user_id, idem = _begin(who, key, brand_id, body, f"withdrawal_{outcome}", target=f":{withdrawal_id}")
    return _moved(payments.settle_withdrawal(who, user_id, withdrawal_id, outcome, body, idem))


@app.post(
    "/v1/players/<key>/withdrawals/<withdrawal_id>/complete",
    summary="Complete a withdrawal (PSP paid out)",
    responses=SETTLED,
    tags=["wallet"],
)
def complete_withdrawal(
    key: PlayerKey,
    withdrawal_id: WithdrawalId,
    body: OutcomeBody = WithdrawalOutcomeIn(),  # noqa: B008 - never mutated; the "no body" value
    brand_id: BrandQuery = None,
) -> Response[MovementOut]:
    return _settle(key, withdrawal_id, "complete", body, brand_id)


@app.post(
    "/v1/players/<key>/withdrawals/<withdrawal_id>/cancel",
    summary="Cancel a withdrawal (funds back to real)",
    responses=SETTLED,
    tags=["wallet"],
)
def cancel_withdrawal(
    key: PlayerKey,
    withdrawal_id: WithdrawalId,
    body: OutcomeBody = WithdrawalOutcomeIn(),  # noqa: B008 - never mutated; the "no body" value
    brand_id: BrandQuery = None,
) -> Response[MovementOut]:
    return _settle(key, withdrawal_id, "cancel", body, brand_id)


@app.post(
    "/v1/players/<key>/bets",
    summary="Bet (debit)",
    description="Idempotent on (provider, ref_id). Real first, then bonus (brand spend_order).",
    responses=MOVED,
    tags=["wallet"],
)
def bet(key: PlayerKey, body: BetIn, brand_id: BrandQuery = None) -> Response[MovementOut]:
    who = http.principal(app, "wallet:bets")
    user_id, idem = _begin(who, key, brand_id, body, "bet")
    return _moved(rounds.place_bet(who, user_id, body, idem))


@app.post(
    "/v1/players/<key>/wins",
    summary="Win (credit)",
    description="Idempotent on (provider, ref_id); never refused for RG or status; unknown round: 404.",
    responses=MOVED,
    tags=["wallet"],
)
def win(key: PlayerKey, body: WinIn, brand_id: BrandQuery = None) -> Response[MovementOut]:
    who = http.principal(app, "wallet:bets")
    user_id, idem = _begin(who, key, brand_id, body, "win")
    return _moved(rounds.credit_win(who, user_id, body, idem))


@app.post(
    "/v1/players/<key>/rollbacks",
    summary="Roll back a bet",
    description="Reverses the bet once; unknown ref: 404 and a tombstone; closed round: 409.",
    responses=MOVED,
    tags=["wallet"],
)
def rollback(key: PlayerKey, body: RollbackIn, brand_id: BrandQuery = None) -> Response[MovementOut]:
    who = http.principal(app, "wallet:bets")
    user_id, idem = _begin(who, key, brand_id, body, "rollback")
    return _moved(rounds.rollback(who, user_id, body, idem))


@app.post("/v1/players/<key>/bonuses", summary="Grant a bonus", responses=MOVED, tags=["wallet"])
def bonus(key: PlayerKey, body: BonusIn, brand_id: BrandQuery = None) -> Response[MovementOut]:
    who = http.principal(app, "wallet:bonuses")
    user_id, idem = _begin(who, key, brand_id, body, "bonus")
    return _moved(promotions.grant_bonus(who, user_id, body, idem))


@app.post("/v1/players/<key>/winz", summary="Grant or redeem winz points", responses=MOVED, tags=["wallet"])
def winz(key: PlayerKey, body: WinzIn, brand_id: BrandQuery = None) -> Response[MovementOut]:
    who = http.principal(app, "wallet:bonuses")
    user_id, idem = _begin(who, key, brand_id, body, "winz")
    return _moved(promotions.winz(who, user_id, body, idem))


@app.get(
    "/v1/players/<key>/wallet",
    summary="Wallet",
    description="Balances, frozen, bonuses and open rounds in one currency (the brand's default, or `currency`), "
    "and every currency the wallet holds (`currencies`).",
    responses={**http.V1_ERRORS, 200: http.ok("Balances per rail, frozen, bonuses", WalletEnvelope)},
    tags=["wallet"],
)
def get_wallet(key: PlayerKey, brand_id: BrandQuery = None, currency: CurrencyQuery = None) -> WalletEnvelope:
    who = http.principal(app, "wallet:read")
    return queries.get_wallet(who, _player(who, key, brand_id), currency)


@app.get(
    "/v1/players/<key>/transactions",
    summary="Ledger entries, newest first",
    responses={**http.V1_ERRORS, 200: http.ok("A page of entries", TransactionsPage)},
    tags=["wallet"],
)
def transactions(
    key: PlayerKey,
    brand_id: BrandQuery = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(pattern=r"^[1-9][0-9]{0,11}$", description="next_cursor of a page")] = None,
) -> TransactionsPage:
    who = http.principal(app, "wallet:read")
    return queries.list_transactions(who, _player(who, key, brand_id), limit, int(cursor) if cursor else None)


@app.post(
    "/v1/game-sessions",
    summary="Authenticate a player for a game (open a game session)",
    description="The game aggregator's authenticate call (seed 001: players are created by the platform when "
    "they first authenticate through a game provider). An unknown username in the brand creates the player "
    "(201, `created: true`, on the timeline as created by `provider:<provider>`); a known one is found (200). "
    "Either way a game session opens; a player whose state blocks bets is 403 `player_blocked` and no session "
    "opens. `wallet` is the wallet view in the session's currency when the answer is made.",
    responses={
        **http.V1_ERRORS,
        201: http.ok("The player was created; a session opened", GameSessionOut),
        200: http.ok(
            "The player was found; a session opened (or a replay: the original answer, deduped)", GameSessionOut
        ),
    },
    tags=["games"],
)
def open_game_session(body: GameSessionIn, brand_id: BrandQuery = None) -> Response[GameSessionOut]:
    who = http.principal(app, "wallet:bets")
    body = body.model_copy(update={"brand_id": http.brand_param(brand_id, body.brand_id)})
    route = f"/v1/game-sessions:{who.brand(body.brand_id).brand_id}"
    idem = idempotency.begin(who, body.idempotency_key, "POST", route, http.raw_body(app))
    outcome = authenticate.authenticate(who, body, idem)
    # The wallet domain's own view, composed here (the games domain can't read the wallet's internals).
    answer = outcome.response_body()
    view = queries.get_wallet(who, str(answer["player"]["user_id"]), str(answer["currency"]))
    return http.model_response(outcome.status, GameSessionOut.model_validate({**answer, "wallet": view.wallet}))


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId", clear_state=True)
@http.json_bodies("v1", scopes=("wallet:read", WALLET_WRITE_SCOPES))
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
