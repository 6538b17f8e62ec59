"""The browser fixtures (`browser`, `phone_page`) live in `cchc/conftest.py` so that every app's
browser tests share one Chromium; `assert_accessible` lives in `cchc/testing.py`.

Re-exported here only for browser tests written against its old place (work in progress on other
branches); import it from `cchc.testing`."""

from cchc.testing import assert_accessible  # noqa: F401
