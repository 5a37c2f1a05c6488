"""The brands a key sees (read-only), and the brand settings the engines' API writes: message-format
overrides and the VIP ladder. Settings change through tenancy.update_brand_settings (the one write that
versions the tenant's brands and rewrites the brand set on its keys)."""

from __future__ import annotations

from pitboss import tenancy
from pitboss.brands.models import BrandOut, BrandsOut, MessageFormatsIn, MessageFormatsOut, VipLevelsIn, VipLevelsOut
from pitboss.tenancy import Principal


def list_brands(principal: Principal) -> BrandsOut:
    """The key's brands, from its principal (no read: the key record carries them)."""
    return BrandsOut(brands=[BrandOut.of(principal.brands[b]) for b in principal.visible_brand_ids()])


def set_message_formats(
    principal: Principal, brand_id: int, language: str, body: MessageFormatsIn
) -> MessageFormatsOut:
    """Replaces one language's overrides (an empty `formats` removes the language)."""
    brand = principal.brand(brand_id)  # 404 for a brand the key can't see
    formats = dict(brand.settings.message_formats)
    if body.formats:
        formats[language] = dict(body.formats)
    else:
        formats.pop(language, None)
    saved = tenancy.update_brand_settings(principal.tenant_id, brand.brand_id, {"message_formats": formats})
    return MessageFormatsOut(
        brand_id=saved.brand_id, language=language, formats=saved.settings.message_formats.get(language, {})
    )


def set_vip_levels(principal: Principal, brand_id: int, body: VipLevelsIn) -> VipLevelsOut:
    """Replaces the brand's ladder. Levels are derived from lifetime xp at every read and xp posting, so a
    player already past a threshold shows the new level at once; the stored level and its
    `vip.level_changed` event catch up with the player's next xp posting (no pass over the brand's players)."""
    brand = principal.brand(brand_id)
    saved = tenancy.update_brand_settings(principal.tenant_id, brand.brand_id, {"vip_levels": body.stored()})
    return VipLevelsOut.of(saved)
