from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mutua.circles.forms import DirectoryForm
from mutua.core.access import public


@public
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"form": DirectoryForm()})


@public
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "core/about.html")


@public
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
