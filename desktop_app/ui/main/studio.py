"""The running desktop window: one qasync event loop, one TaskRegistry owning every
background task, clean shutdown before Qt quits (design notes B.3 / B.4).

Closing the window cancels the tasks, closes the HTTP client and the journal, then lets the
window close; unfinished jobs stay in the journal and are polled again on the next start.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

os.environ.setdefault("QT_API", "pyside6")

from PySide6.QtCore import Qt, QTimer  # noqa: E402  (PySide6 before qasync: binding choice)
from PySide6.QtGui import QPixmapCache  # noqa: E402

log = logging.getLogger(__name__)

PIXMAP_CACHE_KB = 48 * 1024  # ~480 gallery thumbnails; older ones are decoded again when scrolled back to


class Studio:
    """The composition root of the window: runtime, tasks, service, main window; the key and the
    Live/Sandbox choice (a switch rebuilds the runtime in place)."""

    def __init__(self, settings=None, *, keys=None, key_state=None, prefs=None, notifier=None,
                 ssl_context=None) -> None:
        from desktop_app.config import load_settings, with_mode
        from desktop_app.credentials import KeyManager, KeyState
        from desktop_app.runtime import Runtime
        from desktop_app.ui.main.window import MainWindow
        from desktop_app.ui.common.prefs import Preferences
        from desktop_app.ui.common.responsive import freeze_startup_objects, share_the_gil
        from desktop_app.ui.main.services import StudioService
        from desktop_app.ui.common.tasks import TaskRegistry

        share_the_gil()
        QPixmapCache.setCacheLimit(max(QPixmapCache.cacheLimit(), PIXMAP_CACHE_KB))
        settings = settings or load_settings()
        self.keys = keys or KeyManager()
        if key_state is None:  # what the settings were made from (the keyring is read again off-thread later)
            known = settings.key_source in ("env", "keyring", "session") and settings.api_key
            key_state = KeyState(settings.api_key if known else "", settings.key_source if known else "",
                                 settings.keyring_problem)
        self.key_state = key_state
        if not settings.sandbox and not settings.api_key:  # Live needs a key: start on the sandbox
            settings = with_mode(settings, live=False, keyring_problem=settings.keyring_problem)
        self.settings = settings
        self.prefs = prefs or Preferences()
        self.ssl_context = ssl_context  # made in a worker thread (loading the certificates takes long)
        from desktop_app.ui.publish.amazon_account import AmazonAccount
        self.amazon = AmazonAccount(self)  # the SP-API credentials, seller id and bucket (publish side)
        self.rt = Runtime(self.settings, spapi_factory=self.amazon.factory(), ssl_context=ssl_context)
        self.tasks = TaskRegistry()
        self.service = StudioService(self.rt, self.tasks)
        self.tasks.on_error = self._task_failed
        self.window = MainWindow(self.service, prefs=self.prefs)
        self._polish_window(notifier)
        freeze_startup_objects()
        self.window.settings_requested.connect(self.open_settings)
        self.quit_requested = asyncio.Event()
        self.window.close_requested.connect(self.quit_requested.set)
        self.closed = False
        self._switch_task: asyncio.Task | None = None

    def _polish_window(self, notifier) -> None:
        """Icon, keyboard order, empty states, and the desktop notification of finished long jobs.
        ``notifier``: a callable (title, body), False for none, None for the desktop's own."""
        from desktop_app.ui.main import a11y
        from desktop_app.ui.main import notify
        from desktop_app.ui.common import theme

        icon = theme.app_icon()
        if not icon.isNull():
            self.window.setWindowIcon(icon)
        if not hasattr(self.window, "job_empty_state"):  # the main window may polish itself
            a11y.polish(self.window)
        if notifier is None:  # found on first use: nothing of D-Bus or the tray at start-up
            notifier = notify.LazyNotifier(icon, self.window)
        self.job_notifier = notify.JobNotifier(self.service, self.window, notifier or None)
        self.window.publish_health.notify = notifier or None  # a published listing suppressed later

    def _task_failed(self, exc: BaseException, name: str) -> None:
        from desktop_app.store.datadir import DataDirError
        if isinstance(exc, DataDirError):  # the data dir broke while running (a full disk): say so, and the job
            job = f" Job {exc.job_id} was accepted; note its id: it is picked up again once the journal can be written." if exc.job_id else ""
            self.service.error.emit(exc.code, exc.message + job)
            return
        self.service.error.emit("INTERNAL_ERROR", f"{name or 'a background task'} failed: {type(exc).__name__}: {exc}"
                                " (details in the log)")

    def start(self) -> asyncio.Task | None:
        """Show the window and resume every unfinished job (read through the store worker, after the first
        paint); returns the task that resumes them, whose result is how many are polled."""
        self.window.show()
        banner = self.window.banner
        if self.rt.journal.recovered_from:
            banner.show_error("JOURNAL_RECOVERED", f"The job journal was damaged or empty; it was kept aside as "
                              f"{self.rt.journal.recovered_from} and a new one was started.")
        if self.settings.sandbox and not self.key_state.key:
            # First run (or no key yet): the sandbox notice, not an error. A keyring that can't be used is
            # explained in the settings dialog, where a key would be saved.
            self.window.show_first_run(self.key_state.problem)
        resuming = self.tasks.spawn(self._resume_at_start(), name="resume-at-start")
        from desktop_app.core.compliance.checks import load_readers
        from desktop_app.ui.gallery.thumbnails import shared_pool
        shared_pool().run(self, "image readers", load_readers)   # before the first job's images are checked
        self.window.publish_watch.start()  # publishes left accepted/sending/unknown, in the background
        self.window.publish_health.start()  # published listings suppressed while the app runs
        return resuming

    async def _resume_at_start(self) -> int:
        resumed = await self._resume()
        if resumed:
            self.window.banner.show_info(f"Resumed watching {resumed} unfinished job{'s' if resumed != 1 else ''} "
                                         "from last time.")
        return resumed

    async def _resume(self) -> int:
        task = self.service.resume()
        return await task if task is not None else 0

    # --- the key and the mode (used by the settings dialog) -----------------------------------------

    def live_url(self) -> str:
        """The service Live mode uses ("sandbox" when the environment forces the sandbox)."""
        from desktop_app.config import live_api_url
        return live_api_url()

    def open_settings(self):
        """Show the settings dialog (window-modal, never exec()); returns it."""
        from desktop_app.ui.settings.dialog import SettingsDialog

        dialog = self.window.settings_dialog
        if dialog is not None and dialog.isVisible():
            dialog.raise_()
            dialog.activateWindow()
            return dialog
        dialog = SettingsDialog(self, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r, d=dialog: self._settings_closed(d))
        self.window.settings_dialog = dialog
        dialog.open()
        return dialog

    def _settings_closed(self, dialog) -> None:
        if self.window.settings_dialog is dialog:
            self.window.settings_dialog = None

    async def refresh_key_state(self):
        """Read the key again (environment, session, keyring) in a worker thread."""
        state = await asyncio.to_thread(self.keys.load)
        self.key_state = state
        return state

    async def check_key(self, key: str):
        """One cheap authenticated request with ``key`` to the service Live mode uses."""
        import httpx

        from desktop_app.api.pixii.client import DEFAULT_TIMEOUT
        from desktop_app.config import SANDBOX, SANDBOX_BASE_URL
        from desktop_app.credential_checks import check_key

        url = self.live_url()
        if url == SANDBOX:  # the environment forces the sandbox: check against the embedded one
            if self.rt.emulator is None:
                raise RuntimeError("no sandbox runtime")
            return await check_key(key, SANDBOX_BASE_URL, self.rt.http)
        give_up = min(8.0, self.settings.give_up_after)
        async with httpx.AsyncClient(timeout=DEFAULT_TIMEOUT, trust_env=False, follow_redirects=False,
                                     verify=self.ssl_context or True) as http:
            return await check_key(key, url, http, give_up_after=give_up)

    async def save_key(self, key: str):
        """Store ``key`` (keyring, else this session only) off the GUI thread; on Live, use it at once.
        Returns the saved state (its ``problem`` says why it is kept for the session only)."""
        saved = await asyncio.to_thread(self.keys.save, key)  # ValueError for an obviously wrong key
        from desktop_app.credentials import KeyState
        env = self.keys.env_key
        self.key_state = KeyState(env, "env", saved.problem) if env else saved
        if not self.settings.sandbox and self.key_state.key != self.settings.api_key:
            self.switch_mode(True)
        return saved

    async def remove_key(self):
        """Delete the saved key off the GUI thread; Live without a key goes back to the sandbox."""
        state = await asyncio.to_thread(self.keys.remove)
        self.key_state = state
        if not self.settings.sandbox and not state.key:
            self.switch_mode(False)
        elif not self.settings.sandbox and state.key != self.settings.api_key:
            self.switch_mode(True)
        return state

    def switching(self) -> bool:
        return self._switch_task is not None and not self._switch_task.done()

    def switch_mode(self, live: bool) -> asyncio.Task | None:
        """Rebuild the runtime for Live (needs a key) or the sandbox; None when that is impossible."""
        from desktop_app.config import with_mode
        from desktop_app.core.validation import InputError

        if self.closed:
            return None
        state = self.key_state
        try:
            new = with_mode(self.settings, live=live, key=state.key, key_source=state.source,
                            keyring_problem=state.problem)
        except (ValueError, InputError) as exc:
            self.service.error.emit("INVALID_CONFIG", f"Can't switch to {'Live' if live else 'the sandbox'}: "
                                    f"{getattr(exc, 'message', None) or exc}")
            return None
        self.prefs.set_mode(live)
        previous = self._switch_task

        async def run() -> None:
            if previous is not None and not previous.done():
                await asyncio.gather(previous, return_exceptions=True)
            await self._switch(new)

        self._switch_task = asyncio.get_running_loop().create_task(run(), name="switch-runtime")
        return self._switch_task

    async def _switch(self, new) -> None:
        """Cancel the old tasks, close the old runtime, build the new one, refresh the window, resume."""
        from desktop_app.api.pixii.client import redact
        from desktop_app.runtime import Runtime

        if self.closed:
            return
        old = self.settings
        log.info("Switching to %s", "the sandbox" if new.sandbox else f"Live at {new.api_url}")
        self.window.before_switch()
        await self.tasks.cancel_all()
        await self.rt.aclose()
        self.tasks.reopen()
        try:
            rt = Runtime(new, spapi_factory=self.amazon.factory(), ssl_context=self.ssl_context)
        except Exception as exc:  # noqa: BLE001 — keep a working window on the previous settings
            log.exception("Could not build the runtime for the new settings")
            rt, new = Runtime(old, spapi_factory=self.amazon.factory(), ssl_context=self.ssl_context), old
            self.service.error.emit("INTERNAL_ERROR", f"Could not switch: {type(exc).__name__} (details in the log)")
        self.rt, self.settings = rt, new
        self.service.rebind(rt)
        banner = self.window.banner
        if new.sandbox and not self.key_state.key:
            self.window.show_first_run(self.key_state.problem)
        else:
            banner.clear_notice()
        resumed = await self._resume()
        more = f" Watching {resumed} unfinished job{'s' if resumed != 1 else ''}." if resumed else ""
        if new.sandbox:
            if more or self.key_state.key:  # with no key, the first-run notice already says it
                banner.show_info("Now on the sandbox: sample images, no credits used." + more)
        else:
            banner.show_info(f"Now on Live ({redact(new.api_key)}): jobs go to {new.api_url} and use credits." + more)

    async def aclose(self) -> None:
        """Cancel every task, close the HTTP client and the journal, then let the window close."""
        if self.closed:
            return
        self.closed = True
        if self._switch_task is not None and not self._switch_task.done():
            await asyncio.gather(self._switch_task, return_exceptions=True)
        self.rt.stop_sending()  # no new submission; the one on the wire is finished (core/jobs/submit.py)
        self.window.shut_down()
        await self.tasks.cancel_all()
        self.window.gallery_model.close()
        self.service.store.close()
        await self.rt.aclose()
        self.window.allow_close = True
        self.window.close()

    async def run(self, smoke: float | None = None, screenshot: str | None = None) -> int:
        self.start()
        if screenshot:
            QTimer.singleShot(int((smoke or 1.0) * 900), lambda: self._grab(screenshot))
        if smoke is not None:
            asyncio.get_running_loop().call_later(smoke, self.quit_requested.set)
        try:
            await self.quit_requested.wait()
        finally:
            await self.aclose()
        return 0

    def _grab(self, path: str) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.window.grab().save(path)


def initial_settings(base, key_state, mode: str, *, forced: bool = False):
    """The window's start: the sandbox when the environment forces it; else Live when a key is known
    and the user did not choose the sandbox last time; else the sandbox."""
    from desktop_app.config import with_mode

    if forced:
        return base
    live = bool(key_state.key) and mode != "sandbox"
    return with_mode(base, live=live, key=key_state.key, key_source=key_state.source,
                     keyring_problem=key_state.problem)


def _ssl_context():
    import httpx
    return httpx.create_ssl_context()


async def open_studio(base=None) -> Studio:
    """Build the window's Studio: the environment's settings, the key and the HTTPS certificates (both
    read in worker threads: the keyring may block, the certificates take long to load), the Live/Sandbox
    choice of last time. Raises InputError for a bad API URL."""
    from desktop_app.config import load_settings, sandbox_forced
    from desktop_app.credentials import KeyManager, KeyState
    from desktop_app.ui.common.prefs import Preferences

    base = base or load_settings(read_keyring=False)  # the environment only
    keys, prefs, forced = KeyManager(), Preferences(), sandbox_forced()
    certificates = asyncio.ensure_future(asyncio.to_thread(_ssl_context))
    if forced:  # no need to touch the keyring (the settings dialog reads it when opened)
        state = KeyState(base.api_key, "env") if base.key_source == "env" else KeyState("", "")
    else:
        state = await asyncio.to_thread(keys.load)  # Secret Service may block: never on the GUI thread
    settings = initial_settings(base, state, prefs.mode(), forced=forced)
    return Studio(settings, keys=keys, key_state=state, prefs=prefs, ssl_context=await certificates)


def _excepthook(exc_type, exc, tb) -> None:
    log.error("Unhandled exception", exc_info=(exc_type, exc, tb))
    sys.__excepthook__(exc_type, exc, tb)


def run_studio(shell, smoke: float | None = None, screenshot: str | None = None) -> int:
    """The window behind its painted ``shell`` (:mod:`.gui`): the event loop, the settings, the services and
    the main window, which takes the shell's place; returns the process exit code."""
    import qasync

    from desktop_app.config import load_settings
    from desktop_app.core.validation import InputError
    from desktop_app.logs import setup_logging

    setup_logging()
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl+C in a terminal ends the app at once
    sys.excepthook = _excepthook
    try:
        base = load_settings(read_keyring=False)  # the environment only; the keyring is read off-thread below
    except InputError as exc:
        print(f"error: {exc.code}: {exc.message}", file=sys.stderr)
        return 2

    async def amain() -> int:
        from desktop_app.store.datadir import DataDirError
        try:
            studio = await open_studio(base)
        except DataDirError as exc:  # explained in a dialog, never a crash
            print(f"error: {exc.code}: {exc.message}", file=sys.stderr)
            shell.close()
            from desktop_app.ui.main.data_dir_dialog import explain_data_dir
            return await explain_data_dir(exc, close_after=smoke)
        if shell.abandoned:  # closed while starting: nothing was shown or resumed yet
            await studio.aclose()
            return 0
        shell.hand_over(studio.window)
        return await studio.run(smoke, screenshot)

    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        return runner.run(amain())
