"""The export dialog warns (never blocks) when approved images fail or warn on the platform's image rules for the
slot each fills; the verdicts are the core checker's, computed off the GUI thread."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from support.ui import png_bytes  # noqa: E402

from desktop_app.core.compliance.checker import check_image, slot_for, summary  # noqa: E402
from desktop_app.ui.main.services import ImageSource  # noqa: E402
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


def test_the_window_reads_the_findings_kept_when_the_images_arrived(studio, qtbot, monkeypatch):
    from desktop_app.core.compliance import checker as compliance
    from desktop_app.ui.gallery import compliance_badge
    judged: list[tuple[str, str]] = []
    real = compliance.check_image

    def counting(path, platform, slot):
        judged.append((str(path), slot))
        return real(path, platform, slot)

    monkeypatch.setattr(compliance, "check_image", counting)
    monkeypatch.setattr(compliance_badge, "check_image", counting)
    job_id = completed_job(studio, qtbot, "B0RULES002", approve=(0, 1, 2))
    images = [i for i in studio.rt.journal.images(job_id) if i.cached]
    qtbot.mouseClick(studio.window.gallery.export_button, Qt.MouseButton.LeftButton)
    dialog = studio.window.export_dialog
    checker = dialog.compliance.checker
    keys = [checker.key(i.cache_path, "amazon", slot_for("amazon", i.index)) for i in images]
    qtbot.waitUntil(lambda: all(checker.verdict(i.cache_path, "amazon", slot_for("amazon", i.index)) is not None
                                for i in images), timeout=8000)
    assert all(checker._cache[k].level in ("pass", "warning", "fail") for k in keys)
    assert sorted(judged) == sorted((i.cache_path, slot_for("amazon", i.index)) for i in images)  # once, on arrival
    dialog.close()


def test_findings_are_kept_for_cached_images_only(tmp_path):
    from desktop_app.core.compliance.memo import memo_path
    from desktop_app.ui.gallery.compliance_badge import judge
    cache = tmp_path / "cache"
    (cache / "ab").mkdir(parents=True)
    cached, own = cache / "ab" / "abcd.png", tmp_path / "mine.png"
    for path in (cached, own):
        path.write_bytes(png_bytes((400, 300), (200, 40, 40)))
    first = judge(str(cached), "amazon", "MAIN", str(cache))
    assert memo_path(cached).exists() and summary(first) == "fail"
    assert judge(str(cached), "amazon", "MAIN", str(cache)) == first
    assert summary(judge(str(own), "amazon", "MAIN", str(cache))) == "fail"
    assert not memo_path(own).exists()  # nothing is written beside a seller's own file
