"""The `bridgework` console script: Django's manage.py, installed on the PATH."""

import os
import sys

__all__ = ["main"]


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridgework.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
