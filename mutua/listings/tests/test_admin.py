"""The admin: import again from a source's URL (an action), import a file (a form), listings read-only."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import client_for
from mutua.listings.models import ExternalListing, Source
from mutua.listings.services import listings_import

from .conftest import CSV_SAMPLE


def test_the_action_imports_again_from_the_sources_url(personas, source, feed_server, sample_bytes):
    feed_server.routes["/feed.json"] = (200, sample_bytes, {})
    source.url = feed_server.url("/feed.json")
    source.save()
    no_url = Source.objects.create(name="No address", slug="no-address", default_timezone="UTC")
    client = client_for(personas["staff"])
    response = client.post(
        reverse("admin:listings_source_changelist"),
        {"action": "import_again", "_selected_action": [source.pk, no_url.pk]},
        follow=True,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Area 83 Ontario: 45 records: 45 created" in body
    assert "No address has no feed address." in body
    assert ExternalListing.objects.filter(source=source).count() == 45
    assert feed_server.hits == ["/feed.json"]


def test_the_action_reports_a_broken_feed_and_keeps_the_listings(
    personas, source, feed_server, sample_records
):
    listings_import(source=source, records=sample_records)
    feed_server.routes["/feed.json"] = (200, b"<html>maintenance</html>", {})
    source.url = feed_server.url("/feed.json")
    source.save()
    response = client_for(personas["staff"]).post(
        reverse("admin:listings_source_changelist"),
        {"action": "import_again", "_selected_action": [source.pk]},
        follow=True,
    )
    assert "not valid JSON" in response.content.decode()
    assert ExternalListing.objects.filter(source=source).count() == 45


def test_a_file_is_imported_through_the_admin_form(personas, source):
    client = client_for(personas["staff"])
    change = client.get(reverse("admin:listings_source_change", args=[source.pk])).content.decode()
    url = reverse("admin:listings_source_import_file", args=[source.pk])
    assert url in change
    assert client.get(url).status_code == 200
    upload = SimpleUploadedFile("meetings.csv", CSV_SAMPLE.read_bytes(), content_type="text/csv")
    response = client.post(url, {"file": upload}, follow=True)
    body = response.content.decode()
    assert "6 records: 4 created" in body
    assert "broken-day" in body and "[invalid_day]" in body
    assert ExternalListing.objects.filter(source=source).count() == 4
    source.refresh_from_db()
    assert (source.file_name, source.feed_format) == ("meetings.csv", "csv")


def test_a_malformed_file_shows_the_error_and_imports_nothing(personas, source):
    client = client_for(personas["staff"])
    url = reverse("admin:listings_source_import_file", args=[source.pk])
    upload = SimpleUploadedFile("feed.json", b'{"not": "a list"}', content_type="application/json")
    response = client.post(url, {"file": upload})
    assert response.status_code == 400
    assert "A Meeting Guide feed is a list of meetings" in response.content.decode()
    assert ExternalListing.objects.count() == 0


def test_the_import_form_is_for_staff_past_their_second_factor_only(personas, source):
    url = reverse("admin:listings_source_import_file", args=[source.pk])
    for who in ("member", "outsider"):
        response = client_for(personas[who]).get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert client_for(None).post(url, {}).status_code == 302
    assert client_for(personas["staff"]).get(url.replace(str(source.pk), "99999")).status_code == 404


def test_listings_are_read_only_in_the_admin(personas, source, sample_records):
    listings_import(source=source, records=sample_records)
    client = client_for(personas["staff"])
    listing = ExternalListing.objects.get(slug="8")
    changelist = reverse("admin:listings_externallisting_changelist")
    assert "Tweed Group" in client.get(changelist).content.decode()
    assert client.get(changelist, {"source__id__exact": source.pk}).status_code == 200
    page = client.get(reverse("admin:listings_externallisting_change", args=[listing.pk]))
    assert page.status_code == 200 and 'name="name"' not in page.content.decode()
    assert (
        client.post(
            reverse("admin:listings_externallisting_change", args=[listing.pk]), {"name": "X"}
        ).status_code
        == 403
    )
    assert client.get(reverse("admin:listings_externallisting_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:listings_externallisting_delete", args=[listing.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    listing.refresh_from_db()
    assert listing.name == "Tweed Group"


def test_every_listings_admin_page_answers_and_names_no_person_with_a_group(personas, source, sample_records):
    """The site-wide privacy walk (core/tests/test_admin_privacy.py) has no listings to visit; this
    walks the listings admin pages with data in them, in the same way."""
    from django.contrib import admin

    from mutua.core.tests.test_admin_privacy import Walker

    listings_import(source=source, records=sample_records)
    circle = personas["circle"]
    people = [personas[k] for k in ("member", "waiting", "former", "outsider")]
    world = {
        "person_ids": {p.email for p in people} | {p.display_name for p in people},
        "group_ids": {circle.code, circle.name},
        "group_names_codes": {circle.code, circle.name},
        "display_names": {p.display_name for p in people},
    }
    walker = Walker(client_for(personas["staff"]), world)
    for model in (Source, ExternalListing):
        walker.walk_model(model, admin.site._registry[model])
    assert walker.visited > 150
    assert walker.leaks == []


def test_staff_who_may_only_view_sources_cannot_import_a_file(make_user, source):
    from django.contrib.auth.models import Permission

    viewer = make_user(is_staff=True)
    viewer.user_permissions.set(
        Permission.objects.filter(codename__in=["view_source", "view_externallisting"])
    )
    client = client_for(type(viewer).objects.get(pk=viewer.pk))
    url = reverse("admin:listings_source_import_file", args=[source.pk])
    assert client.get(reverse("admin:listings_source_change", args=[source.pk])).status_code == 200
    assert client.get(url).status_code == 404
    upload = SimpleUploadedFile("meetings.csv", CSV_SAMPLE.read_bytes(), content_type="text/csv")
    assert client.post(url, {"file": upload}).status_code == 404
    assert ExternalListing.objects.count() == 0
