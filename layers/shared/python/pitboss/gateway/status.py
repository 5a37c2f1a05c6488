"""Online status, in-game status and player info: what the wallet item read with the session says, in the
seed's shapes, behind the 401 requirement codes; and the reality check (the seed's 303) once due."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pitboss.engines.rules as engines
from pitboss import clock, money
from pitboss.errors import (
    BonusNotFound,
    ConcurrentUpdate,
    Conflict,
    InvalidInput,
    RealityCheckDue,
    RequirementMissing,
)
from pitboss.gateway import repository, rules, wallet_view
from pitboss.gateway.output import (
    GwInGameRealityCheck,
    GwPlayerRef,
    GwRealityCheck,
    GwWageringCompleteOut,
    InGameStatusOut,
    OnlineStatusOut,
    PlayerInfoOut,
)
from pitboss.gateway.sessions import Caller
from pitboss.settings import get_settings
from pitboss.wallet.entity import Wallet

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "\u20ac", "GBP": "\u00a3", "JPY": "\u00a5", "KRW": "\u20a9", "INR": "\u20b9"}
GAME_SESSION_MAX = 128


def require(caller: Caller) -> None:
    code = rules.requirement(caller.player, caller.brand.settings, caller.credentials)
    if code is not None:
        raise RequirementMissing(code)


def _display(amount: Decimal) -> int | float:
    """The seed shows balances as JSON numbers (936.04). Quantised amounts of at most 15 significant
    digits print exactly as a float's shortest repr, so this conversion is for display only."""
    return int(amount) if amount == amount.to_integral_value() else float(amount)  # float ok: display only


def _stamp(at: str | None) -> str | None:
    """The seed's "2022-01-01 00:00:01" (UTC) for a stored ISO instant."""
    return None if at is None else f"{clock.parse_iso(at):%Y-%m-%d %H:%M:%S}"


def _vip_level(caller: Caller) -> int:
    """The player's VIP level from lifetime xp and the brand's ladder (issue 13; 1 without a ladder)."""
    return engines.vip_of((caller.wallet or {}).get("engagement"), caller.brand.settings).level


def _play(caller: Caller) -> wallet_view.Play:
    return wallet_view.play(caller.wallet, caller.session, caller.brand.currency, caller.now)


def _common(caller: Caller, play: wallet_view.Play) -> dict[str, Any]:
    """The fields online and in-game status share (GwStatusCommon), in the seed's order."""
    stats = play.stats
    opt = caller.player.details.get("opt_out") or {}
    base = get_settings().public_gateway_url.rstrip("/")
    return {
        "marketingSegmentation": "0",
        "tag_status": 0,
        "deposit_count": stats.deposit_count,
        "vip_level": str(_vip_level(caller)),
        "average_deposit": _display(play.average_deposit()),
        "billboard": "",
        "segmentation_id": 0,
        "maxBalance": int(play.total.scaleb(money.exponent(play.currency))),
        "UT": 0,
        "decline": "0",
        "VIP_segment": 0,
        "total_balance": _display(play.total),
        "pending_withdrawal": _display(max(stats.withdrawals_pending, Decimal(0))),
        "total_withdrawals": _display(stats.withdrawals),
        "last_bet": _stamp(stats.last_bet_at),
        "last_deposit": _stamp(stats.last_deposit_at),
        "last_deposit_amount": _display(stats.last_deposit_amount or Decimal(0)),
        "rounds_since_login": play.rounds_since,
        "balance_since_login": _display(play.balance_since),
        "playerIdLink": f"{base}/api/player/{caller.player.player_id}",
        "bonusOptOut": 0,
        "real_balance": _display(play.real),
        "freeTraffic": False,
        "depositsAmount": _display(stats.deposits),
        "chat_opt_out": bool(opt.get("chat", False)),
    }


def _played(minutes: int) -> tuple[str, str, str]:
    h, m = divmod(minutes, 60)
    text = f"{h} hour{'' if h == 1 else 's'} {m} minute{'' if m == 1 else 's'}"
    return text, str(m), str(h)


def _reality_check(caller: Caller, play: wallet_view.Play, *, in_game: bool) -> None:
    """RealityCheckDue once the player's interval has passed since login or the last check; the check
    resets the clock (conditionally, so concurrent polls answer it once)."""
    interval = caller.state.limits.get("reality_check_interval")
    last = str(caller.session.get("reality_check_at") or caller.session["created_at"])
    if interval is None or not wallet_view.reality_check_due(int(interval), last, caller.now):
        return
    try:
        repository.mark_reality_check(caller.session, caller.now, last)
    except (Conflict, ConcurrentUpdate):  # another request answered this check, the session just ended, or busy
        return
    minutes = int((caller.now - clock.parse_iso(str(caller.session["created_at"]))).total_seconds() // 60)
    text, m, h = _played(minutes)
    stakes, wins = play.stakes_since, play.wins_since
    common = {
        "currency": play.currency,
        "profit": _display(wins - stakes),
        "restart_period": f"{int(interval)}_min",
        "time_played": text,
        "min": m,
        "h": h,
    }
    if in_game:
        raise RealityCheckDue(GwInGameRealityCheck(**common))
    lost = max(stakes - wins, Decimal(0))
    raise RealityCheckDue(
        GwRealityCheck(**common, total_bets=_display(stakes), total_wins=_display(wins), total_lossed=_display(lost))
    )


def online_status(caller: Caller) -> OnlineStatusOut:
    """The seed's online status. `wageringComplete` is "1" when a bonus's wagering completed during this
    session, and `wageringCompleteInfoPath` then names the latest one (route `wagering_complete`)."""
    require(caller)
    play = _play(caller)
    _reality_check(caller, play, in_game=False)
    latest = play.completed[-1] if play.completed else None
    path = None
    if latest is not None:
        brand, player = caller.brand.brand_id, caller.player.player_id
        path = f"/gateway/bonus/v1/wagering-complete/{brand}/{player}/{latest.id}"
    return OnlineStatusOut(
        **_common(caller, play),
        bonusBalance=_display(play.bonus),
        maxWin=_display(max((b.converted_amount or Decimal(0) for b in play.completed), default=Decimal(0))),
        wageringBalance=_display(play.wagering_left),
        wageringComplete="1" if play.completed else "0",
        wageringCompleteInfoPath=path,
        is_missing_player_details=rules.missing_player_details(caller.player),
    )


def wagering_complete(caller: Caller, player_id: str, ref: str) -> GwWageringCompleteOut:
    """The details of one of the session's player's bonuses whose wagering completed. Another player's id,
    an unknown reference or a bonus that did not convert: 404 (nothing tells them apart)."""
    require(caller)
    if player_id.strip() != str(caller.player.player_id):
        raise BonusNotFound()
    wallet = Wallet.from_item(caller.wallet) if caller.wallet is not None else None
    bonus = next((b for b in (wallet.bonuses if wallet else []) if b.id == ref and b.status == "converted"), None)
    if bonus is None or bonus.ended_at is None:
        raise BonusNotFound()
    return GwWageringCompleteOut(
        unique_ref_id=bonus.id,
        currency=_play(caller).currency,
        bonus_amount=_display(bonus.amount),
        wagering_required=_display(bonus.wagering_required),
        wagered=_display(bonus.wagered),
        converted_amount=_display(bonus.converted_amount or Decimal(0)),
        granted_at=_stamp(bonus.granted_at) or "",
        completed_at=_stamp(bonus.ended_at) or "",
    )


def in_game_status(caller: Caller, game_session_id: str) -> InGameStatusOut:
    if not game_session_id or len(game_session_id) > GAME_SESSION_MAX:
        raise InvalidInput()
    require(caller)
    play = _play(caller)
    _reality_check(caller, play, in_game=True)
    return InGameStatusOut(**_common(caller, play))


def player_info(caller: Caller) -> PlayerInfoOut:
    require(caller)
    p, d = caller.player, caller.player.details
    currency = _play(caller).currency
    return PlayerInfoOut(
        playerID=GwPlayerRef(username=p.username, ID=p.player_id, brand=p.brand_id),
        firstName=d.get("first_name"),
        lastName=d.get("last_name"),
        gender=d.get("gender"),
        email=p.email,
        vip_level=_vip_level(caller),
        country=p.country_code,
        test_account=1 if rules.is_test_player(p.username) else 0,
        currencyName=currency,
        currencySymbol=CURRENCY_SYMBOLS.get(currency, currency),
        bTag=str(d.get("btag", "")),
    )
