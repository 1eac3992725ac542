"""The batch dialog in a seller's words: a preview of every row (product, country, listing type, the problem of
an invalid one) before anything is sent, country and listing type names, codes only as detail, and how long
the batch takes at the current rate limits (nothing when it is instant)."""

from __future__ import annotations

import os
import re

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from support.ui import widget_texts  # noqa: E402

CSV = ("asin,country_code,listing_type\n"
       "B0BATCH001,DE,amazon_listing\n"
       "B0B@D,FR,amazon_listing\n"
       "B0BATCH003,GB,amazon_main_images\n"
       "B0BATCH004,XX,amazon_listing\n")


def open_dialog(w, qtbot, text: str):
    dialog = w.batch.open_dialog()
    dialog.text_edit.setPlainText(text)
    qtbot.waitUntil(lambda: not dialog._timer.isActive() and dialog.planned, timeout=2000)
    return dialog


def cells(dialog) -> list[list[str]]:
    t = dialog.rows_table
    return [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]


def test_the_rows_are_previewed_in_seller_words(studio, qtbot):
    dialog = open_dialog(studio.window, qtbot, CSV)
    table = dialog.rows_table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers == ["Line", "Product", "Country", "Listing type", "Problem"]
    rows = cells(dialog)
    assert rows[0] == ["2", "B0BATCH001", "Germany", "Amazon listing", ""]
    assert rows[2] == ["4", "B0BATCH003", "United Kingdom", "Amazon main images", ""]
    bad_asin, bad_country = rows[1], rows[3]
    assert bad_asin[0] == "3" and "B0B@D" in bad_asin[1] and bad_asin[4]
    assert bad_country[0] == "5" and bad_country[4]
    for r in (1, 3):  # the code is the detail, in the tooltip
        assert re.fullmatch(r"[A-Z_]+", table.item(r, 4).toolTip().rsplit("(", 1)[1].rstrip(")"))
    shown = "\n".join("\n".join(r) for r in rows) + widget_texts(dialog)
    assert not re.search(r"\bINVALID_[A-Z]+\b|\bamazon_[a-z_]+\b", shown), shown
    assert "Rows: 2 ready" in dialog.rows_label.text() and "2 with a problem" in dialog.rows_label.text()
    assert not dialog.start_button.isEnabled()
    dialog.show()
    qtbot.waitExposed(dialog)
    plan = dialog.plan_label
    assert plan.text().endswith("Credits: none (the sandbox uses no credits).")
    assert plan.height() >= plan.heightForWidth(plan.width())  # every line of the plan is shown
    # the defaults are pickers of names
    combos = (dialog.country_combo, dialog.type_combo)
    names = [[c.itemText(i) for i in range(c.count())] for c in combos]
    assert "Germany" in names[0] and names[0].count("United Kingdom") == 1 and "DE — Germany" not in names[0]
    assert "Amazon listing" in names[1] and "amazon_listing" not in names[1]
    dialog.close()


def test_the_plan_says_how_long_only_when_it_takes_time(studio, qtbot):
    w = studio.window
    dialog = open_dialog(w, qtbot, "B0BATCH001\nB0BATCH002\n")
    plan = dialog.plan_label.text()
    assert plan.startswith("2 products to generate.") and dialog.start_button.isEnabled()
    assert "at least" not in plan and "0 s" not in plan and "takes" not in plan  # instant: no time said
    dialog.close()
    # a minute's limit of 2 with 0 left: twelve rows take minutes, and the dialog says so
    studio.rt.client.rate_limits.update_from_headers({"X-RateLimit-Limit-Minute": "2",
                                                      "X-RateLimit-Remaining-Minute": "0"})
    dialog = open_dialog(w, qtbot, "\n".join(f"B0BATCH{n:03d}" for n in range(1, 13)))
    plan = dialog.plan_label.text()
    assert "At the current rate limits, sending them takes about" in plan and "minutes" in plan, plan
    dialog.close()
