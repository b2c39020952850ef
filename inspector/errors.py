"""The exceptions the product raises for a user's mistake.

Everything derived from :class:`InspectorError` is a *refused input*: the command line prints
``str(error)`` on one line and exits 1, the window shows it in a message box. Anything else that
escapes is a bug and is allowed to show a traceback.

Each error names the place it is about (``where``): a file and line, a sheet and cell, an item id,
a bundle member. ``str()`` joins the place and the message so that the one line says both.
"""

from __future__ import annotations


class InspectorError(Exception):
    """A user's input was refused; nothing was changed."""

    def __init__(self, message: str, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class RubricError(InspectorError):
    """A rubric file or workbook is malformed or its arithmetic does not hold."""


class ObservationError(InspectorError):
    """An observation does not fit its item's rule."""


class NotFoundError(InspectorError):
    """An id names nothing that is stored."""


class StoreError(InspectorError):
    """The data folder cannot be used as asked (read-only, full, newer schema, conflict)."""


class UsageError(InspectorError):
    """An answers file or argument has the wrong shape."""


class SigningError(InspectorError):
    """A key, certificate or passphrase cannot be used to sign (wrong passphrase, expired, revoked)."""


class WrongPassphrase(SigningError):
    """A credential does not open with the passphrase given (the caller knows which key it was)."""


class VerificationError(InspectorError):
    """A signed file or revocation list cannot be checked at all (unreadable, not issued by the CA)."""


class DispatchError(InspectorError):
    """A random dispatch cannot form a team that keeps every rule; the message says which rule blocks."""


class BundleError(InspectorError):
    """A sync bundle is refused (malformed, altered, forged, not for this folder).

    ``where`` names the member (and line) that breaks the rule.
    """
