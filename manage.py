#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consult.settings")
    from django.conf import settings  # noqa: PLC0415 -- after the env default
    from django.core.exceptions import ImproperlyConfigured  # noqa: PLC0415
    from django.core.management import execute_from_command_line  # noqa: PLC0415

    try:
        # Read the settings now so that a bad environment value stops start-up
        # with its own message rather than a traceback.
        _ = settings.INSTALLED_APPS
    except ImproperlyConfigured as exc:
        sys.exit(f"Configuration error: {exc}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
