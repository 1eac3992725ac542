"""The job state machine and the publish state machine (and the submission one) — decided here and nowhere else.

The three state machines the journal keeps, each with the one table of its allowed transitions: a job at the
service (:class:`JobStatus`), a submission to the service (:class:`IntentState`, "intent" in the journal) and a
publish to Amazon (:class:`PublishState`). The values are the strings the journal and ``--json`` carry.

A transition not in the table raises :class:`IllegalTransition`; staying in the same state (new details, such
as a job's progress or a publish's issues) is always allowed.
"""

from __future__ import annotations

from enum import StrEnum


class IllegalTransition(ValueError):
    def __init__(self, machine: str, old: str, new: str) -> None:
        super().__init__(f"a {machine} cannot go from {old!r} to {new!r}")
        self.old, self.new = old, new


class _Machine(StrEnum):
    def allows(self, new: str) -> bool:
        return new == self or new in _NEXT[type(self)][self]

    def check(self, new: str) -> "_Machine":
        """``new`` as a member, if this state may become it; raises :class:`IllegalTransition` otherwise."""
        if not self.allows(new):
            raise IllegalTransition(_NAMES[type(self)], str(self), str(new))
        return type(self)(new)

    @property
    def final(self) -> bool:
        return not _NEXT[type(self)][self]


class JobStatus(_Machine):
    """A generation job, as the service reports it."""
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


class IntentState(_Machine):
    """A submission: written before the POST is sent, settled by its answer or by reconciliation."""
    SENDING = "sending"          # written before the POST; stays if the process dies mid-request
    AMBIGUOUS = "ambiguous"      # the POST's outcome is unknown: reconcile before anything else
    ACCEPTED = "accepted"        # the job id is journalled
    REFUSED = "refused"          # the API said no: no job, no charge
    NOT_CREATED = "not_created"  # reconciled: the service holds no job for it


class PublishState(_Machine):
    """A publish to Amazon: recorded (with the slots before it) before anything is sent."""
    PREVIEWING = "previewing"    # recorded before the VALIDATION_PREVIEW request
    INVALID = "invalid"          # the preview (or the real request) said INVALID: nothing applied
    VALID = "valid"              # --validate-only: the preview passed, nothing sent
    SENDING = "sending"          # the real request is on its way (a crash here leaves "sending")
    ACCEPTED = "accepted"        # Amazon accepted it: submitted, not yet live
    LIVE = "live"                # Amazon serves the new images
    OTHER_SHOWN = "other_shown"  # processed, but Amazon shows another contributor's main image to shoppers
    REFUSED = "refused"          # not applied: Amazon refused, or never got, the request (the error code kept)
    UNKNOWN = "unknown"          # the real request's answer was lost: re-read the listing before retrying
    UNDONE = "undone"            # a later undo put the previous slots back


J, I, P = JobStatus, IntentState, PublishState
_NEXT: dict[type, dict] = {
    JobStatus: {
        J.PENDING: {J.PROCESSING, J.COMPLETED, J.FAILED},
        J.PROCESSING: {J.COMPLETED, J.FAILED},
        J.COMPLETED: set(),
        J.FAILED: set(),
    },
    IntentState: {
        I.SENDING: {I.AMBIGUOUS, I.ACCEPTED, I.REFUSED, I.NOT_CREATED},
        I.AMBIGUOUS: {I.ACCEPTED, I.REFUSED, I.NOT_CREATED},
        I.ACCEPTED: set(),
        I.REFUSED: set(),
        I.NOT_CREATED: set(),
    },
    PublishState: {
        P.PREVIEWING: {P.INVALID, P.VALID, P.SENDING, P.REFUSED, P.UNKNOWN},
        P.SENDING: {P.ACCEPTED, P.INVALID, P.REFUSED, P.UNKNOWN, P.LIVE, P.OTHER_SHOWN},
        P.UNKNOWN: {P.ACCEPTED, P.LIVE, P.OTHER_SHOWN, P.REFUSED},
        P.ACCEPTED: {P.LIVE, P.OTHER_SHOWN, P.UNDONE},
        P.OTHER_SHOWN: {P.LIVE, P.UNDONE},
        P.LIVE: {P.UNDONE},
        P.INVALID: set(),
        P.VALID: set(),
        P.REFUSED: set(),
        P.UNDONE: set(),
    },
}
_NAMES = {JobStatus: "job", IntentState: "submission", PublishState: "publish"}
