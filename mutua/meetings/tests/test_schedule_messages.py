"""Every error code the schedule module can raise has its own message (never the generic fallback)."""

import pytest
from django.utils import translation

from mutua.meetings.schedule import ERROR_CODES
from mutua.meetings.texts import GENERIC, schedule_error_message


@pytest.mark.parametrize("code", ERROR_CODES)
def test_each_code_has_its_own_message(code):
    assert schedule_error_message(code) != str(GENERIC)


@pytest.mark.parametrize("lang", ["es", "it", "ca"])
def test_the_messages_are_translated(lang):
    english = {code: schedule_error_message(code) for code in ERROR_CODES}
    with translation.override(lang):
        for code in ERROR_CODES:
            assert schedule_error_message(code) != english[code], (lang, code)
