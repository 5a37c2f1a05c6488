"""The wallet's items and how they are read and written: WALLET, ledger entries (TX#), provider refs (REF)
and their rollbacks, closed rounds (ROUND#), withdrawals (WD#). The only wallet module that knows keys,
conditions and the store. Stored answers are packed (compressed JSON, see idempotency.pack)."""

from __future__ import annotations

from typing import Any

from pitboss import cursors, idempotency, keys, store
from pitboss.wallet.entity import OpenRound, Wallet

Key = tuple[str, str]
Item = dict[str, Any]
Op = store.Op

# The sort key of a rollback's record, next to the bet's REF item under the same partition.
ROLLBACK_SK = "ROLLBACK"
_ABSENT = "attribute_not_exists(pk)"


# ---- keys --------------------------------------------------------------------------------------


def player_pk(realm: str, user_id: str) -> str:
    return keys.player_pk(realm, user_id)


def profile_key(pk: str) -> Key:
    return (pk, keys.PROFILE)


def wallet_key(pk: str) -> Key:
    return (pk, keys.WALLET)


def round_key(pk: str, provider: str, round_id: str) -> Key:
    return (pk, f"ROUND#{provider}#{round_id}")


def withdrawal_key(pk: str, wd_id: str) -> Key:
    return (pk, f"WD#{wd_id}")


def ref_key(realm: str, provider: str, ref_id: str) -> Key:
    return (keys.ref_pk(realm, provider, ref_id), "REF")


def psp_ref_key(realm: str, psp_ref: str) -> Key:
    # "!" can't occur in a game provider's name, so PSP refs never share a key with a game provider's refs.
    return (keys.ref_pk(realm, "!psp", psp_ref), "REF")


def rollback_key(bet_ref: Key) -> Key:
    return (bet_ref[0], ROLLBACK_SK)


# ---- reads -------------------------------------------------------------------------------------


def wallet_of(item: Item | None, user_id: str, currency: str) -> Wallet:
    """The stored wallet, or a new empty one whose home currency is the brand's default."""
    return Wallet.from_item(item) if item else Wallet(user_id=user_id, currency=currency)


def read_now(key: Key) -> Item | None:
    """One item, strongly consistent (a ref or rollback record, confirmed before a refusal)."""
    return store.get(*key)


def read_profile_and_wallet(pk: str) -> tuple[Item | None, Item | None]:
    """Profile and wallet in one consistent BatchGetItem (one round trip)."""
    items = store.batch_get([profile_key(pk), wallet_key(pk)])
    return items.get(profile_key(pk)), items.get(wallet_key(pk))


def entries_newest_first(pk: str, lowest: int, highest: int, limit: int | None = None) -> list[Item]:
    """Ledger entries with seq in [lowest, highest], newest first, strongly consistent (so they agree with
    the wallet's seq read just before). One Query."""
    return store.query(
        pk, sk_between=(keys.tx_sk(lowest), keys.tx_sk(highest)), forward=False, limit=limit, consistent=True
    ).items


def answer(item: Item, name: str = "response") -> dict[str, Any]:
    """An answer stored on an item (a ref's, a withdrawal outcome's, a rollback's)."""
    return idempotency.unpack(item[name])


# ---- the writes of a movement ------------------------------------------------------------------


def wallet_put(pk: str, wallet: Wallet, *, read_seq: int, existed: bool) -> Op:
    """The wallet written back only if nobody moved it since it was read (optimistic lock on seq)."""
    item = {"pk": pk, "sk": keys.WALLET, **wallet.to_item()}
    if existed:
        return store.Put(item, condition="#seq = :seq", names={"#seq": "seq"}, values={":seq": read_seq})
    return store.Put(item, condition="attribute_not_exists(pk)")


def entry_put(pk: str, entry: dict[str, Any]) -> Op:
    """A ledger entry: immutable, put if absent (its seq is the wallet's, so a lost race collides here too)."""
    return store.Put({"pk": pk, "sk": keys.tx_sk(entry["seq"]), "kind": "entry", **entry}, condition=_ABSENT)


def profile_unchanged(pk: str, version: int | None) -> Op:
    """Cancels the movement if the profile (status, RG) changed since the decision read it."""
    if version is None:  # a profile saved before versions existed
        return store.Check(pk, keys.PROFILE, "attribute_not_exists(#v)", names={"#v": "version"})
    return store.Check(pk, keys.PROFILE, "#v = :v", names={"#v": "version"}, values={":v": version})


def ref_put(key: Key, fields: dict[str, Any], body: dict[str, Any], now_iso: str) -> Op:
    """A provider ref (bet, win, deposit psp_ref) with the movement's answer; put if absent, never expires."""
    pk, sk = key
    item = {"pk": pk, "sk": sk, **fields, "response": idempotency.pack(body), "created_at": now_iso}
    return store.Put(item, condition=_ABSENT)


def rollback_put(bet_ref: Key, *, user_id: str, seq: int, body: dict[str, Any], now_iso: str) -> Op:
    """The record that a bet was rolled back, with the rollback's answer: its own item, put if absent (a bet
    is reversed once), so the bet's REF and its stored answer are never rewritten."""
    pk, sk = rollback_key(bet_ref)
    item = {
        "pk": pk,
        "sk": sk,
        "kind": "rollback",
        "user_id": user_id,
        "rollback_seq": seq,
        "response": idempotency.pack(body),
        "created_at": now_iso,
    }
    return store.Put(item, condition=_ABSENT)


def closed_round_put(pk: str, provider: str, round_id: str, state: OpenRound, closed_at: str, *, currency: str) -> Op:
    """A round settled: a later bet on it is 409, a late win is paid (in its currency), its bets can't be
    rolled back."""
    rpk, rsk = round_key(pk, provider, round_id)
    return store.Put(
        {
            "pk": rpk,
            "sk": rsk,
            "kind": "round",
            "provider": provider,
            "round_id": round_id,
            "currency": currency,
            "status": "closed",
            "stake": state.stake,
            "wins": state.wins,
            "bets": state.bets,
            "opened_at": state.opened_at,
            "closed_at": closed_at,
        }
    )


def late_win_put(closed_round: Item, wins: Any) -> Op:
    """A win paid on a settled round, added to its totals (the wallet's seq lock serialises this write)."""
    return store.Put({**closed_round, "wins": wins})


def withdrawal_put(pk: str, wd_id: str, *, amount: Any, currency: str, at: str, seq: int) -> Op:
    """A withdrawal request, pending until the PSP's outcome."""
    wpk, wsk = withdrawal_key(pk, wd_id)
    item = {
        "pk": wpk,
        "sk": wsk,
        "kind": "withdrawal",
        "id": wd_id,
        "amount": amount,
        "currency": currency,
        "status": "pending",
        "created_at": at,
        "updated_at": at,
        "seq": seq,
        **keys.withdrawal_queue_attributes(wpk, at, wd_id),  # the console's queue of pending withdrawals
    }
    return store.Put(item, condition=_ABSENT)


def withdrawal_settled_put(wd: Item, *, status: str, now_iso: str, seq: int, body: dict[str, Any]) -> Op:
    """A pending withdrawal's outcome, with its answer; only from pending (an outcome is final)."""
    item = {
        **{k: v for k, v in wd.items() if k not in keys.LIST_ATTRIBUTES},  # settled: out of the queue
        "status": status,
        "updated_at": now_iso,
        "outcome_seq": seq,
        "outcome_response": idempotency.pack(body),
    }
    return store.Put(item, condition="#s = :pending", names={"#s": "status"}, values={":pending": "pending"})


def tombstone_if_absent(key: Key, *, provider: str, ref_id: str, user_id: str, now_iso: str) -> bool:
    """Marks a ref rolled back before its bet arrived (the bet will be refused); False if the ref exists."""
    pk, sk = key
    return store.put_if_absent(
        {
            "pk": pk,
            "sk": sk,
            "kind": "tombstone",
            "provider": provider,
            "ref_id": ref_id,
            "user_id": user_id,
            "created_at": now_iso,
        }
    )


# ---- the console's withdrawal queue --------------------------------------------------------------


def pending_withdrawals(
    realm: str, limit: int, cursor: str | None
) -> tuple[list[tuple[Item, Item | None]], str | None]:
    """A page of the realm's pending withdrawals, oldest first, each with its player's profile: one Query of
    the `lists` index (keys only) and one BatchGetItem. A withdrawal settled meanwhile is left out. The
    cursor is bound to this realm's queue (422 invalid_cursor otherwise)."""
    queue_pk = keys.withdrawal_queue_pk(realm)
    page = store.query(
        queue_pk,
        index=keys.LISTS_INDEX,
        pk_name="list_pk",
        sk_name="list_sk",
        limit=limit,
        start_key=cursors.decode(cursor, {"list_pk": queue_pk}) if cursor else None,
    )
    wanted = [(i["pk"], i["sk"]) for i in page.items]
    found = store.batch_get(wanted + [profile_key(pk) for pk, _ in wanted])
    rows = []
    for key in wanted:
        wd = found.get(key)
        if wd is not None and wd.get("status") == "pending":
            rows.append((wd, found.get(profile_key(key[0]))))
    return rows, cursors.encode(page.last_key) if page.last_key else None


def withdrawal_with_profile(pk: str, wd_id: str) -> tuple[Item | None, Item | None]:
    """One withdrawal and its player's profile, in one consistent BatchGetItem."""
    found = store.batch_get([withdrawal_key(pk, wd_id), profile_key(pk)])
    return found.get(withdrawal_key(pk, wd_id)), found.get(profile_key(pk))


# ---- the engagement engines' items written with a movement (issue 13; wallet/engagement.py) --------------


def real_rail_marker_put(realm: str, brand_id: int, user_id: str, now_iso: str) -> Op:
    """The player's "has real-rail entries" marker in its tenant's partition (tenancy.has_real_entries)."""
    tenant_id, mode = keys.realm_tenant(realm)
    return store.Put(
        {
            "pk": keys.tenant_pk(tenant_id),
            "sk": keys.real_rail_sk(brand_id, mode, user_id),
            "kind": "real_rail",
            "user_id": user_id,
            "at": now_iso,
        }
    )


def activity_add(
    pk: str, *, user_id: str, period: str, ends_at: str, currency: str, brand_id: int, staked: Any, won: Any
) -> Op:
    """Adds settled stakes and wins to the player's cashback activity item of a period (created on first
    use, joining the cashback run's list until its period is settled)."""
    return store.Update(
        pk,
        keys.activity_sk(period, currency),
        "ADD staked :s, won :w SET #kind = :k, #uid = :u, #period = :p, #cur = :c, #brand = :b, #ends = :e, "
        "list_pk = if_not_exists(list_pk, :lp), list_sk = if_not_exists(list_sk, :ls)",
        names={
            "#kind": "kind",
            "#uid": "user_id",
            "#period": "period",
            "#cur": "currency",
            "#brand": "brand_id",
            "#ends": "ends_at",
        },
        values={
            ":s": staked,
            ":w": won,
            ":k": "cashback_activity",
            ":u": user_id,
            ":p": period,
            ":c": currency,
            ":b": brand_id,
            ":e": ends_at,
            ":lp": keys.CASHBACK_DUE,
            ":ls": f"{ends_at}#{pk}#{period}#{currency}",
        },
    )
