"""The admin site host staff use (DESIGN §2): taxonomy, places, agreements, pledge, crisis lines,
matching runs and accounts — but never who belongs to which group, and only past a second factor.

Two rules hold for every ModelAdmin registered here, Django's and third-party ones included, so a
new admin cannot forget them:

- The query string may cross a relation only through a filter the ModelAdmin declares. Django
  otherwise accepts any one-step relation lookup, and `/admin/accounts/user/?memberships=<id>`
  next to `/admin/circles/circle/?memberships=<id>` would rebuild a roster one id at a time.
- A delete confirmation lists the objects being deleted and, for everything that goes with them,
  only a count per model. Django's default would list a person's memberships, pseudonyms,
  proposals and consent records.
"""

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin.utils import NestedObjects
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import FieldDoesNotExist
from django.db import router
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

if TYPE_CHECKING:
    # For mypy the mixin is a ModelAdmin (it only ever runs as one); at run time it stays a plain
    # mixin, so that `register` can put it in front of any admin class.
    _ModelAdminBase = admin.ModelAdmin[Any]
else:
    _ModelAdminBase = object


class PrivateAdminMixin(_ModelAdminBase):
    """Mixed into every ModelAdmin by `MutuaAdminSite.register`."""

    def _declared_filters(self, request: HttpRequest) -> set[str]:
        names = {self.date_hierarchy} if self.date_hierarchy else set()
        for item in self.get_list_filter(request):
            if isinstance(item, str):
                names.add(item.split(LOOKUP_SEP, 1)[0])
            elif isinstance(item, (list, tuple)):
                names.add(str(item[0]).split(LOOKUP_SEP, 1)[0])
        return names

    def lookup_allowed(self, lookup: str, value: Any, request: HttpRequest) -> bool:
        first = lookup.split(LOOKUP_SEP, 1)[0]
        if first not in self._declared_filters(request):
            try:
                field = self.model._meta.get_field(first)
            except FieldDoesNotExist:
                field = None
            if field is not None and field.is_relation:
                return False
        return bool(super().lookup_allowed(lookup, value, request))

    def get_deleted_objects(
        self, objs: Any, request: HttpRequest
    ) -> tuple[list[Any], dict[str, int], set[str], list[str]]:
        _deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        own = [format_html("{}: {}", capfirst(self.opts.verbose_name), obj) for obj in objs]
        if protected:
            collector = NestedObjects(using=router.db_for_write(self.model))
            collector.collect(list(objs))
            counts = Counter(capfirst(str(obj._meta.verbose_name_plural)) for obj in collector.protected)
            protected = [format_html("{}: {}", name, n) for name, n in sorted(counts.items())]
        return own, model_count, perms_needed, protected


class MutuaAdminSite(admin.AdminSite):
    site_header = _("Mutua host administration")
    site_title = _("Mutua host administration")

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, PrivateAdminMixin):
            admin_class = type(
                admin_class.__name__,
                (PrivateAdminMixin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)

    def has_permission(self, request: HttpRequest) -> bool:
        """Active staff who have confirmed a second factor in this session (django-otp)."""
        user = request.user
        return bool(super().has_permission(request) and getattr(user, "is_verified", lambda: False)())

    # The admin's login (the one login form, then the staff's second factor) lives in accounts, above
    # core: accounts plugs it in when the app registry is ready (accounts/apps.py), so core imports
    # nothing above it. Until then there is no way in.
    login_view: Callable[[HttpRequest], HttpResponse] | None = None

    @method_decorator(never_cache)
    @login_not_required
    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if self.login_view is None:
            raise Http404
        return self.login_view(request)
