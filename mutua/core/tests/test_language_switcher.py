"""The header's language switcher names each language in itself, marked with its language."""

import re

from django.test import Client


def test_switcher_names_each_language_in_itself_whatever_the_page_language(db):
    for page_language in ("en", "es", "it", "ca"):
        html = Client().get("/about/", headers={"accept-language": page_language}).content.decode()
        assert f'<html lang="{page_language}">' in html
        select = re.search(r'<select id="lang-select".*?</select>', html, re.S).group(0)
        options = re.findall(r'<option value="(\w+)" lang="(\w+)"(?: selected)?>([^<]+)</option>', select)
        assert [(code, lang, name) for code, lang, name in options] == [
            ("en", "en", "English"),
            ("es", "es", "Español"),
            ("it", "it", "Italiano"),
            ("ca", "ca", "Català"),
        ], page_language
        assert re.search(rf'<option value="{page_language}" lang="{page_language}" selected>', select)
