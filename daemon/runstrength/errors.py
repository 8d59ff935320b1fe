"""Errors a user can act on. Each carries the message the CLI prints, with no secrets in it.

RunstrengthError                      exit code 1 unless said otherwise
 ├── ConfigError                      a setting is missing or malformed (names the variable)
 ├── AuthError                        tokens missing, revoked or invalid: re-run an auth command
 ├── AppInactiveError                 Strava API app inactive (403 Status/Inactive) or scope missing
 ├── TryLaterError                    rate limit or outage: exit code 75 (EX_TEMPFAIL), resume later
 ├── SourceError                      an unexpected answer from a source
 └── DeliveryError                    email or webhook could not be sent
"""

from __future__ import annotations

from datetime import datetime

EXIT_TRY_LATER = 75  # sysexits.h EX_TEMPFAIL: "try again later"


class RunstrengthError(Exception):
    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(RunstrengthError):
    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


class AuthError(RunstrengthError):
    pass


class AppInactiveError(RunstrengthError):
    pass


class TryLaterError(RunstrengthError):
    exit_code = EXIT_TRY_LATER

    def __init__(self, message: str, retry_at: datetime | None = None) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class SourceError(RunstrengthError):
    pass


class DeliveryError(RunstrengthError):
    pass
