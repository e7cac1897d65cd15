from django.urls import path

from mutua.matching import views

app_name = "matching"

urlpatterns = [
    path("find/", views.find, name="find"),
    path("find/withdraw/", views.withdraw, name="withdraw"),
    path("find/proposals/<str:code>/", views.proposal, name="proposal"),
    path("find/proposals/<str:code>/decline/", views.proposal_decline, name="proposal_decline"),
]
