"""A desktop notification when a long job finishes while the window is not the active one.

org.freedesktop.Notifications over D-Bus when a session bus has it (asynchronous call: never
blocks); else a tray icon's balloon when the system has a tray; else nothing.
"""

from __future__ import annotations

import logging
import time
from typing import Callable

from PySide6.QtCore import QObject, Signal

from desktop_app.api.pixii.vocab import country_name, listing_type_name

log = logging.getLogger(__name__)

LONG_JOB_SECONDS = 20.0
APP_ID = "io.github.listingstudio.ListingStudio"


class DBusNotifier:
    def __init__(self) -> None:
        from PySide6.QtDBus import QDBusConnection, QDBusInterface

        bus = QDBusConnection.sessionBus()
        if not bus.isConnected():
            raise RuntimeError("no D-Bus session bus")
        names = bus.interface()
        if names is None or not names.isServiceRegistered("org.freedesktop.Notifications").value():
            raise RuntimeError("no notification service")
        self.iface = QDBusInterface("org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                                    "org.freedesktop.Notifications", bus)

    def __call__(self, title: str, body: str) -> None:
        from PySide6.QtDBus import QDBusArgument

        actions = QDBusArgument()  # an empty "as"
        actions.beginArray(10)     # QMetaType QString
        actions.endArray()
        self.iface.asyncCall("Notify", "Listing Studio", 0, APP_ID, title, body, actions,
                             {"desktop-entry": APP_ID}, 8000)  # asynchronous: the reply is not awaited


class TrayNotifier:
    def __init__(self, icon, parent: QObject | None = None) -> None:
        from PySide6.QtWidgets import QSystemTrayIcon

        if not QSystemTrayIcon.isSystemTrayAvailable():
            raise RuntimeError("no system tray")
        self.tray = QSystemTrayIcon(icon, parent)

    def __call__(self, title: str, body: str) -> None:
        from PySide6.QtWidgets import QSystemTrayIcon

        self.tray.show()
        self.tray.showMessage(title, body, QSystemTrayIcon.MessageIcon.Information, 8000)


def default_notifier(icon=None, parent: QObject | None = None) -> Callable[[str, str], None] | None:
    """The best way this desktop offers, or None."""
    try:
        return DBusNotifier()
    except Exception as exc:  # noqa: BLE001 — no bus, no service, no QtDBus: try the tray
        log.debug("No D-Bus notifications: %s", exc)
    try:
        return TrayNotifier(icon, parent)
    except Exception as exc:  # noqa: BLE001
        log.debug("No tray notifications: %s", exc)
    return None


class LazyNotifier:
    """The desktop's notifier, looked for when the first notification is due."""

    def __init__(self, icon=None, parent: QObject | None = None) -> None:
        self.icon, self.parent = icon, parent
        self._found: Callable[[str, str], None] | None = None
        self._looked = False

    def __call__(self, title: str, body: str) -> None:
        if not self._looked:
            self._looked = True
            self._found = default_notifier(self.icon, self.parent)
        if self._found is not None:
            self._found(title, body)


class JobNotifier(QObject):
    """Watches job changes; when a job seen unfinished ends after ``min_seconds`` and the window is
    not active, calls ``notify(title, body)`` with the ASIN and the outcome. The journal is read through the
    store worker; ``handled`` fires once a change has been looked at (notified or not)."""

    handled = Signal(str, bool)   # job id, whether the job had ended

    def __init__(self, service, window, notify: Callable[[str, str], None] | None,
                 min_seconds: float = LONG_JOB_SECONDS, is_active: Callable[[], bool] | None = None) -> None:
        super().__init__(window)
        self.service = service
        self.window = window
        self.notify = notify
        self.min_seconds = min_seconds
        self.is_active = is_active or (lambda: window.isActiveWindow())
        self._watching: dict[str, float] = {}   # job id → when it was first seen unfinished
        service.job_changed.connect(self._job_changed)
        service.runtime_changed.connect(self._seed)
        self._seed()

    def _seed(self) -> None:
        self.service.tasks.spawn(self._read_unfinished(), name="notify-seed")

    async def _read_unfinished(self) -> None:
        unfinished = await self.service.store.call(lambda journal: journal.jobs(unfinished_only=True))
        self._watching.clear()
        for record in unfinished:
            self._watching[record.job_id] = record.recorded_at or time.time()

    def _job_changed(self, job_id: str) -> None:
        self.service.tasks.spawn(self._look_at(job_id), name=f"notify:{job_id}")

    async def _look_at(self, job_id: str) -> None:
        record, images = await self.service.store.call(_job_and_images, job_id)
        try:
            self._consider(record, images)
        finally:
            self.handled.emit(job_id, record is not None and record.terminal)

    def _consider(self, record, images) -> None:
        if record is None:
            return
        job_id = record.job_id
        if not record.terminal:
            self._watching.setdefault(job_id, record.recorded_at or time.time())
            return
        started = self._watching.pop(job_id, None)
        if started is None or self.notify is None:
            return
        if time.time() - started < self.min_seconds or self.is_active():
            return
        if record.status == "completed":
            ok = sum(1 for i in images if not i.error_code)
            outcome = f"completed: {ok} image{'s' if ok != 1 else ''} ready to review"
            if len(images) > ok:
                outcome += f", {len(images) - ok} failed"
        else:
            outcome = f"failed ({record.error_code or 'no error code'})"
        try:
            self.notify(f"{record.asin} {record.status}", f"{record.asin} · {country_name(record.country)} · "
                        f"{listing_type_name(record.listing_type)}: {outcome}.")
        except Exception:  # noqa: BLE001 — a notification is a courtesy
            log.exception("Could not show the desktop notification")


def _job_and_images(journal, job_id: str):
    record = journal.job(job_id)
    return record, journal.images(job_id) if record is not None and record.status == "completed" else []
