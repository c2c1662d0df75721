class ImportFileError(ValueError):
    """The whole file cannot be read: the message says why, in plain words."""
