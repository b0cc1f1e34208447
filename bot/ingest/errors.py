"""The one exception type callers need to catch."""


class IngestError(Exception):
    """Input the ingester refuses to guess about.

    Every message names the offending file so a reviewer can fix the source or
    the manifest without reading a traceback.
    """
