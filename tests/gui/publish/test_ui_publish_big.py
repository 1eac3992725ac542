"""Publishing a job of big images (the Pixii sandbox pads every image, the padding streamed as it is sent) through
the real widgets on the in-process sandboxes: while an image is being fetched the window says which one and how
many there are, and stays responsive; then Amazon's check passes (a padded PNG is a readable image) and the
window says the change was submitted."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from test_ui_publish import click_publish, completed_job, fetch, open_dialog, wait_idle  # noqa: E402

BIG = "3000000"


def test_a_publish_of_big_images_says_each_image_it_checks_then_is_submitted(studio_factory, qtbot, monkeypatch):
    monkeypatch.setenv("LISTING_STUDIO_SPAPI_PROCESSING", "0.2")
    studio = studio_factory(LISTING_STUDIO_SANDBOX_IMAGE_BYTES=BIG)
    completed_job(studio, qtbot, approve=(0, 1))  # a JPEG and a PNG, each padded to 3 MB
    dialog = open_dialog(studio, qtbot)
    fetch(dialog, qtbot, "MUG-BLK-16", "US")
    assert not dialog.message.isVisible(), dialog.message.text()

    pixii = studio.rt.emulator
    pixii.add_fault("stall", path_prefix="/files/", method="GET", seconds=30)  # the first image's fetch waits
    click_publish(dialog, qtbot)
    qtbot.waitUntil(lambda: pixii.stalled == 1, timeout=5000)
    qtbot.waitUntil(lambda: "Checking image 1 of 2 (MAIN)" in dialog.status_label.text(), timeout=3000)
    assert dialog.busy() and not dialog.publish_button.isEnabled()

    pixii.release_stalls()
    qtbot.waitUntil(lambda: "submitted" in dialog.status_label.text(), timeout=15000)
    text = dialog.status_label.text()
    assert "refused" not in text and "Amazon accepted the change" in text, text
    assert not dialog.message.isVisible(), dialog.message.text()
    wait_idle(dialog, qtbot, timeout=15000)
