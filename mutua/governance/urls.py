"""Under `groups/<str:code>/decisions/` (mutua/urls.py): the group's proposals and decisions. A proposal
is named by its random code."""

from django.urls import path

from mutua.governance import views

app_name = "governance"

urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("new/", views.proposal_new, name="new"),
    path("<str:proposal>/", views.proposal_detail, name="proposal"),
    # The same page under a second name, for the agreements pages' links (`governance:detail`); the
    # first pattern always answers, this one only serves `reverse`.
    path("<str:proposal>/", views.proposal_detail, name="detail"),
    path("<str:proposal>/stance/", views.stance, name="stance"),
    path("<str:proposal>/comment/", views.comment, name="comment"),
    path("<str:proposal>/withdraw/", views.withdraw, name="withdraw"),
    path("<str:proposal>/outcome/", views.outcome, name="outcome"),
]
