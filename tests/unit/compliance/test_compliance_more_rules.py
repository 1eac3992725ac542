"""The image rules added from image-rules-and-after-publish.md: blur, cropped main image, swatch, best zoom, colour
profile, TikTok Shop maximum, suppression wording, and the whole-set rules — each with images that pass and fail."""

import io
import random

import pytest
from PIL import Image, ImageCms, ImageDraw, ImageFilter

from desktop_app.core.compliance import checker as compliance
from desktop_app.core.compliance.checker import check_image, problems, summary
from desktop_app.core.compliance.whole_set import SET_CHECKS, check_set
from test_compliance import by_id, level, make


def scene(size=1500, seed=1):
    """A busy, crisp picture: shapes of many colours and some text on white."""
    r = random.Random(seed)
    im = Image.new("RGB", (size, size), "white")
    d = ImageDraw.Draw(im)
    for _ in range(300):
        x, y, s = r.randrange(size), r.randrange(size), r.randrange(5, 200)
        d.ellipse((x, y, x + s, y + s * r.random()), fill=tuple(r.randrange(256) for _ in range(3)))
    for i in range(40):
        d.text((r.randrange(size), r.randrange(size)), f"Listing text {i}", fill="black")
    return im


def encode(im, fmt="JPEG", **save):
    buf = io.BytesIO()
    im.save(buf, fmt, **save)
    return buf.getvalue()


def blurred(im, radius):
    return im.filter(ImageFilter.GaussianBlur(radius))


def enlarged(im, factor):
    return im.resize((im.width // factor, im.height // factor), Image.BILINEAR).resize(im.size, Image.BICUBIC)


# ---------------------------------------------------------------------------------------------------- sharpness

@pytest.mark.parametrize("slot", ["MAIN", "PT02", "SWCH"])
def test_sharp_and_slightly_soft_images_pass_the_blur_rule(slot):
    for data in (encode(scene(), quality=85), make(), encode(scene(2000, seed=4), "PNG"),
                 encode(blurred(scene(), 2), quality=90), encode(enlarged(scene(seed=3), 4), quality=90)):
        f = by_id(check_image(data, "amazon", slot))["amazon.sharpness"]
        assert f.level == "pass", f.message


@pytest.mark.parametrize("picture", [lambda: blurred(scene(), 3), lambda: blurred(scene(seed=7), 6),
                                     lambda: enlarged(scene(), 5), lambda: blurred(Image.open(io.BytesIO(make())), 4)])
@pytest.mark.parametrize("slot", ["MAIN", "PT05"])
def test_blurred_or_pixelated_images_warn_on_any_slot(picture, slot):
    f = by_id(check_image(encode(picture(), quality=90), "amazon", slot))["amazon.sharpness"]
    assert f.level == "warning" and "blurred or pixelated" in f.message and "suppresses" in f.message


def test_a_flat_image_has_no_edges_to_judge():
    assert level(check_image(make(fill=0, fmt="PNG"), "amazon", "PT01"), "amazon.sharpness") == "pass"


# ------------------------------------------------------------------------------------------------------ cropped

def test_centred_product_is_not_cropped():
    assert level(check_image(make((2000, 2000), fill=0.95), "amazon", "MAIN"), "amazon.main.cropped") == "pass"


@pytest.mark.parametrize("box", [(300, 200, 1500, 1300), (0, 300, 1200, 1200), (200, 0, 1300, 900),
                                 (200, 400, 1300, 1500)])
def test_product_touching_the_frame_edge_warns_as_cropped(box):
    im = Image.new("RGB", (1500, 1500), "white")
    ImageDraw.Draw(im).rectangle(box, fill=(30, 60, 200))  # right, left, top, bottom edge
    findings = check_image(encode(im, "PNG"), "amazon", "MAIN")
    f = by_id(findings)["amazon.main.cropped"]
    assert f.level == "warning" and "cropped" in f.message and summary(findings) != "pass"


def test_cropping_is_a_main_image_rule_and_not_judged_on_a_coloured_background():
    touching = Image.new("RGB", (1500, 1500), "white")
    ImageDraw.Draw(touching).rectangle((0, 0, 1499, 700), fill=(30, 60, 200))
    assert "amazon.main.cropped" not in by_id(check_image(encode(touching), "amazon", "PT01"))
    grey = by_id(check_image(make(bg=(200, 200, 200)), "amazon", "MAIN"))
    assert grey["amazon.main.cropped"].level == "pass" and "not measured" in grey["amazon.main.cropped"].message
    assert grey["amazon.main.background"].level == "fail"


# ---------------------------------------------------------------------------------------- swatch and best zoom

def test_swatch_is_exempt_from_the_minimum_size_and_advised_against_text():
    findings = check_image(make((300, 300)), "amazon", "SWCH")
    ids = by_id(findings)
    assert "amazon.min_size" not in ids
    assert ids["amazon.swatch"].level == "info" and "text" in ids["amazon.swatch"].message
    assert summary(findings) == "pass"
    assert level(check_image(make((300, 300)), "amazon", "PT01"), "amazon.min_size") == "fail"
    assert "amazon.swatch" not in by_id(check_image(make(), "amazon", "PT01"))


@pytest.mark.parametrize("side,expected", [(1200, "info"), (1599, "info"), (1600, "pass"), (900, "warning")])
def test_below_1600px_is_advice_for_the_best_zoom(side, expected):
    findings = check_image(make((side, side)), "amazon", "PT01")
    f = by_id(findings)["amazon.min_size"]
    assert f.level == expected
    if expected == "info":
        assert "1600 px or larger for the best zoom" in f.message
        assert summary(findings) == "pass" and f not in problems(findings)


# ------------------------------------------------------------------------------------------------ colour profile

def srgb_profile():
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def renamed_profile(name):
    """An RGB profile whose description is `name` (sRGB's curves, another name: enough for the check and fix)."""
    old = "sRGB".encode("utf-16-be")
    return srgb_profile().replace(old, name[:4].ljust(4).encode("utf-16-be"))


@pytest.mark.parametrize("platform,slot", [("amazon", "PT01"), ("shopify", "gallery"), ("tiktok", "gallery")])
def test_a_non_srgb_colour_profile_is_flagged(platform, slot):
    size = (2048, 2048) if platform == "shopify" else (1000, 1000)
    rule = f"{platform}.colour_profile"
    assert level(check_image(make(size), platform, slot), rule) == "pass"
    assert level(check_image(make(size, icc_profile=srgb_profile()), platform, slot), rule) == "pass"
    f = by_id(check_image(make(size, icc_profile=renamed_profile("P3  ")), platform, slot))[rule]
    assert f.level == "warning" and "not sRGB" in f.message and "P3" in f.message


# ---------------------------------------------------------------------------------------- sizes and wording

def test_tiktok_maximum_is_6000px_and_nothing_above_2000():
    for side, expected in ((2001, "pass"), (6000, "pass"), (6001, "fail")):
        f = by_id(check_image(make((side, 10), fmt="PNG", fill=0), "tiktok", "gallery"))["tiktok.max_size"]
        assert f.level == expected, (side, f.message)


def test_file_size_limits_per_platform():
    assert level(check_image(make((1000, 1000), pad=5 * 1024 * 1024 + 1), "tiktok", "gallery"),
                 "tiktok.file_size") == "fail"
    assert level(check_image(make((2048, 2048), pad=19 * 1024 * 1024), "shopify", "gallery"),
                 "shopify.file_size") == "pass"
    assert level(check_image(make(pad=11 * 1024 * 1024), "amazon", "PT01"), "amazon.file_size") == "warning"


def test_main_image_fill_is_labelled_a_suppression_risk():
    f = by_id(check_image(make(fill=0.5), "amazon", "MAIN"))["amazon.main.fill"]
    assert f.level == "warning" and "suppresses" in f.message


# ------------------------------------------------------------------------------------------------ whole set

def set_levels(platform, slots):
    return {sf.finding.rule_id: (sf.finding.level, sf.positions) for sf in check_set(platform, slots)}


def test_set_rule_checks_are_all_known():
    assert tuple(SET_CHECKS) == compliance.SET_CHECK_NAMES


def test_the_image_checks_are_named_where_the_rules_are_read():  # reading the rules never loads Pillow
    from desktop_app.core.compliance.checks import CHECKS
    assert tuple(CHECKS) == compliance.CHECK_NAMES


def test_amazon_set_main_present_and_count():
    six = ["MAIN"] + [f"PT0{i}" for i in range(1, 6)]
    assert set_levels("amazon", six) == {"amazon.set.main": ("pass", ()), "amazon.set.slots": ("pass", ()),
                                         "amazon.set.count": ("pass", ())}
    three = set_levels("amazon", ["MAIN", "PT01", "PT02"])
    assert three["amazon.set.count"] == ("info", ())
    info = next(sf.finding for sf in check_set("amazon", ["MAIN"]) if sf.finding.rule_id == "amazon.set.count")
    assert "Amazon recommends at least 6" in info.message
    no_main = check_set("amazon", ["PT01", "PT02"])
    f = next(sf.finding for sf in no_main if sf.finding.rule_id == "amazon.set.main")
    assert f.level == "fail" and "no MAIN" in f.message


def test_amazon_set_takes_at_most_main_eight_and_a_swatch():
    full = ["MAIN"] + [f"PT0{i}" for i in range(1, 9)] + ["SWCH"]
    assert set_levels("amazon", full)["amazon.set.slots"] == ("pass", ())
    assert set_levels("amazon", full[:9] + ["PT09"])["amazon.set.slots"] == ("fail", (9,))
    assert set_levels("amazon", ["MAIN", "PT01", "PT01"])["amazon.set.slots"] == ("fail", (2,))


@pytest.mark.parametrize("platform,limit", [("tiktok", 9), ("shopify", 250)])
def test_set_count_limits(platform, limit):
    slots = ["main"] + ["gallery"] * (limit - 1)
    assert set_levels(platform, slots)[f"{platform}.set.count"] == ("pass", ())
    assert set_levels(platform, slots + ["gallery", "gallery"])[f"{platform}.set.count"] == ("fail", (limit, limit + 1))
