"""Deterministic generated "product shots" for the sandbox's image host (Pillow only).

``render_image(asin, listing_type, index, test_key)`` returns encoded bytes:

* index 0, the main image: 1000x1000 JPEG, pure white background, one product-like object
  (bottle, box, can, jar or tube) filling about 85 % of the frame, with a soft shadow and a highlight;
* index >= 1, gallery images: 1000x1000 PNG, a gradient background, the same product, a caption band.

Shape and colours derive from a hash of the ASIN, so different ASINs look different and the same
request always gives the same bytes. With a test key a "SAMPLE" label marks the image as a placeholder
(inset from the corner, so the main image's corner pixels stay pure white).
"""

from __future__ import annotations

import colorsys
import functools
import hashlib
import io
import threading

from PIL import Image, ImageDraw, ImageFilter, ImageFont

SIZE = 1000
_RENDER_LOCK = threading.Lock()  # one render at a time: fonts and drawing state are shared
SHAPES = ("bottle", "box", "can", "jar", "tube")
CAPTIONS = ("Key feature", "Dimensions", "In use", "Feature 2", "Materials", "What's in the box",
            "Benefits", "Comparison", "Lifestyle", "Details")
_TYPE_LABELS = {
    "amazon_listing": "Amazon", "amazon_main_images": "Amazon main", "amazon_mobile_listing": "Amazon mobile",
    "shopify_listing": "Shopify", "tiktok_listing": "TikTok Shop",
}


def image_kind(index: int) -> tuple[str, str]:
    """(file extension, MIME type) of the image at ``index``."""
    return ("jpg", "image/jpeg") if index == 0 else ("png", "image/png")


def _seed(asin: str) -> bytes:
    return hashlib.sha256(asin.encode("utf-8", "replace")).digest()


def _rgb(h: float, s: float, v: float) -> tuple[int, int, int]:
    r, g, b = colorsys.hsv_to_rgb(h % 1.0, s, v)
    return int(r * 255), int(g * 255), int(b * 255)


@functools.lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow built without FreeType
        return ImageFont.load_default()


def _product(seed: bytes, height: int) -> Image.Image:
    """The product as an RGBA image (transparent around it) about ``height`` pixels tall."""
    shape = SHAPES[seed[0] % len(SHAPES)]
    hue = seed[1] / 255
    body = _rgb(hue, 0.55 + seed[2] / 800, 0.55 + seed[3] / 900)
    accent = _rgb(hue + 0.45 + seed[4] / 2000, 0.35, 0.95)
    dark = tuple(int(c * 0.6) for c in body)
    aspect = {"bottle": 0.42, "box": 0.72, "can": 0.5, "jar": 0.78, "tube": 0.33}[shape] + seed[5] / 2550
    w, h = max(40, int(height * aspect)), height
    im = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    if shape == "bottle":
        neck_w, neck_h = int(w * 0.36), int(h * 0.16)
        cap_h = int(h * 0.08)
        d.rounded_rectangle(((w - neck_w) // 2, 0, (w + neck_w) // 2, cap_h), radius=neck_w // 6, fill=dark)
        d.rounded_rectangle(((w - neck_w) // 2 + 4, cap_h, (w + neck_w) // 2 - 4, cap_h + neck_h), radius=8,
                            fill=body)
        d.rounded_rectangle((0, cap_h + neck_h - int(h * 0.05), w - 1, h - 1), radius=w // 4, fill=body)
        label_box = (int(w * 0.08), int(h * 0.45), int(w * 0.92), int(h * 0.78))
    elif shape == "box":
        d.rounded_rectangle((0, 0, w - 1, h - 1), radius=w // 22, fill=body)
        d.rectangle((0, int(h * 0.07), w - 1, int(h * 0.1)), fill=dark)
        label_box = (int(w * 0.1), int(h * 0.3), int(w * 0.9), int(h * 0.7))
    elif shape == "can":
        lid = int(w * 0.18)
        d.rounded_rectangle((0, lid // 2, w - 1, h - 1 - lid // 2), radius=w // 10, fill=body)
        d.ellipse((0, 0, w - 1, lid), fill=(205, 205, 210, 255), outline=dark, width=3)
        d.ellipse((0, h - 1 - lid, w - 1, h - 1), fill=body)
        label_box = (int(w * 0.06), int(h * 0.3), int(w * 0.94), int(h * 0.7))
    elif shape == "jar":
        lid_h = int(h * 0.2)
        d.rounded_rectangle((int(w * 0.06), 0, int(w * 0.94), lid_h), radius=lid_h // 4, fill=dark)
        d.rounded_rectangle((0, lid_h - 6, w - 1, h - 1), radius=w // 6, fill=body)
        label_box = (int(w * 0.08), int(h * 0.42), int(w * 0.92), int(h * 0.8))
    else:  # tube
        cap_h = int(h * 0.14)
        d.rounded_rectangle((int(w * 0.25), h - cap_h, int(w * 0.75), h - 1), radius=10, fill=dark)
        d.polygon([(0, 0), (w - 1, 0), (int(w * 0.8), h - cap_h), (int(w * 0.2), h - cap_h)], fill=body)
        d.rectangle((0, 0, w - 1, int(h * 0.04)), fill=dark)
        label_box = (int(w * 0.14), int(h * 0.25), int(w * 0.86), int(h * 0.6))
    d.rounded_rectangle(label_box, radius=max(4, (label_box[2] - label_box[0]) // 14), fill=accent + (255,))
    lx0, ly0, lx1, ly1 = label_box
    for i in range(3):  # "text" lines on the label
        y = ly0 + (ly1 - ly0) * (i + 1) // 4
        d.rounded_rectangle((lx0 + (lx1 - lx0) // 6, y - 5, lx1 - (lx1 - lx0) // (5 + i * 2), y + 5), radius=5,
                            fill=dark)
    # highlight: a translucent vertical stripe, clipped to the product's silhouette
    shine = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    ImageDraw.Draw(shine).rounded_rectangle((int(w * 0.14), int(h * 0.12), int(w * 0.24), int(h * 0.9)),
                                            radius=max(2, w // 20), fill=(255, 255, 255, 90))
    alpha = im.getchannel("A")
    shine.putalpha(Image.composite(shine.getchannel("A"), Image.new("L", (w, h), 0), alpha))
    return Image.alpha_composite(im, shine)


def _shadow(canvas: Image.Image, box: tuple[int, int, int, int], strength: int) -> None:
    """A soft elliptical shadow under ``box`` (blurred at quarter scale, for speed)."""
    x0, y0, x1, y1 = box
    small = Image.new("L", (SIZE // 4, SIZE // 4), 0)
    ImageDraw.Draw(small).ellipse((x0 // 4, y1 // 4 - 6, x1 // 4, y1 // 4 + 3), fill=strength)
    mask = small.filter(ImageFilter.GaussianBlur(4)).resize((SIZE, SIZE), Image.BILINEAR)
    canvas.paste((60, 60, 60), (0, 0), mask)


def _sample_label(canvas: Image.Image) -> None:
    """A "SAMPLE" mark kept clear of the outer border (which the main-image white check measures)."""
    d = ImageDraw.Draw(canvas)
    d.rounded_rectangle((64, 64, 264, 124), radius=12, fill=(230, 40, 40), outline=(150, 0, 0), width=3)
    d.text((164, 94), "SAMPLE", font=_font(36), fill=(255, 255, 255), anchor="mm")


def _main(seed: bytes, test_key: bool) -> bytes:
    canvas = Image.new("RGB", (SIZE, SIZE), (255, 255, 255))
    product = _product(seed, int(SIZE * 0.85))
    if product.width > SIZE * 0.85:
        product = product.resize((int(SIZE * 0.85), int(product.height * SIZE * 0.85 / product.width)))
    x = (SIZE - product.width) // 2
    y = (SIZE - product.height) // 2 - 10
    _shadow(canvas, (x + product.width // 8, y, x + product.width * 7 // 8, y + product.height), 110)
    canvas.paste(product, (x, y), product)
    if test_key:
        _sample_label(canvas)
    out = io.BytesIO()
    canvas.save(out, "JPEG", quality=90)
    return out.getvalue()


def _gallery(seed: bytes, listing_type: str, index: int, test_key: bool) -> bytes:
    hue = seed[1] / 255 + 0.08 * index
    top, bottom = _rgb(hue + 0.5, 0.18, 0.98), _rgb(hue + 0.55, 0.45, 0.72)
    gradient = Image.linear_gradient("L").resize((SIZE, SIZE))
    canvas = Image.composite(Image.new("RGB", (SIZE, SIZE), bottom), Image.new("RGB", (SIZE, SIZE), top), gradient)
    product = _product(seed, int(SIZE * 0.62))
    if product.width > SIZE * 0.7:
        product = product.resize((int(SIZE * 0.7), int(product.height * SIZE * 0.7 / product.width)))
    # alternate the product's position so gallery images differ from one another
    x = (SIZE - product.width) // 2 + (-150 if index % 3 == 1 else 150 if index % 3 == 2 else 0)
    x = max(10, min(SIZE - product.width - 10, x))
    y = 70
    _shadow(canvas, (x + product.width // 8, y, x + product.width * 7 // 8, y + product.height), 90)
    canvas.paste(product, (x, y), product)
    d = ImageDraw.Draw(canvas)
    d.rectangle((0, 820, SIZE, SIZE), fill=_rgb(hue + 0.5, 0.6, 0.35))
    caption = CAPTIONS[(index - 1) % len(CAPTIONS)]
    d.text((SIZE // 2, 885), caption, font=_font(64), fill=(255, 255, 255), anchor="mm")
    d.text((SIZE // 2, 955), f"{_TYPE_LABELS.get(listing_type, listing_type)} - image {index + 1}",
           font=_font(30), fill=(230, 230, 230), anchor="mm")
    if test_key:
        _sample_label(canvas)
    out = io.BytesIO()
    canvas.save(out, "PNG", compress_level=1)
    return out.getvalue()


@functools.lru_cache(maxsize=32)
def render_image(asin: str, listing_type: str, index: int, test_key: bool) -> bytes:
    """Encoded bytes of the generated image (JPEG for index 0, PNG otherwise); see :func:`image_kind`."""
    seed = _seed(asin)
    with _RENDER_LOCK:
        if index <= 0:
            return _main(seed, test_key)
        return _gallery(seed, listing_type, index, test_key)
