"""The gallery tile's marks: approval is the one strong mark (a filled disc, top right); the image-rules check
is a quieter, labelled badge ("Rules ✓") that never wears the approval's colour."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QPoint, QRect, Qt  # noqa: E402
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap, QStandardItem, QStandardItemModel  # noqa: E402
from PySide6.QtWidgets import QListView, QStyleOptionViewItem  # noqa: E402

from desktop_app.core.compliance.checker import Finding  # noqa: E402
from desktop_app.store.journal import ImageRecord  # noqa: E402
from desktop_app.ui.common import theme  # noqa: E402
from desktop_app.ui.gallery.compliance_badge import Verdict  # noqa: E402
from desktop_app.ui.gallery.model import PATH_ROLE, RECORD_ROLE, REVIEW_ROLE, STATE_ROLE  # noqa: E402
from desktop_app.ui.gallery.tiles import TILE, TileDelegate  # noqa: E402


class Rules:
    """The checker's answer for every image: one verdict level."""

    def __init__(self, level: str) -> None:
        self.level = level

    def verdict(self, path, platform, slot) -> Verdict:
        findings = () if self.level == "pass" else (Finding("background", self.level, "MAIN is not on white", ""),)
        return Verdict(self.level, findings)


@pytest.fixture
def view(qtbot):
    view = QListView()
    qtbot.addWidget(view)
    return view


def tile(view, review: str | None, level: str | None) -> tuple[QImage, TileDelegate, object]:
    model = QStandardItemModel(view)
    model.listing_type = "amazon_listing"
    item = QStandardItem("1 · MAIN")
    art = QPixmap(160, 160)
    art.fill(QColor("#dddddd"))
    item.setData(art, Qt.ItemDataRole.DecorationRole)
    item.setData(ImageRecord("job", 0, None, None, None, None, "png", "/x.png", 160, 160, review, "service"),
                 RECORD_ROLE)
    item.setData(review, REVIEW_ROLE)
    item.setData("/x.png", PATH_ROLE)
    item.setData("ready", STATE_ROLE)
    model.appendRow(item)
    view.setModel(model)
    delegate = TileDelegate(view)
    delegate.checker = Rules(level) if level else None
    index = model.index(0, 0)
    option = QStyleOptionViewItem()
    option.initFrom(view)
    option.rect = QRect(QPoint(0, 0), TILE)
    image = QImage(TILE, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    delegate.paint(painter, option, index)
    painter.end()
    return image, delegate, index


def near(image: QImage, color: str, area: QRect | None = None, tolerance: int = 40) -> int:
    """How many pixels of ``area`` are within ``tolerance`` of ``color``."""
    want = QColor(color)
    area = area or image.rect()
    count = 0
    for y in range(area.top(), area.bottom() + 1):
        for x in range(area.left(), area.right() + 1):
            got = image.pixelColor(x, y)
            if (abs(got.red() - want.red()) + abs(got.green() - want.green())
                    + abs(got.blue() - want.blue())) <= tolerance:
                count += 1
    return count


TOP_RIGHT = QRect(TILE.width() - 40, 0, 40, 40)


def test_an_image_that_meets_the_rules_shows_no_approval_colour_and_a_labelled_badge(view):
    image, delegate, index = tile(view, None, "pass")
    assert near(image, theme.colors()["green"]) == 0  # not approved: nothing green anywhere on the tile
    assert delegate.rules_text(index) == "Rules ✓"
    tip = delegate.rules_tip(index)
    assert tip.startswith("Amazon image rules: meets the rules") and "Meets every checked rule" in tip
    top_left = QRect(0, 0, 80, 30)
    assert near(image, "#dddddd", top_left, 10) < top_left.width() * top_left.height()  # something is drawn there


@pytest.mark.parametrize("level, text", [("warning", "Rules !"), ("fail", "Rules ✗")])
def test_warnings_and_failures_are_named_rules_and_quieter_than_the_review_mark(view, level, text):
    image, delegate, index = tile(view, None, level)
    assert delegate.rules_text(index) == text
    assert "MAIN is not on white" in delegate.rules_tip(index)
    rejected, _d, _i = tile(view, "rejected", None)
    red = theme.colors()["red"]
    assert near(image, red) < near(rejected, red, TOP_RIGHT) // 3  # an outline and a word, not a filled disc


def test_an_approved_tile_differs_visibly_from_an_unapproved_one(view):
    approved, _d, _i = tile(view, "approved", "pass")
    plain, _d, _i = tile(view, None, "pass")
    green = theme.colors()["green"]
    assert near(approved, green, TOP_RIGHT) > 150 and near(plain, green, TOP_RIGHT) == 0
    rejected, _d, _i = tile(view, "rejected", "pass")
    assert near(rejected, theme.colors()["red"], TOP_RIGHT) > 150
