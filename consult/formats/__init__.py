"""Date formats of the site's own (``FORMAT_MODULE_PATH``)."""
