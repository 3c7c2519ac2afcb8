"""The one exception a user's mistake raises: :class:`ConfigError`."""

from __future__ import annotations

#: Characters that would break the message's one line (str.splitlines splits at each), shown escaped instead.
_ONE_LINE = str.maketrans({c: repr(c)[1:-1] for c in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"})


class ConfigError(ValueError):
    """A config, a flag, a data file or a session is wrong.

    ``key`` names what is wrong (``"optimizer.lr"``, ``"data.path"``), ``problem`` says what is wrong and what
    is allowed; ``str(error)`` is the one line shown to the user (a line break inside a quoted value or a file
    name is shown escaped, as ``\\n``).
    """

    def __init__(self, key: str, problem: str):
        self.key = key
        self.problem = problem
        super().__init__((f"{key}: {problem}" if key else problem).translate(_ONE_LINE))
