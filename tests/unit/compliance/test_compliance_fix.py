"""Repairing an image towards a platform's rules (core.compliance.fix): each repair's copy passes the checker for
what it repaired, nothing is ever enlarged, and what cannot be repaired is named."""

import io

import pytest
from PIL import Image

from desktop_app.core.compliance.checker import check_image, problems
from desktop_app.core.compliance.fix import fix_image
from support.images import by_id, gif_animation, level, make
from test_compliance_more_rules import renamed_profile


def decoded(data):
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


def test_transparent_main_image_is_flattened_onto_pure_white():
    data = make((2000, 2000), bg=(0, 0, 0, 0), fmt="PNG", mode="RGBA")
    assert level(check_image(data, "amazon", "MAIN"), "amazon.main.background") == "fail"
    result = fix_image(data, "amazon", "MAIN")
    assert "transparency flattened onto pure white" in result.repaired
    assert result.remaining == [] and problems(check_image(result.data, "amazon", "MAIN")) == []
    im = decoded(result.data)
    assert im.format == "JPEG" and im.mode == "RGB" and im.getpixel((3, 3)) == (255, 255, 255)


def test_a_non_srgb_profile_is_converted_and_no_profile_is_left():
    data = make((2000, 2000), icc_profile=renamed_profile("P3  "))
    result = fix_image(data, "amazon", "PT01")
    assert any("sRGB" in r for r in result.repaired)
    assert level(check_image(result.data, "amazon", "PT01"), "amazon.colour_profile") == "pass"
    assert "icc_profile" not in decoded(result.data).info


def test_cmyk_and_greyscale_become_rgb():
    for mode in ("CMYK", "L"):
        data = make((2000, 2000), mode=mode)
        assert level(check_image(data, "amazon", "PT02"), "amazon.colour_mode") != "pass"
        result = fix_image(data, "amazon", "PT02")
        assert result.remaining == [] and decoded(result.data).mode == "RGB"


def test_metadata_is_stripped():
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    result = fix_image(make((2000, 2000), exif=exif.tobytes()), "amazon", "PT01")
    assert "metadata stripped" in result.repaired and not decoded(result.data).info.get("exif")


def test_tiktok_is_padded_square_and_scaled_down_to_6000():
    data = make((7000, 3000), fmt="PNG")
    before = by_id(check_image(data, "tiktok", "gallery"))
    assert before["tiktok.max_size"].level == "fail" and before["tiktok.aspect"].level == "warning"
    result = fix_image(data, "tiktok", "gallery")
    assert decoded(result.data).size == (6000, 6000)
    assert problems(check_image(result.data, "tiktok", "gallery")) == []


def test_shopify_is_scaled_down_to_its_recommended_limits():
    result = fix_image(make((6000, 6000)), "shopify", "gallery")
    assert decoded(result.data).size == (4472, 4472)
    assert level(check_image(result.data, "shopify", "gallery"), "shopify.max_size") == "pass"


def test_re_encoded_under_the_file_size_limit():
    noisy = Image.effect_noise((2500, 2500), 80).convert("RGB")
    buf = io.BytesIO()
    noisy.save(buf, "JPEG", quality=100)
    data = buf.getvalue()
    assert level(check_image(data, "tiktok", "gallery"), "tiktok.file_size") == "fail"
    result = fix_image(data, "tiktok", "gallery")
    assert len(result.data) <= 5 * 1024 * 1024 and any("quality" in r for r in result.repaired)
    assert level(check_image(result.data, "tiktok", "gallery"), "tiktok.file_size") == "pass"


def test_an_animation_keeps_its_first_frame():
    result = fix_image(gif_animation(size=(1600, 1600)), "amazon", "PT01")
    assert level(check_image(result.data, "amazon", "PT01"), "amazon.not_animated") == "pass"
    assert any("first of 3 frames" in r for r in result.repaired)


@pytest.mark.parametrize("platform,slot", [("amazon", "PT01"), ("tiktok", "gallery"), ("shopify", "main")])
def test_never_upscales_and_names_what_it_cannot_repair(platform, slot):
    result = fix_image(make((450, 450)), platform, slot)
    assert result.data is None  # nothing got better: no copy
    assert result.remaining and all(f.level in ("warning", "fail") for f in result.remaining)


def test_a_partial_repair_still_gives_a_copy_and_names_the_rest():
    small_transparent = make((450, 450), bg=(0, 0, 0, 0), fmt="PNG", mode="RGBA")
    result = fix_image(small_transparent, "amazon", "MAIN")
    assert result.data is not None and decoded(result.data).size == (450, 450)
    assert [f.rule_id for f in result.remaining] == ["amazon.min_size"]


def test_a_background_is_never_removed():
    grey = make((2000, 2000), bg=(200, 200, 200))
    result = fix_image(grey, "amazon", "MAIN")
    assert result.data is None and "amazon.main.background" in {f.rule_id for f in result.remaining}


def test_unreadable_input_and_bad_arguments():
    result = fix_image(b"<html>no</html>", "amazon", "MAIN")
    assert result.data is None and result.remaining[0].rule_id == "amazon.readable"
    with pytest.raises(ValueError):
        fix_image(make(), "amazon", "PT12")
    with pytest.raises(ValueError):
        fix_image(make(), "amazon", "MAIN", fmt="bmp")
