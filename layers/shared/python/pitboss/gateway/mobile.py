"""Mobile verification (issue 11 #8): the 403 mobile_verification_required hands out a `2fa_auth_token` and
texts a 6-digit code to the new number (`details.update_details`); this confirms it. The code lives 10
minutes and takes 5 tries; a right one verifies the number and applies the whole update that waited."""

from __future__ import annotations

import hmac
from typing import Any

from pitboss import clock
from pitboss.errors import DetailsNotFound, InvalidInput, MobileCodeExpired, WrongMobileCode
from pitboss.gateway import details, repository, rules, sessions
from pitboss.gateway.models import DetailsIn, GwMobileVerifyIn
from pitboss.gateway.output import GwMessageFormat
from pitboss.gateway.sessions import Caller
from pitboss.identity.entity import Player
from pitboss.observability import logger

MAX_ATTEMPTS = 5


def verify(caller: Caller, body: GwMobileVerifyIn) -> GwMessageFormat:
    """The held update applies when the token is the pending verification's and the code is right; a wrong
    code counts (422 wrong_verification_code), the fifth wrong one or a late one ends the verification (400
    mobile_verification_expired). A token that is not the pending verification's: 400 invalid input."""
    token, code = body.twofa_auth_token.strip(), body.code.strip()
    outcome: dict[str, bool] = {}

    def change(current: Player) -> tuple[Player, list[repository.Op]] | None:
        mobile: dict[str, Any] = dict(current.details.get("mobile") or {})
        outcome.clear()
        if not mobile.get("pending_number") or not _same(mobile.get("token_hash"), repository.token_hash(token)):
            raise InvalidInput()
        attempts = int(mobile.get("attempts", 0))
        if attempts >= MAX_ATTEMPTS or str(mobile.get("expires_at", "")) <= clock.iso(clock.now()):
            raise MobileCodeExpired()
        if not _same(mobile.get("code_hash"), rules.code_hash(token, code)):
            outcome["wrong"] = True
            counted = {**current.details, "mobile": {**mobile, "attempts": attempts + 1}}
            return current.model_copy(update={"details": counted}), []
        held = DetailsIn.model_validate(mobile.get("pending_update") or {"phone": mobile["pending_number"]})
        return details.decide(caller, current, held, details.parse(held), [], verified=True)

    sessions.mutate(caller.realm, caller.player.user_id, change, missing=DetailsNotFound)
    if outcome.get("wrong"):
        raise WrongMobileCode()
    logger.info("mobile verified", extra={"brand_id": caller.brand.brand_id, "player_id": caller.player.player_id})
    return GwMessageFormat(message_format="mobile_verified")


def _same(stored: Any, computed: str) -> bool:
    return isinstance(stored, str) and hmac.compare_digest(stored, computed)
