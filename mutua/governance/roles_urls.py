"""Under `groups/<str:code>/roles/` (mutua/urls.py). A meeting is named by its key, as in the meetings
pages (`20261208T1800Z`); a key or a role that does not exist is a 404."""

from django.urls import path

from mutua.governance import roles_views as views

app_name = "roles"

urlpatterns = [
    path("", views.roles_page, name="page"),
    path("volunteer/", views.volunteer, name="volunteer"),
    path("<str:key>/<str:role>/accept/", views.accept, name="accept"),
    path("<str:key>/<str:role>/decline/", views.decline, name="decline"),
    path("<str:key>/<str:role>/swap/", views.swap, name="swap"),
]
