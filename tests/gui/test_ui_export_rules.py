"""The export dialog warns (never blocks) when approved images fail or warn on the platform's image rules for the
slot each fills; the verdicts are the core checker's, computed off the GUI thread."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from support.ui import png_bytes  # noqa: E402

from desktop_app.core.compliance import check_image, slot_for, summary  # noqa: E402
from desktop_app.ui.services import ImageSource  # noqa: E402
from test_ui_publish import completed_job  # noqa: E402


def test_export_dialog_lists_images_that_break_the_rules(studio, qtbot):
    w = studio.window
    journal = studio.rt.journal
    job_id = completed_job(studio, qtbot, "B0RULES001", approve=(0, 1))
    before = len(journal.images(job_id))
    small = png_bytes((400, 300), (200, 40, 40))  # a small photo dropped in: too small to zoom, not white
    qtbot.waitUntil(lambda: studio.service.add_user_images(job_id, [ImageSource("data", data=small)]) is not None)
    qtbot.waitUntil(lambda: len(journal.images(job_id)) == before + 1, timeout=5000)
    dropped = journal.images(job_id)[-1]
    qtbot.waitUntil(studio.service.set_review(job_id, dropped.index, "approved").done, timeout=3000)
    approved = [i for i in journal.images(job_id) if i.review == "approved"]
    expected = {i.index: summary(check_image(i.cache_path, "amazon", slot_for("amazon", i.index))) for i in approved}
    assert expected[dropped.index] != "pass"

    qtbot.mouseClick(w.gallery.export_button, Qt.MouseButton.LeftButton)
    dialog = w.export_dialog
    label = dialog.compliance
    flagged = [i for i, level in expected.items() if level != "pass"]
    qtbot.waitUntil(lambda: label.isVisible() and label.text().count("<br>") == len(flagged), timeout=8000)
    text = label.text()
    assert f"{len(flagged)} of {len(approved)} images" in text and "you can still export" in text
    for index, level in expected.items():
        assert (f"image {index + 1} (" in text) == (level != "pass")
    assert dialog.export_button.isEnabled()  # a warning, not a block
    dialog.close()
