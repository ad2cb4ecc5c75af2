#!/usr/bin/env python
"""Convenience wrapper; the installed console script `bridgework` does the same."""

from bridgework.manage import main

if __name__ == "__main__":
    main()
