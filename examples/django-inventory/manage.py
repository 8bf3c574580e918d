#!/usr/bin/python3
"""Django's command-line utility (`/usr/bin/python3 manage.py check`); serve.py runs the server."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inventory_project.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
