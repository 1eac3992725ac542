"""The seller's own marks on jobs, kept with the window's preferences (the journal keeps every job whatever
the seller hides): the jobs removed from the list, and the folder a job's approved images were last exported to.
"""

from __future__ import annotations


class JobMarks:
    def __init__(self, prefs) -> None:
        self.qs = prefs.qs   # the Preferences' QSettings (read once from disk, then from memory)

    def _list(self, key: str) -> list[str]:
        value = self.qs.value(key, [])
        if isinstance(value, str):
            return [value] if value else []
        return [str(v) for v in value] if isinstance(value, list) else []

    def hidden(self) -> set[str]:
        return set(self._list("jobs/hidden"))

    def set_hidden(self, job_id: str, hidden: bool) -> None:
        jobs = self.hidden()
        jobs = jobs | {job_id} if hidden else jobs - {job_id}
        self.qs.setValue("jobs/hidden", sorted(jobs))
        self.qs.sync()

    def exported(self) -> dict[str, str]:
        self.qs.beginGroup("jobs_exported")
        try:
            return {key: str(self.qs.value(key, "")) for key in self.qs.childKeys()}
        finally:
            self.qs.endGroup()

    def set_exported(self, job_id: str, folder: str) -> None:
        """Kept in memory at once; written to disk by QSettings' own deferred sync (or with the export folder
        just after): not one more flush of the file to disk on the GUI thread as each export ends."""
        self.qs.setValue(f"jobs_exported/{job_id}", folder)
