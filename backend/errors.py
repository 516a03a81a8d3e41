"""The one exception type that reaches the user as a sentence."""


class ClaroError(Exception):
    """Bad input or an impossible request: the message is one sentence saying what was wrong
    and what to do. The command line prints it and exits with code 2."""
