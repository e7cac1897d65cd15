from django.urls import path

from mutua.circles import views

app_name = "circles"

urlpatterns = [
    path("groups/", views.directory, name="directory"),
    path("groups/new/", views.create, name="create"),
    path("groups/<str:code>/", views.public_page, name="public"),
    path("groups/<str:code>/join/", views.join, name="join"),
    path("groups/<str:code>/home/", views.home, name="home"),
    path("groups/<str:code>/status/", views.status, name="status"),
    path("groups/<str:code>/leave/", views.leave, name="leave"),
    path("groups/<str:code>/seat/accept/", views.seat_accept, name="seat_accept"),
    path("groups/<str:code>/seat/decline/", views.seat_decline, name="seat_decline"),
    path("groups/<str:code>/consent/", views.consent, name="consent"),
    path("groups/<str:code>/pseudonym/", views.pseudonym, name="pseudonym"),
    path("groups/<str:code>/welcome/", views.welcome, name="welcome"),
    path("groups/<str:code>/requests/", views.requests, name="requests"),
    path("groups/<str:code>/requests/<str:ref>/", views.request_answer, name="request_answer"),
    path("groups/<str:code>/request/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("me/groups/", views.mine, name="mine"),
]
