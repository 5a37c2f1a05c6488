"""Mutants of `make mutation` in identity/ (docs/testing.md), killed by pure tests: the effective state at an
instant (limits in force, pending changes, cool-off, self-exclusion, age) and the blocks it puts on each
action, which every domain asks before it acts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from pitboss import clock
from pitboss.identity import gates
from pitboss.identity.entity import PendingLimit, Player
from pitboss.tenancy import BrandSettings

AT = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
NOW = clock.iso(AT)


def _player(**fields: object) -> Player:
    return Player.model_validate(
        {
            "realm": "T#t#live",
            "user_id": "u1",
            "player_id": 1,
            "brand_id": 1,
            "username": "abc",
            "email": "a@example.com",
            "created_at": NOW,
            "updated_at": NOW,
            **fields,
        }
    )


def test_pending_limits_take_effect_at_their_instant_and_a_removal_drops_the_limit() -> None:
    player = _player(
        limits={"deposit_daily_limit": Decimal(50), "loss_daily_limit": Decimal(20), "wager_daily_limit": Decimal(9)},
        pending={
            "deposit_daily_limit": PendingLimit(value=Decimal(100), effective_at=NOW),  # due exactly now
            "loss_daily_limit": PendingLimit(value=None, effective_at="2026-03-01T00:00:00Z"),  # removed
            "wager_daily_limit": PendingLimit(value=Decimal(30), effective_at="2026-03-03T00:00:00Z"),
            "session_duration_limit": PendingLimit(value=None, effective_at=NOW),  # removing one never set
        },
    )
    state = gates.effective(player, BrandSettings(), AT)
    assert state.limits == {"deposit_daily_limit": Decimal(100), "wager_daily_limit": Decimal(9)}
    assert state.pending == {"wager_daily_limit": (Decimal(30), "2026-03-03T00:00:00Z")}
    assert state.blocks == {} and state.block_reason("bet") is None
    assert (state.cooloff_active, state.self_exclusion_active, state.age_verified, state.status) == (
        False,
        False,
        True,
        "active",
    )


def test_a_cooloff_or_exclusion_blocks_until_its_instant_and_not_at_it() -> None:
    running = gates.effective(_player(cooloff_until="2026-03-02T12:00:01Z"), BrandSettings(), AT)
    assert running.cooloff_active and running.block_reason("deposit") == "cooloff"
    assert set(running.blocks) == {"deposit", "bet", "bonus", "login"}
    ended = gates.effective(_player(cooloff_until=NOW, self_exclusion_until=NOW), BrandSettings(), AT)
    assert (ended.cooloff_active, ended.self_exclusion_active, ended.blocks) == (False, False, {})
    excluded = gates.effective(_player(self_exclusion_until="2026-04-01T00:00:00Z"), BrandSettings(), AT)
    assert excluded.self_exclusion_active and excluded.blocks["bet"] == ["self_exclusion"]
    forever = gates.effective(_player(self_exclusion_permanent=True), BrandSettings(), AT)
    assert forever.self_exclusion_active and forever.block_reason("login") == "self_exclusion"


def test_every_reason_is_listed_status_first() -> None:
    player = _player(status="fraud_hold", cooloff_until="2026-03-03T00:00:00Z", self_exclusion_permanent=True)
    state = gates.effective(player, BrandSettings(require_date_of_birth=True), AT)
    assert state.blocks["bet"] == ["status:fraud_hold", "self_exclusion", "cooloff", "age_gate"]
    assert state.blocks["withdrawal"] == ["status:fraud_hold"]
    assert state.blocks["login"] == ["self_exclusion", "cooloff"]
    assert state.block_reason("withdrawal") == "status:fraud_hold"


def test_the_age_gate_counts_birthdays_on_the_brand_local_date() -> None:
    # 18 on 2026-03-03: in Malta at 23:30 UTC on 2026-03-02 it is already the 3rd.
    settings = BrandSettings(timezone="Europe/Malta", min_age=18)
    late = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
    assert gates.old_enough(date(2008, 3, 3), settings, late)
    assert not gates.old_enough(date(2008, 3, 3), BrandSettings(min_age=18), late)
    assert not gates.old_enough(date(2008, 3, 4), settings, late)
    assert gates.old_enough(date(2008, 2, 29), settings, late)
    minor = gates.effective(_player(date_of_birth=date(2010, 1, 1)), BrandSettings(), AT)
    assert (minor.age_verified, minor.blocks) == (False, {a: ["age_gate"] for a in ("deposit", "bet", "bonus")})
    assert gates.age_verified(_player(), BrandSettings(), AT)
    assert not gates.age_verified(_player(), BrandSettings(require_date_of_birth=True), AT)
    assert gates._age(date(2000, 6, 15), date(2026, 6, 14)) == 25
    assert gates._age(date(2000, 6, 15), date(2026, 6, 15)) == 26
    assert gates._age(date(2000, 6, 15), date(2026, 5, 20)) == 25


def test_without_an_instant_the_state_is_the_present_one() -> None:
    state = gates.effective(_player(cooloff_until="2000-01-01T00:00:00Z"), BrandSettings())
    assert not state.cooloff_active


FULL = {
    "external_ref": "ext-1",
    "country_code": "MT",
    "date_of_birth": date(1990, 5, 6),
    "status": "withdrawal_hold",
    "kyc_status": "approved",
    "kyc_level": 2,
    "risk_band": "high",
    "is_pep": True,
    "is_sanctioned": True,
    "tags": ["vip"],
    "limits": {"deposit_daily_limit": Decimal("50.50"), "session_duration_limit": 60},
    "pending": {
        "loss_daily_limit": PendingLimit(value=Decimal(20), effective_at="2026-03-05T00:00:00Z"),
        "reality_check_interval": PendingLimit(value=30, effective_at="2026-03-04T00:00:00Z"),
        "wager_daily_limit": PendingLimit(value=None, effective_at="2026-03-06T00:00:00Z"),
    },
    "cooloff_until": "2026-03-03T00:00:00Z",
    "self_exclusion_until": "2026-03-02T18:00:00Z",
    "status_from_exclusion": True,
    "details": {"city": "Valletta"},
    "email_verified": True,
    "notes": [{"kind": "compliance", "text": "ok", "actor": "operator:o1", "at": NOW}],
    "version": 7,
    "chain_head": "h1",
}


def test_a_profile_item_holds_every_field_and_reads_back_the_same_player() -> None:
    player = _player(username="AbC", **FULL)
    item = player.to_item()
    assert {k: item[k] for k in ("pk", "sk", "kind", "username_lc", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk")} == {
        "pk": "T#t#live#P#u1",
        "sk": "PROFILE",
        "kind": "player",
        "username_lc": "abc",
        "gsi1pk": "T#t#live#B#1",
        "gsi1sk": "abc",
        "gsi2pk": "T#t#live#PLAYERS",
        "gsi2sk": "000000000001",
    }
    # The earliest of the pending changes, the cool-off and the (temporary) exclusion is the next due time.
    assert (item["due_pk"], item["due_at"], item["chain_head"]) == ("DUE", "2026-03-02T18:00:00Z", "h1")
    assert (item["date_of_birth"], item["pending"]["wager_daily_limit"]) == (
        "1990-05-06",
        {"value": None, "effective_at": "2026-03-06T00:00:00Z"},
    )
    # Stored numbers come back as DynamoDB hands them (Decimal), strings where the item holds text.
    stored = {**item, **{k: Decimal(item[k]) for k in ("player_id", "brand_id", "kyc_level", "version")}}
    stored["limits"] = {"deposit_daily_limit": "50.50", "session_duration_limit": Decimal(60)}
    stored["pending"] = {
        k: {**v, "value": None if v["value"] is None else str(v["value"])} for k, v in item["pending"].items()
    }
    back = Player.from_item("T#t#live", stored)
    assert back == player
    assert isinstance(back.limits["session_duration_limit"], int)
    assert isinstance(back.pending["reality_check_interval"].value, int)
    assert isinstance(back.pending["loss_daily_limit"].value, Decimal)


def test_a_bare_item_reads_with_the_defaults_and_no_due_time() -> None:
    item = {
        "user_id": "u1",
        "player_id": 1,
        "brand_id": 1,
        "username": "abc",
        "email": "a@example.com",
        "created_at": NOW,
        "updated_at": NOW,
    }
    player = Player.from_item("T#t#live", item)
    assert player == _player()
    written = player.to_item()
    assert "due_pk" not in written and "due_at" not in written and "chain_head" not in written
    assert written["date_of_birth"] is None
    # A permanent exclusion has no end to wait for.
    assert _player(self_exclusion_until="2026-03-09T00:00:00Z", self_exclusion_permanent=True).next_due_at() is None
    assert _player(cooloff_until="2026-03-09T00:00:00Z").next_due_at() == "2026-03-09T00:00:00Z"
