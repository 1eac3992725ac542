"""Compliance checker: generated images that pass and that fail each rule of resources/compliance-rules.json."""

import io
import json
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

import desktop_app
from desktop_app.core.compliance import checker as compliance
from support.images import by_id, gif_animation, level, make  # noqa: F401
from desktop_app.core.compliance.checker import Finding, check_image, load_rules, problems, summary

ROOT = Path(__file__).resolve().parents[3]
AMAZON_SLOTS = ["MAIN"] + [f"PT{i:02d}" for i in range(1, 9)] + ["SWCH"]


# ------------------------------------------------------------------------------------------------------ rules file

def test_rules_file_loads_and_every_rule_has_a_source():
    rules = load_rules()
    assert set(rules["platforms"]) == {"amazon", "shopify", "tiktok"}
    ids = []
    for name, plat in rules["platforms"].items():
        assert plat["rules"]
        for rule in plat["rules"]:
            ids.append(rule["id"])
            assert rule["id"].startswith(name + ".")
            assert "§9" in rule["source"] or "image-rules-and-after-publish.md" in rule["source"], rule["id"]
            assert rule["check"] in compliance.CHECKS
            assert rule["messages"].get("pass"), rule["id"]
        for rule in plat.get("set_rules", []):
            ids.append(rule["id"])
            assert rule["id"].startswith(name + ".set.")
            assert "image-rules-and-after-publish.md" in rule["source"], rule["id"]
    assert len(ids) == len(set(ids))
    assert load_rules()["platforms"]["amazon"]["slots"] == AMAZON_SLOTS


def test_every_finding_carries_the_rules_source():
    findings = check_image(make(), "amazon", "MAIN")
    sources = {r["id"]: r["source"] for r in load_rules()["platforms"]["amazon"]["rules"]}
    assert {f.rule_id for f in findings} == set(sources) - {"amazon.swatch"}  # all but the swatch's apply to MAIN
    for f in findings:
        assert f.source == sources[f.rule_id] and f.message


def test_rules_found_when_frozen(tmp_path, monkeypatch):
    """PyInstaller: resources/ under sys._MEIPASS when not next to the package."""
    (tmp_path / "bundle" / "resources").mkdir(parents=True)
    shutil.copy(ROOT / "resources" / "compliance-rules.json", tmp_path / "bundle" / "resources")
    monkeypatch.setattr(desktop_app, "__file__", str(tmp_path / "elsewhere" / "desktop_app" / "__init__.py"))
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "bundle"), raising=False)
    assert compliance.rules_path() == tmp_path / "bundle" / "resources" / "compliance-rules.json"
    monkeypatch.delattr(sys, "_MEIPASS")
    with pytest.raises(compliance.RulesError):
        compliance.rules_path()


def test_a_malformed_rules_file_is_refused(tmp_path):
    bad = json.loads((ROOT / "resources" / "compliance-rules.json").read_text())
    del bad["platforms"]["amazon"]["rules"][1]["source"]
    (tmp_path / "r.json").write_text(json.dumps(bad))
    with pytest.raises(compliance.RulesError, match="source"):
        load_rules(str(tmp_path / "r.json"))


# ---------------------------------------------------------------------------------------------- Amazon main image

def test_compliant_main_image_passes():
    findings = check_image(make((2000, 2000)), "amazon", "MAIN")
    assert summary(findings) == "pass", problems(findings)
    assert all(f.level == "pass" for f in findings)
    below_best_zoom = check_image(make(), "amazon", "MAIN")  # 1500 px: advice only, still a pass
    assert summary(below_best_zoom) == "pass" and [f.level for f in problems(below_best_zoom)] == []


def test_main_image_from_a_path(tmp_path):
    path = tmp_path / "main.png"
    path.write_bytes(make(fmt="PNG"))
    assert summary(check_image(path, "amazon", "MAIN")) == "pass"
    assert summary(check_image(str(path), "amazon", "MAIN")) == "pass"


def test_grey_background_fails():
    findings = check_image(make(bg=(235, 235, 235)), "amazon", "MAIN")
    f = by_id(findings)["amazon.main.background"]
    assert f.level == "fail" and "not pure white" in f.message
    assert summary(findings) == "fail"


def test_off_white_background_warns():
    f = by_id(check_image(make(bg=(252, 252, 252), fmt="PNG"), "amazon", "MAIN"))["amazon.main.background"]
    assert f.level == "warning" and "255, 255, 255" in f.message


def test_shadow_at_the_frame_edge_fails():
    """Product touching the bottom edge (a floor shadow): more than 0.5 % of the border band is not white."""
    im = Image.open(io.BytesIO(make(fill=0.9, fmt="PNG"))).convert("RGB")
    ImageDraw.Draw(im).rectangle((300, 1400, 1200, 1499), fill=(120, 120, 120))
    buf = io.BytesIO()
    im.save(buf, "PNG")
    assert level(check_image(buf.getvalue(), "amazon", "MAIN"), "amazon.main.background") == "fail"


def test_transparent_background_fails():
    data = make(bg=(0, 0, 0, 0), fmt="PNG", mode="RGBA")
    f = by_id(check_image(data, "amazon", "MAIN"))["amazon.main.background"]
    assert f.level == "fail" and "transparent" in f.message


def test_small_product_warns_on_fill():
    findings = check_image(make(fill=0.5), "amazon", "MAIN")
    f = by_id(findings)["amazon.main.fill"]
    assert f.level == "warning" and "85%" in f.message
    assert level(findings, "amazon.main.background") == "pass"
    assert summary(findings) == "warning"


def test_fill_uses_the_larger_side():
    """A tall product spanning 90 % of the height but 30 % of the width fills the frame well enough."""
    im = Image.new("RGB", (1500, 1500), "white")
    ImageDraw.Draw(im).rectangle((525, 75, 975, 1424), fill=(10, 90, 10))
    buf = io.BytesIO()
    im.save(buf, "PNG")
    assert level(check_image(buf.getvalue(), "amazon", "MAIN"), "amazon.main.fill") == "pass"


def test_fill_on_grey_and_transparent_backgrounds():
    assert level(check_image(make(bg=(200, 200, 200), fill=0.5), "amazon", "MAIN"), "amazon.main.fill") == "warning"
    transparent = make(bg=(0, 0, 0, 0), fmt="PNG", mode="RGBA", fill=0.95)
    assert level(check_image(transparent, "amazon", "MAIN"), "amazon.main.fill") == "pass"


def test_blank_white_main_image_fails():
    f = by_id(check_image(make(fill=0), "amazon", "MAIN"))["amazon.main.fill"]
    assert f.level == "fail" and "no product" in f.message


def test_main_pixel_rules_do_not_apply_to_secondary_slots():
    for slot in AMAZON_SLOTS[1:]:
        findings = check_image(make(bg=(235, 235, 235), fill=0.3), "amazon", slot)
        ids = {f.rule_id for f in findings}
        assert "amazon.main.background" not in ids and "amazon.main.fill" not in ids
        assert summary(findings) == "pass"  # a lifestyle scene on grey is fine as a secondary image


# ------------------------------------------------------------------------------------------- Amazon, all images

@pytest.mark.parametrize("slot", ["MAIN", "PT03"])
def test_800px_warns_for_zoom(slot):
    f = by_id(check_image(make((800, 800)), "amazon", slot))["amazon.min_size"]
    assert f.level == "warning" and "zoom" in f.message and "800" in f.message


def test_below_500px_fails():
    assert level(check_image(make((450, 300)), "amazon", "PT01"), "amazon.min_size") == "fail"
    assert level(check_image(make((1000, 600)), "amazon", "PT01"), "amazon.min_size") == "info"  # zoomable


def test_longest_side_above_10000_fails():
    wide = make((12000, 10), fmt="PNG", fill=0)
    f = by_id(check_image(wide, "amazon", "PT01"))["amazon.max_size"]
    assert f.level == "fail" and "12000" in f.message
    assert level(check_image(wide, "amazon", "MAIN"), "amazon.max_size") == "fail"
    assert level(check_image(make((10000, 10), fmt="PNG", fill=0), "amazon", "PT01"), "amazon.max_size") == "pass"


def test_animated_gif_fails_and_still_gif_passes_format():
    findings = check_image(gif_animation(), "amazon", "PT01")
    assert level(findings, "amazon.not_animated") == "fail"
    assert "3 frames" in by_id(findings)["amazon.not_animated"].message
    still = check_image(make(fmt="GIF"), "amazon", "PT01")
    assert level(still, "amazon.format") == "pass" and level(still, "amazon.not_animated") == "pass"
    assert level(still, "amazon.colour_mode") == "warning"  # a GIF is indexed colour


def test_animated_png_fails():
    ims = [Image.new("RGB", (1200, 1200), c) for c in ("white", "red")]
    buf = io.BytesIO()
    ims[0].save(buf, "PNG", save_all=True, append_images=ims[1:])
    assert level(check_image(buf.getvalue(), "amazon", "PT01"), "amazon.not_animated") == "fail"


def test_webp_main_image_fails_format():
    f = by_id(check_image(make(fmt="WEBP"), "amazon", "MAIN"))["amazon.format"]
    assert f.level == "fail" and "WebP" in f.message


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "TIFF"])
def test_accepted_formats(fmt):
    assert level(check_image(make(fmt=fmt), "amazon", "MAIN"), "amazon.format") == "pass"


def test_bmp_fails_format():
    assert level(check_image(make(fmt="BMP"), "amazon", "PT01"), "amazon.format") == "fail"


def test_colour_modes():
    assert level(check_image(make(mode="CMYK"), "amazon", "PT01"), "amazon.colour_mode") == "warning"
    assert level(check_image(make(mode="L"), "amazon", "PT01"), "amazon.colour_mode") == "fail"
    assert level(check_image(make(fmt="PNG", mode="RGBA"), "amazon", "PT01"), "amazon.colour_mode") == "pass"


def test_cmyk_main_image_background_is_measured():
    assert level(check_image(make(mode="CMYK"), "amazon", "MAIN"), "amazon.main.background") == "pass"


def test_low_dpi_warns():
    assert level(check_image(make(dpi=(50, 50)), "amazon", "PT01"), "amazon.resolution") == "warning"
    assert level(check_image(make(dpi=(300, 300)), "amazon", "PT01"), "amazon.resolution") == "pass"


def test_file_above_10mb_warns():
    big = make(pad=11 * 1024 * 1024)
    f = by_id(check_image(big, "amazon", "PT01"))["amazon.file_size"]
    assert f.level == "warning" and "10 MB" in f.message


def test_not_an_image_fails_readable_only():
    findings = check_image(b"<!DOCTYPE html><html>nope</html>", "amazon", "MAIN")
    assert [(f.rule_id, f.level) for f in findings] == [("amazon.readable", "fail")]
    assert "HTML" in findings[0].message


def test_truncated_image_fails_readable():
    data = make(fmt="PNG")
    findings = check_image(data[: len(data) // 2], "amazon", "PT01")
    assert summary(findings) == "fail" and findings[0].rule_id == "amazon.readable"


# ------------------------------------------------------------------------------------------------------- Shopify

def test_shopify_compliant_image_passes():
    assert summary(check_image(make((2048, 2048)), "shopify", "main")) == "pass"


def test_shopify_formats():
    assert level(check_image(make((2048, 2048), fmt="WEBP"), "shopify", "main"), "shopify.format") == "warning"
    assert level(check_image(make((2048, 2048), fmt="TIFF"), "shopify", "main"), "shopify.format") == "fail"
    assert level(check_image(make((2048, 2048), fmt="GIF"), "shopify", "gallery"), "shopify.format") == "pass"


def test_shopify_dimensions():
    assert level(check_image(make((4600, 10), fmt="PNG", fill=0), "shopify", "main"), "shopify.max_size") \
        == "warning"
    assert level(check_image(make((5001, 10), fmt="PNG", fill=0), "shopify", "main"), "shopify.max_size") == "fail"
    assert level(check_image(make((1500, 1500)), "shopify", "main"), "shopify.recommended_size") == "warning"


def test_shopify_file_size():
    assert level(check_image(make(pad=21 * 1024 * 1024), "shopify", "gallery"), "shopify.file_size") == "fail"


def test_shopify_has_no_background_rule():
    findings = check_image(make((2048, 2048), bg=(200, 200, 200), fill=0.3), "shopify", "main")
    assert summary(findings) == "pass"


# --------------------------------------------------------------------------------------------------- TikTok Shop

def test_tiktok_compliant_image_passes():
    assert summary(check_image(make((1000, 1000)), "tiktok", "main")) == "pass"


def test_tiktok_formats():
    assert level(check_image(make((1000, 1000), fmt="WEBP"), "tiktok", "gallery"), "tiktok.format") == "fail"
    assert level(check_image(make((1000, 1000), fmt="GIF"), "tiktok", "gallery"), "tiktok.format") == "fail"
    assert level(check_image(make((1000, 1000), fmt="PNG"), "tiktok", "gallery"), "tiktok.format") == "pass"


def test_tiktok_sizes():
    assert level(check_image(make((500, 500)), "tiktok", "gallery"), "tiktok.min_size") == "fail"
    assert level(check_image(make((1000, 550)), "tiktok", "gallery"), "tiktok.min_size") == "fail"
    assert level(check_image(make((700, 700)), "tiktok", "gallery"), "tiktok.min_size") == "warning"
    assert level(check_image(make((2500, 2500)), "tiktok", "gallery"), "tiktok.max_size") == "pass"
    assert level(check_image(make((6001, 10), fmt="PNG", fill=0), "tiktok", "gallery"), "tiktok.max_size") == "fail"
    assert level(check_image(make((1200, 1000)), "tiktok", "gallery"), "tiktok.aspect") == "warning"


def test_tiktok_file_size():
    assert level(check_image(make((1000, 1000), pad=6 * 1024 * 1024), "tiktok", "main"), "tiktok.file_size") \
        == "fail"


def test_tiktok_main_background_and_fill_only_warn():
    findings = check_image(make((1000, 1000), bg=(200, 200, 200), fill=0.5), "tiktok", "main")
    assert level(findings, "tiktok.main.background") == "warning"
    assert level(findings, "tiktok.main.fill") == "warning"
    assert summary(findings) == "warning"
    assert level(check_image(make((1000, 1000), fill=0.82), "tiktok", "main"), "tiktok.main.fill") == "pass"
    gallery = {f.rule_id for f in check_image(make((1000, 1000), bg=(200, 200, 200)), "tiktok", "gallery")}
    assert "tiktok.main.background" not in gallery


# ------------------------------------------------------------------------------------------------------------ API

def test_slots_and_platforms():
    assert compliance.normalise_slot("amazon", "pt03") == "PT03"
    assert compliance.normalise_slot("amazon", "main") == "MAIN"
    assert compliance.normalise_slot("shopify", "MAIN") == "main"
    assert compliance.normalise_slot("tiktok", "PT02") == "gallery"
    with pytest.raises(ValueError, match="slot"):
        check_image(make(), "amazon", "PT09")
    with pytest.raises(ValueError, match="platform"):
        check_image(make(), "ebay", "main")


def test_summary_and_problems():
    p, i, w, f = (Finding("x", lv, "m", "s") for lv in ("pass", "info", "warning", "fail"))
    assert summary([]) == "pass"
    assert summary([p, i]) == "pass"  # advice never changes a verdict
    assert problems([i, w]) == [w] and compliance.advice([p, i, w]) == [i]
    assert summary([p, w]) == "warning"
    assert summary([w, f, p]) == "fail"
    assert problems([p, w, f]) == [f, w]


def test_fast_on_a_large_photo_and_thread_safe():
    big = make((4000, 4000), quality=90)
    start = time.perf_counter()
    assert summary(check_image(big, "amazon", "MAIN")) == "pass"
    assert time.perf_counter() - start < 1.0
    cases = [(make(), "pass"), (make(bg=(235, 235, 235)), "fail"), (make(fill=0.5), "warning")] * 4
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda c: summary(check_image(c[0], "amazon", "MAIN")), cases))
    assert results == [expected for _, expected in cases]


def test_file_warnings_name_each_exported_file_that_breaks_its_slots_rules(tmp_path):
    small = tmp_path / "B0X.MAIN.png"
    Image.new("RGB", (400, 300), (200, 40, 40)).save(small)  # small and not on white: fails the main image rules
    fine = tmp_path / "B0X.PT01.png"
    Image.new("RGB", (1600, 1600), (90, 140, 60)).save(fine)
    (line,) = compliance.file_warnings([(0, small, small), (1, fine, fine)], "amazon_listing")
    assert line.startswith("B0X.MAIN.png (MAIN): fail on amazon's image rules: ") and "more)" in line
    assert compliance.file_warnings([(1, fine, fine)], "tiktok_listing") == []
    gone = tmp_path / "gone.png"
    assert "not checked" in compliance.file_warnings([(0, gone, gone)], "amazon_listing")[0]
