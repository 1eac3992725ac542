"""Export of 100 cached images (verified, atomic, no-overwrite) ÷ plain `cp` of the same files."""

from __future__ import annotations

import io
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from PIL import Image  # noqa: E402

from bench.common import median_time, record  # noqa: E402
from desktop_app.core.export import ExportItem, export_images  # noqa: E402

COUNT = 100


def make_images(folder: Path) -> list[ExportItem]:
    rng = random.Random(7)
    items = []
    for i in range(COUNT):
        im = Image.effect_noise((800, 800), 40).convert("RGB")
        im.putpixel((0, 0), (rng.randrange(256), 0, 0))
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=90)
        path = folder / f"{i:03d}.jpg"
        path.write_bytes(buf.getvalue())
        items.append(ExportItem(i, path, "jpg"))
    return items


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        src = tmp / "src"
        src.mkdir()
        items = make_images(src)
        total = sum(i.source.stat().st_size for i in items) / 1e6
        counter = iter(range(10**6))

        def export_once():
            dest = tmp / f"export-{next(counter)}"
            dest.mkdir()
            results = export_images(items, "B0BENCH001", dest, "index")
            assert all(r.path for r in results)

        def cp_once():
            dest = tmp / f"cp-{next(counter)}"
            dest.mkdir()
            subprocess.run(["cp", *[str(i.source) for i in items], str(dest)], check=True)

        export_once(), cp_once()  # warm up
        t_export = median_time(export_once, 7)
        t_cp = median_time(cp_once, 7)
        shutil.rmtree(tmp, ignore_errors=True)
    record("export ÷ cp (100 images)", t_export / t_cp, "≤ 3 (fsync per file is the price of atomic writes)",
           f"export {t_export * 1000:.0f} ms, cp {t_cp * 1000:.0f} ms, {total:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
