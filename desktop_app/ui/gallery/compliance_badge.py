"""Compliance marks for the window: pass / warning / fail of an image for a platform's slot, with the reasons.

A cached image's findings were judged when it arrived and are read back (:mod:`desktop_app.core.compliance.memo`);
only when none are kept does the check (:func:`desktop_app.core.compliance.checker.check_image`) decode the image. Both run
in a worker thread of the app's bounded pool (:mod:`desktop_app.ui.gallery.thumbnails`), once per version of the file
(:mod:`desktop_app.core.images.filefacts`); :class:`ComplianceChecker` keeps the answers (per file, platform and slot)
and says when one arrives.
One checker per StudioService (:func:`checker_for`), shared by the gallery tiles and the publish window.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel

from desktop_app.core.compliance import memo as compliance_memo
from desktop_app.core.compliance.checker import Finding, advice, check_image, platform_of, problems, slot_for, summary
from desktop_app.core.images.filefacts import checked
from desktop_app.ui.common import theme
from desktop_app.ui.gallery.thumbnails import WORKERS, shared_pool

log = logging.getLogger(__name__)

MARKS = {"pass": "✓", "warning": "!", "fail": "✗"}
WORDS = {"pass": "meets the rules", "warning": "warning", "fail": "fails the rules"}
PILL = {"pass": "info", "warning": "notice", "fail": "error"}
CACHE_SIZE = 512
SUMMARY_SHOWN = 8  # images named one per line in a ComplianceSummary; the rest are counted
FRAME_MS = 16


@dataclass(frozen=True)
class Verdict:
    level: str                      # "pass" | "warning" | "fail"
    findings: tuple[Finding, ...]

    @property
    def problems(self) -> list[Finding]:
        return problems(list(self.findings))

    def reasons(self, limit: int = 6) -> str:
        """One line per warning or failure (worst first), "Meets …" when there is none; then the advice."""
        bad = self.problems
        lines = [f"{MARKS[f.level]} {f.message}" for f in bad[:limit]] or ["Meets every checked rule for this slot."]
        if len(bad) > limit:
            lines.append(f"… and {len(bad) - limit} more")
        lines += [f"ℹ {f.message}" for f in advice(list(self.findings))]
        return "\n".join(lines)


def mark_color(level: str) -> str:
    c = theme.colors()
    return {"pass": c["green"], "warning": "#e37400" if not theme.is_dark() else "#fdd663", "fail": c["red"]}[level]


def judge(path: str, platform: str, slot: str, cache_root: str | None) -> list[Finding]:
    """The findings of ``path``: the kept ones of a cached image (judged once), else checked now. Blocking."""
    if cache_root is not None and compliance_memo.in_cache(path, cache_root):
        return compliance_memo.findings(path, platform, slot)
    return check_image(path, platform, slot)


class ComplianceChecker(QObject):
    """Answers from memory at once; a miss starts one look-up in a worker thread and returns None."""
    ready = Signal(str)    # the key of a verdict that just arrived
    checked = Signal(str)  # the image file whose verdict (for some platform and slot) just arrived

    def __init__(self, spawn, parent: QObject | None = None, cache_root=lambda: None) -> None:
        super().__init__(parent)
        self.spawn = spawn
        self.cache_root = cache_root  # () -> the image cache's folder (None: no kept findings)
        self._cache: OrderedDict[str, Verdict] = OrderedDict()
        self._pending: set[str] = set()
        # Checks handed to the pool at a time (the rest wait here, not in the pool's queue ahead of thumbnails),
        # none while files are written (see held()): a check is Python work that holds the GIL, and a copy that
        # must take the GIL back after each of its system calls would wait for it each time.
        self._slots = asyncio.Semaphore(WORKERS)
        self._holds = 0
        self._free = asyncio.Event()
        self._free.set()
        self.parked = 0  # checks waiting for a hold to end

    @contextlib.contextmanager
    def held(self):
        """No check starts inside this block (one already running ends); the waiting ones start after it."""
        self._holds += 1
        self._free.clear()
        try:
            yield
        finally:
            self._holds -= 1
            if not self._holds:
                self._free.set()

    @staticmethod
    def key(path: str, platform: str, slot: str) -> str:
        return f"{platform}:{slot}:{path}"

    def verdict(self, path: str | None, platform: str, slot: str) -> Verdict | None:
        if not path:
            return None
        key = self.key(path, platform, slot)
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return found
        if key not in self._pending:
            self._pending.add(key)
            if self.spawn(self._check(key, path, platform, slot), key=f"compliance:{key}") is None:
                self._pending.discard(key)  # the registry is closed (shutting down)
        return None

    async def _check(self, key: str, path: str, platform: str, slot: str) -> None:
        try:
            root = self.cache_root()
            root = None if root is None else str(root)
            async with self._slots:
                while self._holds:
                    self.parked += 1
                    try:
                        await self._free.wait()
                    finally:
                        self.parked -= 1
                findings = await shared_pool().run(self, key, checked, path,
                                                   lambda p: judge(p, platform, slot, root),
                                                   ("image rules", platform, slot))
            if findings is None:
                raise FileNotFoundError("the image file is gone")
            verdict = Verdict(summary(findings), tuple(findings))
        except (OSError, ValueError) as exc:
            verdict = Verdict("warning", (Finding("check", "warning", f"not checked: {exc}", ""),))
        finally:
            self._pending.discard(key)
        self._cache[key] = verdict
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        self.ready.emit(key)
        self.checked.emit(path)

    def pending(self) -> int:
        return len(self._pending)


def checker_for(service) -> ComplianceChecker:
    """The service's one checker (made on first use; its tasks go through the service's TaskRegistry)."""
    checker = getattr(service, "_compliance_checker", None)
    if checker is None:
        checker = ComplianceChecker(lambda coro, key=None: service.tasks.spawn(coro, key=key), service,
                                    cache_root=lambda: service.rt.cache.root)
        service._compliance_checker = checker
    return checker


class ComplianceBadge(QLabel):
    """A small pill: "✓ pass", "! warning", "✗ fail" (or "checking…"), the reasons in its tooltip."""

    def __init__(self, name: str, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAccessibleName("Compliance")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.level = ""
        self.clear_verdict()

    def clear_verdict(self) -> None:
        self.level = ""
        self.setText("")
        self.setToolTip("")
        self.setStyleSheet("")
        self.setAccessibleDescription("")

    def set_checking(self) -> None:
        self.level = "checking"
        self.setText("checking…")
        self.setStyleSheet(theme.muted_style())
        self.setToolTip("Checking the image against Amazon's rules for this slot…")

    def set_verdict(self, verdict: Verdict, platform_name: str = "Amazon") -> None:
        self.level = verdict.level
        self.setText(f"{MARKS[verdict.level]} {verdict.level}")
        self.setStyleSheet(theme.pill_style(PILL[verdict.level]))
        reasons = verdict.reasons()
        self.setToolTip(f"{platform_name} image rules: {WORDS[verdict.level]}\n{reasons}")
        self.setAccessibleDescription(f"{verdict.level}: {reasons}")


PLATFORM_NAMES = {"amazon": "Amazon", "shopify": "Shopify", "tiktok": "TikTok Shop"}


class ComplianceSummary(QLabel):
    """One line for a set of images about to leave the app (export): which fail or warn on the platform's rules
    for the slot each will fill, checked in worker threads; nothing when all pass. It warns, it never blocks."""

    def __init__(self, service, images, listing_type: str, name: str = "complianceSummary", parent=None) -> None:
        super().__init__(parent, wordWrap=True, objectName=name)
        self.setAccessibleName("Image rules")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.checker = checker_for(service)
        self.checker.ready.connect(self._arrived)
        self.frame = QTimer(self, singleShot=True, interval=FRAME_MS)  # verdicts arriving together: one refresh
        self.frame.timeout.connect(self.refresh)
        self.hide()
        self.set_images(images, listing_type)

    def set_images(self, images, listing_type: str) -> None:
        """The images about to leave the app (read from the journal after the dialog opened), and their type."""
        self.platform = platform_of(listing_type or "")
        self.images = [(img, slot_for(self.platform, img.index)) for img in images if img.cache_path]
        self.keys = {self.checker.key(img.cache_path, self.platform, slot) for img, slot in self.images}
        self.refresh()

    def _arrived(self, key: str) -> None:
        """A verdict arrived: one of these images' is shown with the others that arrive in the same frame."""
        if key in self.keys and not self.frame.isActive():
            self.frame.start()

    def refresh(self, *_args) -> None:
        self.frame.stop()
        verdicts = [(img, slot, self.checker.verdict(img.cache_path, self.platform, slot))
                    for img, slot in self.images]
        waiting = sum(v is None for _i, _s, v in verdicts)
        bad = [(img, slot, v) for img, slot, v in verdicts if v is not None and v.level != "pass"]
        name = PLATFORM_NAMES[self.platform]
        if not bad:
            self.setText(f"Checking the images against {name}'s rules…" if waiting else "")
            self.setStyleSheet(theme.muted_style() if waiting else "")
            self.setVisible(bool(waiting))
            return
        worst = "fail" if any(v.level == "fail" for _i, _s, v in bad) else "warning"
        lines = [f"{MARKS[v.level]} image {img.index + 1} ({slot}): {_html(v.problems[0].message)}"
                 + (f" (+{len(v.problems) - 1} more)" if len(v.problems) > 1 else "")
                 for img, slot, v in bad[:SUMMARY_SHOWN]]
        if len(bad) > SUMMARY_SHOWN:
            lines.append(f"… and {len(bad) - SUMMARY_SHOWN} more")
        head = (f"<b>{len(bad)} of {len(self.images)} image{'s' if len(self.images) != 1 else ''} "
                f"{'fail' if worst == 'fail' else 'have warnings on'} {name}'s image rules</b> — you can still "
                "export them.")
        self.setText(head + "<br>" + "<br>".join(lines))
        self.setStyleSheet(f"color: {mark_color(worst)}")
        self.setAccessibleDescription(self.text())
        self.show()


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
