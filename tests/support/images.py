"""Generated images for the image-rule tests: a product on a background, an animation, and finding look-ups."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw


def make(size=(1500, 1500), *, bg=(255, 255, 255), fill=0.9, fmt="JPEG", mode="RGB", colour=(200, 30, 30),
         pad=0, **save):
    """A product (a filled rectangle covering `fill` of each side, centred) on a background, encoded."""
    w, h = size
    im = Image.new("RGBA" if len(bg) == 4 else "RGB", size, bg)
    if fill:
        m = (1 - fill) / 2
        ImageDraw.Draw(im).rectangle((round(w * m), round(h * m), round(w * (1 - m)) - 1, round(h * (1 - m)) - 1),
                                     fill=colour)
    if mode != im.mode:
        im = im.convert(mode)
    buf = io.BytesIO()
    im.save(buf, fmt, **save)
    return buf.getvalue() + b"\0" * pad  # trailing bytes: a big file without a big picture


def by_id(findings):
    return {f.rule_id: f for f in findings}


def level(findings, rule_id):
    return by_id(findings)[rule_id].level


def gif_animation(frames=3, size=(1200, 1200)):
    ims = [Image.new("RGB", size, (255, 255, 255)) for _ in range(frames)]
    for i, im in enumerate(ims):
        ImageDraw.Draw(im).rectangle((50 + i * 10, 50, 1100, 1150), fill=(0, 0, 200))
    buf = io.BytesIO()
    ims[0].save(buf, "GIF", save_all=True, append_images=ims[1:], duration=100, loop=0)
    return buf.getvalue()


def add_to_job(rt, job_id: str, images: list[bytes]) -> None:
    """Put encoded images into the runtime's image cache and the job, as the seller's own images."""
    import hashlib

    from desktop_app.core.images.check import verify_image
    for data in images:
        info = verify_image(data)
        with rt.cache.incoming() as (tmp, sink):
            sink.write(data)
            sink.close()
            cached = rt.cache.adopt(tmp, hashlib.sha256(data).hexdigest(), info)
        rt.journal.add_user_image(job_id, None, cached.sha256, cached.ext, cached.path, info.width, info.height)
