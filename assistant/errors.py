"""The small error hierarchy. Raised deep with precise messages; worded for users only in the CLI and UI."""


class AssistantError(Exception):
    """Base class for every error the assistant raises on purpose."""


class InputError(AssistantError):
    """The caller gave something unusable: an empty question, a bad option value."""


class IngestError(AssistantError):
    """One source file could not be read. The build skips it and goes on."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class IndexMissingError(AssistantError):
    """No index at the given directory and no corpus to build one from."""


class IndexIncompatibleError(AssistantError):
    """The index on disk was built with another schema or embedder than the one asked for."""


class IndexBusyError(AssistantError):
    """Another process is building the same index."""


class NotCoveredError(AssistantError):
    """The documents do not cover what was asked for (a briefing topic); closest names the nearest documents."""

    def __init__(self, message: str, closest: tuple[str, ...] = ()):
        super().__init__(message)
        self.closest = closest
