from django.urls import path

from mutua.care import views

app_name = "care"

urlpatterns = [path("help/", views.crisis, name="crisis")]
