from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    """A group governs itself (P5): its own agreements, proposals and decisions, join requests,
    rotating roles. No member has power over another."""

    name = "mutua.governance"
    label = "governance"
    verbose_name = _("Self-government")
