"""The one normal form of an email address, used for storage, lookup and throttling alike.

An address is stored, looked up (`UserManager.get_by_natural_key`, sign-up, password reset, login,
admin user creation) and counted by the throttles only in this form, and compared by exact equality.
Case-insensitive lookups (`iexact`) are not used: Python and PostgreSQL fold case differently (in
PostgreSQL `UPPER('ı')` is `'I'`, while Python leaves a dotless ı alone), so a look-alike address could
reach an account while being counted by the throttle as another address.

The normal form is NFKC (full-width ｅｘａｍｐｌｅ becomes example, ligatures and compatibility characters
are unfolded), then casefold (the Unicode caseless form, stronger than lower()), then NFKC again
(casefolding can leave a string that is not NFKC), without surrounding whitespace. Casefold maps İ to
"i" followed by a combining dot, and keeps ı as it is: neither becomes a plain "i", so an address written
with them is simply another address (Django's email validator refuses non-ASCII local parts at sign-up).

Whitespace left *inside* an address after normalising is refused, not removed: "ma ria@example.org" is
not a typo we can safely repair (removing it could aim at someone else's account), and no stored
address contains any, so such input never matches an account.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def normalize_email(value: str) -> str:
    """NFKC, casefold, NFKC, strip. Total: never raises, so lookups and throttles can always use it."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", value).casefold())
    return folded.strip()


def check_email(value: str) -> str:
    """The normal form of an address about to be stored; refuses whitespace inside it."""
    email = normalize_email(value)
    if any(ch.isspace() for ch in email):
        raise ValidationError(_("An email address cannot contain spaces."), code="email_whitespace")
    return email
