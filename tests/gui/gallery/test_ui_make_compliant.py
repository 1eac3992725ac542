""""Make compliant" in the gallery: the repaired copy joins the job beside the original, approvable, and the
original stays exactly as it was."""

import io
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QMenu  # noqa: E402

from desktop_app.core.compliance.checker import check_image, summary  # noqa: E402
from desktop_app.ui.main.services import ImageSource  # noqa: E402
from support.images import make  # noqa: E402
from test_ui_publish import completed_job  # noqa: E402


def test_make_compliant_adds_a_repaired_copy_beside_the_original(studio, qtbot):
    w = studio.window
    journal = studio.rt.journal
    job_id = completed_job(studio, qtbot, "B0FIXME001", approve=())
    transparent = make((1600, 1600), bg=(0, 0, 0, 0), fmt="PNG", mode="RGBA")  # fails MAIN's white background
    before = len(journal.images(job_id))
    studio.service.add_user_images(job_id, [ImageSource("data", data=transparent)])
    qtbot.waitUntil(lambda: len(journal.images(job_id)) == before + 1, timeout=5000)
    original = journal.images(job_id)[-1]
    assert summary(check_image(original.cache_path, "amazon", "MAIN")) == "fail"
    original_bytes = open(original.cache_path, "rb").read()

    gallery = w.gallery
    qtbot.waitUntil(lambda: gallery.model.rowCount() == before + 1, timeout=3000)
    gallery.view.setCurrentIndex(gallery.model.index(before))
    assert gallery.compliant_action.isEnabled()
    assert gallery.compliant_action in gallery.view.actions()  # the image's context menu
    job_menu = next(m for m in w.menuBar().findChildren(QMenu) if m.title() == "&Job")
    assert gallery.compliant_action in job_menu.actions()  # and the Job menu, with its key
    assert gallery.compliant_action.shortcut().toString() == "Ctrl+M"
    said = []
    studio.service.info.connect(said.append)
    gallery.compliant_action.trigger()
    qtbot.waitUntil(lambda: any("Compliant copy added beside the original" in m for m in said), timeout=8000)
    assert "transparency flattened onto pure white" in said[-1]

    images = journal.images(job_id)
    assert len(images) == before + 2
    kept = next(i for i in images if i.index == original.index)
    assert kept.cache_path == original.cache_path and open(kept.cache_path, "rb").read() == original_bytes
    copy = images[-1]
    assert copy.review is None and copy.cache_path != original.cache_path
    im = Image.open(io.BytesIO(open(copy.cache_path, "rb").read()))
    assert im.mode == "RGB" and im.getpixel((2, 2)) == (255, 255, 255)
    assert summary(check_image(copy.cache_path, "amazon", "MAIN")) == "pass"  # what it was repaired for
    qtbot.waitUntil(lambda: gallery.model.rowCount() == before + 2, timeout=3000)
    gallery.view.setCurrentIndex(gallery.model.index(before + 1))
    gallery.review("approved")
    qtbot.waitUntil(lambda: journal.images(job_id)[-1].review == "approved", timeout=2000)


def test_an_image_that_already_meets_the_rules_gets_no_copy(studio, qtbot):
    journal = studio.rt.journal
    job_id = completed_job(studio, qtbot, "B0FIXME002", approve=())
    before = len(journal.images(job_id))
    studio.service.add_user_images(job_id, [ImageSource("data", data=make((2000, 2000), fmt="JPEG"))])
    qtbot.waitUntil(lambda: len(journal.images(job_id)) == before + 1, timeout=5000)
    gallery = studio.window.gallery
    qtbot.waitUntil(lambda: gallery.model.rowCount() == before + 1, timeout=3000)
    gallery.view.setCurrentIndex(gallery.model.index(before))
    said = []
    studio.service.info.connect(said.append)
    qtbot.keyClick(gallery.view, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: any("no copy was added" in m for m in said), timeout=8000)
    assert "already meets Amazon's rules" in said[-1]
    assert len(journal.images(job_id)) == before + 1


def test_compliance_tooltip_shows_advice_after_the_verdict():
    from desktop_app.ui.gallery.compliance_badge import Verdict
    findings = check_image(make((1200, 1200)), "amazon", "PT01")
    verdict = Verdict(summary(findings), tuple(findings))
    assert verdict.level == "pass"
    lines = verdict.reasons().splitlines()
    assert lines[0] == "Meets every checked rule for this slot."
    assert lines[1].startswith("ℹ ") and "1600 px or larger for the best zoom" in lines[1]
