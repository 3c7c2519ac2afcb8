"""The one exception a user's mistake raises: :class:`ConfigError`."""

from __future__ import annotations


class ConfigError(ValueError):
    """A config, a flag, a data file or a session is wrong.

    ``key`` names what is wrong (``"optimizer.lr"``, ``"data.path"``), ``problem`` says what is wrong and what
    is allowed; ``str(error)`` is the one line shown to the user.
    """

    def __init__(self, key: str, problem: str):
        self.key = key
        self.problem = problem
        super().__init__(f"{key}: {problem}" if key else problem)
