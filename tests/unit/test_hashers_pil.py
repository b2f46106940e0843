"""``checkpointing/hashers/pil_image.py``: a PIL image is its mode, size, info, palette (alpha
included) and pixels."""

from __future__ import annotations

import pickle

import pytest

from checkpointing import hash_anything

Image = pytest.importorskip("PIL.Image")


def _paletted(alpha: int):
    image = Image.new("P", (2, 2))
    image.putpalette([0, 0, 0, 255, 255, 0, 0, alpha], rawmode="RGBA")
    return image


def test_a_palette_alpha_counts_though_pickling_drops_it() -> None:
    assert hash_anything(_paletted(255)) != hash_anything(_paletted(0))
    assert hash_anything(_paletted(0)) == hash_anything(_paletted(0))


@pytest.mark.parametrize("change", ["pixel", "info", "mode", "size"])
def test_every_change_a_function_can_read_is_another_key(change: str) -> None:
    image = Image.new("RGB", (3, 2), (1, 2, 3))
    other = image.copy()
    if change == "pixel":
        other.putpixel((0, 0), (9, 9, 9))
    elif change == "info":
        other.info["dpi"] = (72, 72)
    elif change == "mode":
        other = other.convert("RGBA")
    else:
        other = Image.new("RGB", (2, 3), (1, 2, 3))
    assert hash_anything(image) != hash_anything(other)


def test_a_copy_and_a_pickled_copy_are_the_same_key() -> None:
    image = Image.new("RGB", (3, 2), (1, 2, 3))
    assert hash_anything(image.copy()) == hash_anything(image) == hash_anything(pickle.loads(pickle.dumps(image)))
