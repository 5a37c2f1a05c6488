"""Mutants of `make mutation` in identity/ (docs/testing.md), killed by pure tests: the effective state at an
instant (limits in force, pending changes, cool-off, self-exclusion, age) and the blocks it puts on each
action, which every domain asks before it acts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from pitboss import clock, keys, retry, store, timeline
from pitboss.errors import ConcurrentUpdate, Conflict, NotFound, TransactionCancelled
from pitboss.identity import gates, profiles
from pitboss.identity.entity import PendingLimit, Player
from pitboss.principal import Brand, Principal
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
    # The limits as stored (to_item 45-47): the read back below is given them as DynamoDB hands them.
    assert item["limits"] == {"deposit_daily_limit": Decimal("50.50"), "session_duration_limit": 60}
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


def test_a_permanent_exclusion_is_stored_and_read_back() -> None:
    """to_item 54, 55 and from_item 84, 178-184: the flag that keeps a player excluded with no end to wait for."""
    player = _player(self_exclusion_permanent=True, self_exclusion_until="2026-03-09T00:00:00Z")
    item = player.to_item()
    assert item["self_exclusion_permanent"] is True and "due_at" not in item
    back = Player.from_item("T#t#live", item)
    assert back.self_exclusion_permanent is True and back == player


# ---- identity.profiles: the profile reads and the versioned write, on moto -------------------------

REALM = "T#t#live"
UID = "0b0e6f36-8d5c-4b8e-9a59-2f6f3c1a7e11"


def _principal(brand_ids: list[int] | None = None) -> Principal:
    brands = {b: Brand(brand_id=b, tenant_id="t", name=f"B{b}", currency="USD") for b in (1, 2)}
    return Principal(tenant_id="t", mode="live", key_id="k", scopes=["*"], brand_ids=brand_ids, brands=brands)


def _created(**fields: object) -> Player:
    player = _player(user_id=UID, username="AbC", email="A@Example.com", **fields)
    profiles._pointer_cache.clear()  # a warm cache of another test's table (same realm and names) would answer
    store.transact(profiles.create_ops("key:k", player, source="api"))
    stored = profiles.load(REALM, UID)
    assert stored is not None and stored.chain_head  # the store's seal moved the timeline's head
    return stored


def _unsealed(player: Player | None) -> dict[str, object]:
    """The player but its chain head (the write's seal moves it after `mutate` decided)."""
    assert player is not None
    return player.model_dump(exclude={"chain_head"})


def test_a_new_player_is_its_three_pointers_its_profile_and_its_first_event(moto_table: str) -> None:
    """create_ops: index 0 the username pointer, 1 the email pointer (callers read cancellations by index), 2 the
    number, 3 the profile, 4 the `player_created` event; each pointer written only where none is."""
    clock.set_clock(lambda: AT)
    player = _player(user_id=UID, username="AbC", email="A@Example.com", player_id=7, brand_id=2)
    ops = profiles.create_ops("key:k", player, source="api")
    pointer = {"sk": "UNIQUE", "user_id": UID, "brand_id": 2}
    new = "attribute_not_exists(pk)"
    assert ops[:4] == [
        store.Put({"pk": f"{REALM}#B#2#U#abc", **pointer}, condition=new),
        store.Put({"pk": f"{REALM}#B#2#E#a@example.com", **pointer}, condition=new),
        store.Put({"pk": keys.player_number_pk(REALM, 7), **pointer}, condition=new),
        store.Put(player.to_item(), condition=new),
    ]
    event = ops[4]
    assert isinstance(event, store.Put) and event.item["pk"] == player.pk
    assert (event.item["type"], event.item["actor"], event.item["data"]) == (
        "player_created",
        "key:k",
        {"source": "api", "username": "AbC", "brand_id": 2},
    )
    store.transact(ops)
    assert store.get(f"{REALM}#B#2#U#abc", "UNIQUE") == {"pk": f"{REALM}#B#2#U#abc", **pointer}
    with pytest.raises(TransactionCancelled) as again:
        store.transact(profiles.create_ops("key:k", player, source="api"))
    assert [again.value.failed(i) for i in range(4)] == [True, True, True, True]
    other_name = _player(user_id="u2", username="other", email="a@example.COM", player_id=8, brand_id=2)
    with pytest.raises(TransactionCancelled) as email_taken:
        store.transact(profiles.create_ops("key:k", other_name, source="api"))
    assert [email_taken.value.failed(i) for i in range(4)] == [False, True, False, False]


def test_a_path_key_resolves_to_a_user_id_in_the_caller_s_brands(moto_table: str) -> None:
    """resolve_user_id, user_id_by_username, the pointer cache (_remember) and the 404 everyone answers."""
    _created()
    everyone = _principal()
    store.round_trips.count = 0
    assert profiles.resolve_user_id(everyone, UID.upper(), None) == UID  # a UUID as is: no read
    assert store.round_trips.count == 0
    assert profiles.resolve_user_id(everyone, UID, 1) == UID
    assert store.round_trips.count == 1
    for key, brand in ((UID, 2), ("9e2a51bb-0c1e-4d55-8f0d-5b7f4c1d2e33", 1), ("nobody", 1), ("abc", 2)):
        with pytest.raises(NotFound) as missing:
            profiles.resolve_user_id(everyone, key, brand)
        assert (missing.value.code, str(missing.value)) == ("player_not_found", "player not found")
    assert profiles.user_id_by_username(REALM, 1, "ABC") == UID
    assert profiles.user_id_by_username(REALM, 2, "abc") is None


def test_a_username_pointer_is_read_once_and_the_cache_is_bounded(
    moto_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _created()
    store.transact(
        profiles.create_ops("key:k", _player(user_id="u2", player_id=2, username="b", email="b@x.io"), source="api")
    )
    monkeypatch.setattr(profiles, "_pointer_cache", {})
    monkeypatch.setattr(profiles, "_POINTER_CACHE_MAX", 1)
    only_one = _principal([1])
    assert profiles.resolve_user_id(only_one, "abc", None) == UID
    store.round_trips.count = 0
    assert profiles.resolve_user_id(only_one, "ABC", None) == UID
    assert store.round_trips.count == 0
    assert profiles.resolve_user_id(only_one, "b", None) == "u2"
    assert profiles._pointer_cache == {f"{REALM}#B#1#U#b": "u2"}  # full: emptied before the new one


def test_a_profile_is_read_only_for_a_caller_that_may_see_its_brand(moto_table: str) -> None:
    """player_from, load_player, load, profile_key."""
    player = _created(brand_id=2)
    assert profiles.profile_key(REALM, UID) == (player.pk, "PROFILE")
    assert profiles.load(REALM, UID) == player
    assert profiles.load(REALM, "nobody") is None
    assert profiles.load_player(_principal(), UID, None) == player
    assert profiles.load_player(_principal(), "abc", 2) == player  # load_player 2, 4: the brand a username needs
    assert profiles.player_from(_principal([2]), player.to_item()) == player
    for who, item in ((_principal([1]), player.to_item()), (_principal(), None)):
        with pytest.raises(NotFound) as hidden:
            profiles.player_from(who, item)
        assert hidden.value.code == "player_not_found"
    with pytest.raises(NotFound):
        profiles.load_player(_principal([1]), UID, None)


def test_the_profile_conditions_guard_its_version(moto_table: str) -> None:
    """versioned_put, unchanged, exists: the ops and what DynamoDB makes of them."""
    player = _created()
    version = {"names": {"#v": "version"}, "values": {":v": 0}}
    bumped = player.model_copy(update={"version": 1})
    assert profiles.versioned_put(bumped, 0) == store.Put(bumped.to_item(), condition="#v = :v", **version)
    assert profiles.unchanged(player) == store.Check(player.pk, "PROFILE", "#v = :v", **version)
    assert profiles.exists(player) == store.Check(player.pk, "PROFILE", "attribute_exists(pk)")
    with pytest.raises(TransactionCancelled) as stale:
        store.transact([profiles.versioned_put(bumped, 1)])
    assert stale.value.failed(0)
    store.transact([profiles.versioned_put(bumped, 0)])
    with pytest.raises(TransactionCancelled):
        store.transact([profiles.unchanged(player)])
    store.transact([profiles.unchanged(bumped)])
    store.transact([profiles.exists(bumped)])
    with pytest.raises(TransactionCancelled):
        store.transact([profiles.exists(_player(user_id="nobody"))])


def test_player_numbers_count_up_per_realm(moto_table: str) -> None:
    assert [profiles.next_player_number(REALM) for _ in range(2)] == [1, 2]
    assert store.get(keys.counter_pk(REALM), "PLAYER")["value"] == 2
    assert profiles.next_player_number("T#t#test") == 1


def test_an_email_change_moves_the_pointer_only_if_it_is_still_the_player_s(moto_table: str) -> None:
    player = _created()
    assert profiles.email_swap_ops(player, "a@EXAMPLE.com") == []
    mine = {"condition": "attribute_not_exists(pk) OR user_id = :u", "values": {":u": UID}}
    ops = profiles.email_swap_ops(player, "New@x.io")
    assert ops == [
        store.Delete(f"{REALM}#B#1#E#a@example.com", "UNIQUE", **mine),
        store.Put({"pk": f"{REALM}#B#1#E#new@x.io", "sk": "UNIQUE", "user_id": UID, "brand_id": 1}, **mine),
    ]
    store.transact(ops)
    assert store.get(f"{REALM}#B#1#E#a@example.com", "UNIQUE") is None
    assert profiles.email_swap_ops(player.model_copy(update={"email": "new@x.io"}), "a@example.com")
    store.transact(
        profiles.create_ops("key:k", _player(user_id="u2", player_id=2, username="b", email="b@x.io"), source="api")
    )
    with pytest.raises(TransactionCancelled) as taken:
        store.transact(profiles.email_swap_ops(player.model_copy(update={"email": "new@x.io"}), "B@x.io"))
    assert (taken.value.failed(0), taken.value.failed(1)) == (False, True)


def test_mutate_decides_on_the_stored_profile_and_writes_it_one_version_on(
    moto_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """mutate: the version and updated_at it sets, the ops it commits with the profile, nothing to change,
    a missing profile, a lost race decided again, a cancellation mapped or raised, and the retries' end."""
    monkeypatch.setattr(retry, "pause", lambda attempt: None)
    clock.set_clock(lambda: AT)
    _created()
    later = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)
    clock.set_clock(lambda: later)
    seen: list[int] = []

    def verify(current: Player) -> tuple[Player, list[store.Op]]:
        seen.append(current.version)
        event = timeline.event_op(REALM, UID, "verified", "key:k")
        return current.model_copy(update={"email_verified": True}), [event]

    updated = profiles.mutate(REALM, UID, verify)
    assert updated is not None and (updated.version, updated.updated_at, updated.email_verified) == (
        1,
        clock.iso(later),
        True,
    )
    assert _unsealed(profiles.load(REALM, UID)) == _unsealed(updated) and seen == [0]
    assert [e["type"] for e in store.query_all(updated.pk, sk_prefix="EVT#")] == ["player_created", "verified"]
    assert profiles.mutate(REALM, UID, lambda current: None) is None
    assert _unsealed(profiles.load(REALM, UID)) == _unsealed(updated)
    with pytest.raises(NotFound) as missing:
        profiles.mutate(REALM, "nobody", verify)
    assert missing.value.code == "player_not_found"
    with pytest.raises(Conflict):
        profiles.mutate(REALM, "nobody", verify, missing=lambda: Conflict("gone"))

    def racing(current: Player) -> tuple[Player, list[store.Op]]:
        seen.append(current.version)
        if len(seen) < 3:  # a concurrent writer gets in first, twice
            rival = current.model_copy(update={"version": current.version + 1})
            store.transact([profiles.versioned_put(rival, current.version)])
        return current.model_copy(update={"kyc_level": 3}), []

    retried: list[str] = []
    monkeypatch.setattr(retry, "_on_retry", retried.append)
    seen.clear()
    won = profiles.mutate(REALM, UID, racing)
    assert retried == ["profile", "profile"]  # mutate 2-6: each retry is counted under the loop's name
    assert seen == [1, 2, 3] and won is not None and (won.version, won.kyc_level) == (4, 3)

    taken = store.Put({"pk": f"{REALM}#B#1#U#abc", "sk": "UNIQUE"}, condition="attribute_not_exists(pk)")

    def clash(current: Player) -> tuple[Player, list[store.Op]]:
        return current.model_copy(update={"kyc_level": 4}), [taken]

    with pytest.raises(Conflict) as mapped:
        profiles.mutate(REALM, UID, clash, on_cancel=lambda exc: Conflict("taken") if exc.failed(1) else None)
    assert isinstance(mapped.value.__cause__, TransactionCancelled)
    for on_cancel in (None, lambda exc: None):
        with pytest.raises(TransactionCancelled):
            profiles.mutate(REALM, UID, clash, on_cancel=on_cancel)
    assert _unsealed(profiles.load(REALM, UID)) == _unsealed(won)

    def always_late(current: Player) -> tuple[Player, list[store.Op]]:
        seen.append(current.version)
        store.transact(
            [profiles.versioned_put(current.model_copy(update={"version": current.version + 1}), current.version)]
        )
        return current, []

    seen.clear()
    with pytest.raises(ConcurrentUpdate) as late:
        profiles.mutate(REALM, UID, always_late)
    assert str(late.value) == "the player changed concurrently; retry"
    assert len(seen) == profiles.PROFILE_ATTEMPTS == 6
