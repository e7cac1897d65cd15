"""P7 in the admin: host staff run the instance but must not learn who is in which group (DESIGN §2).

The walk below visits every page of every registered ModelAdmin — changelist, every link the
changelist offers (filters, sorting, pages), a search for every person and every group, a
query-string filter on every relation, the change, history and delete pages of every object, the
bulk-delete confirmation and the autocomplete endpoint of every relation field — as a staff member
with every permission and as a superuser, both past their second factor. No page may name a person
(display name or email) together with a group (name, code or a pseudonym used in it)."""

import html
import re
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import models
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from conftest import client_for, join
from mutua.circles import services as circle_services
from mutua.circles.models import Circle, Membership, MembershipStatus
from mutua.core.models import AuditEvent
from mutua.matching import services as matching_services
from mutua.matching.models import GroupOffer, Proposal

EVENINGS = [d * 24 + h for d in range(5) for h in (18, 19, 20)]

# Distinctive identities so that a match in a page can only mean the thing itself.
PEOPLE = {
    "founder": ("Ottoline Quenby", "ottoline.quenby@walk.test"),
    "member": ("Barnaby Ashdown", "barnaby.ashdown@walk.test"),
    "waiting": ("Clementine Wolsey", "clementine.wolsey@walk.test"),
    "former": ("Desmond Pryce", "desmond.pryce@walk.test"),
}
MATCHED = [
    ("Rosalind Tremayne", "rosalind.tremayne@walk.test"),
    ("Leopold Carrow", "leopold.carrow@walk.test"),
    ("Imogen Talbot", "imogen.talbot@walk.test"),
    ("Fergus Hallam", "fergus.hallam@walk.test"),
    ("Philippa Dunmore", "philippa.dunmore@walk.test"),
    ("Tobias Wakeling", "tobias.wakeling@walk.test"),
]


def _rename(user: Any, name: str, email: str) -> None:
    type(user).objects.filter(pk=user.pk).update(display_name=name, email=email)
    user.refresh_from_db()


@pytest.fixture
def world(personas, make_user, make_circle, content, django_capture_on_commit_callbacks):
    """The conftest personas (a full group with waiting and former members) renamed to distinctive
    identities, a second group the member also belongs to, a seat offer accepted after someone left,
    and a group formed by matching with one proposal still pending. Every audit row comes from the
    real services."""
    circle = personas["circle"]
    Circle.objects.filter(pk=circle.pk).update(name="Quillwort Harbour Circle")
    founder = Membership.objects.get(circle=circle, pseudonym="Founder").user
    people = {"founder": founder, **{k: personas[k] for k in ("member", "waiting", "former")}}
    for key, user in people.items():
        _rename(user, *PEOPLE[key])
    others = list(
        Membership.objects.filter(circle=circle)
        .exclude(user__in=people.values())
        .select_related("user")
        .order_by("pk")
    )
    for i, m in enumerate(others):
        _rename(m.user, f"Grizelda Penhallow{'ABCDEFG'[i]}", f"grizelda{i}.penhallow@walk.test")
        Membership.objects.filter(pk=m.pk).update(pseudonym=f"Sandpiper{'ABCDEFG'[i]}")

    second = make_circle(founder=personas["member"], name="Marigold Lantern Group", pseudonym="Lapwing")
    # Someone leaves the full group: the waiting person is offered the seat and accepts it; then a
    # new person lands on the waiting list.
    circle_services.membership_leave(circle=circle, user=others[0].user)
    circle_services.seat_accept(circle=circle, user=personas["waiting"])
    late = make_user()
    _rename(late, "Horatio Blenkinsop", "horatio.blenkinsop@walk.test")
    join(circle, late, "Curlew")
    join(second, late, "Dunlin")

    staff = personas["staff"]
    matched = []
    for name, email in MATCHED:
        user = make_user()
        _rename(user, name, email)
        matching_services.interest_save(
            user=user,
            experience=content["alcohol"],
            other_experiences=[],
            languages=["es"],
            timezone_name="Europe/Madrid",
            availability=EVENINGS,
            mode="online",
            place=None,
            max_travel_km=20,
            women_only=False,
            is_woman=False,
        )
        matched.append(user)
    with django_capture_on_commit_callbacks(execute=True):
        matching_services.run_create(staff=staff)
    offer = GroupOffer.objects.get()
    for i, user in enumerate(matched[:5]):
        matching_services.proposal_accept(
            user=user,
            offer_code=offer.code,
            pseudonym=f"Godwit{'ABCDE'[i]}",
            confirms_experience=True,
            accepts_pledge=True,
            pledge_version=content["pledge"].version,
        )
    formed = GroupOffer.objects.get().circle
    assert formed is not None and formed.member_count == 5
    assert Proposal.objects.filter(user=matched[5], status="pending").exists()

    # A background task whose arguments name a person and a group, as a mail task might.
    DBTaskResult.objects.create(
        args_kwargs={"args": [PEOPLE["member"][1], circle.code], "kwargs": {}},
        priority=0,
        task_path="mutua.example.notify",
        queue_name="default",
        backend_name="default",
        run_after="2030-01-01T00:00:00Z",
        exception_class_path="",
        traceback=f"ValueError: {PEOPLE['member'][0]} in {circle.code}",
        return_value={"user": PEOPLE["member"][1], "group": circle.code},
    )

    circles = list(Circle.objects.all())
    assert len(circles) == 3
    group_names_codes = set()
    for c in circles:
        group_names_codes |= {c.name, c.code}
    pseudonyms = set(
        Membership.objects.exclude(pseudonym__in=["Founder"]).values_list("pseudonym", flat=True)
    ) | set(Proposal.objects.exclude(pseudonym="").values_list("pseudonym", flat=True))
    pseudonyms = {p for p in pseudonyms if not re.fullmatch(r"P\d+", p)}
    assert {"Kestrel", "Heron", "Wren", "Lapwing", "Curlew", "GodwitA"} <= pseudonyms
    group_ids = group_names_codes | pseudonyms
    in_groups = type(staff).objects.filter(memberships__isnull=False).distinct()
    assert in_groups.count() >= 12
    person_ids = set()
    display_names = set()
    for user in [*in_groups, *matched]:
        assert "walk.test" in user.email, "every person in a group has a distinctive identity"
        person_ids |= {user.display_name, user.email}
        display_names.add(user.display_name)
    assert AuditEvent.objects.filter(circle__isnull=False).count() >= 15
    assert {
        "seat.offered",
        "seat.accepted",
        "membership.left",
        "membership.waiting",
        "circle.created",
    } <= set(AuditEvent.objects.values_list("action", flat=True))
    return {
        "circle": circle,
        "second": second,
        "formed": formed,
        "people": {**people, "late": late},
        "matched": matched,
        "person_ids": person_ids,
        "display_names": display_names,
        "group_ids": group_ids,
        "group_names_codes": group_names_codes,
        "staff": staff,
    }


def staff_with_every_permission(make_user: Any) -> Any:
    user = make_user(is_staff=True)
    user.user_permissions.set(Permission.objects.all())
    return type(user).objects.get(pk=user.pk)


def pairing(body: str, person_ids: set[str], group_ids: set[str]) -> tuple[list[str], list[str]]:
    text = html.unescape(body)
    persons = sorted(p for p in person_ids if p in text)
    groups = sorted(g for g in group_ids if g in text)
    return (persons, groups) if persons and groups else ([], [])


def relation_fields(model: type[models.Model]) -> list[Any]:
    return [f for f in model._meta.get_fields() if f.is_relation]


class Walker:
    def __init__(self, client: Client, world: dict[str, Any]) -> None:
        self.client = client
        self.person_ids = world["person_ids"]
        self.group_ids = world["group_ids"]
        # Searched for: every person's name and email, every group's name and code.
        self.terms = sorted(world["person_ids"] | world["group_names_codes"])
        # Typed into autocompletes: empty (the first page of everything), every group, a few people.
        self.short_terms = ["", *sorted(world["group_names_codes"]), *sorted(world["display_names"])[:4]]
        self.visited = 0
        self.leaks: list[str] = []

    def check(self, label: str, response: Any) -> str:
        self.visited += 1
        assert response.status_code < 500, f"{label}: {response.status_code}"
        body = response.content.decode(errors="replace")
        persons, groups = pairing(body, self.person_ids, self.group_ids)
        if persons:
            self.leaks.append(f"{label}: {persons[:3]} with {groups[:3]}")
        return body

    def get(self, url: str, **params: Any) -> str:
        full = f"{url}?{urlencode(params, doseq=True)}" if params else url
        return self.check(f"GET {full}", self.client.get(full))

    def walk(self) -> None:
        site = admin.site
        self.get(reverse("admin:index"))
        apps = {model._meta.app_label for model in site._registry}
        for app_label in sorted(apps):
            self.get(reverse("admin:app_list", args=[app_label]))
        for model, model_admin in site._registry.items():
            self.walk_model(model, model_admin)

    def walk_model(self, model: type[models.Model], model_admin: Any) -> None:
        info = (model._meta.app_label, model._meta.model_name)
        changelist = reverse("admin:{}_{}_changelist".format(*info))
        body = self.get(changelist)
        # Every link the changelist offers: filters, sorting, date drill-down, pagination.
        links = set(re.findall(r'href="(\?[^"]*)"', body))
        for link in sorted(links):
            self.check(f"GET {changelist}{link}", self.client.get(changelist + html.unescape(link)))
        # Without search_fields the admin ignores `q` (the page equals the plain changelist).
        if model_admin.get_search_fields(None):
            for term in self.terms:
                self.get(changelist, q=term)
        # Any relation named in the query string, pointing at every row it could point at.
        for field in relation_fields(model):
            related = field.related_model
            if related is None:
                continue
            for pk in related._default_manager.values_list("pk", flat=True)[:6]:
                self.get(changelist, **{field.name: pk})
            if not field.auto_created or field.concrete:
                for term in self.short_terms:
                    self.get(
                        reverse("admin:autocomplete"),
                        app_label=info[0],
                        model_name=info[1],
                        field_name=field.name,
                        term=term,
                    )
        pks = list(model._default_manager.values_list("pk", flat=True))
        for pk in pks:
            for view in ("change", "history", "delete"):
                self.get(reverse("admin:{}_{}_{}".format(*info, view), args=[pk]))
        if pks:
            # The bulk "delete selected" confirmation page (without the final "post": yes).
            response = self.client.post(
                changelist, {"action": "delete_selected", "_selected_action": [str(pk) for pk in pks]}
            )
            self.check(f"POST {changelist} delete_selected", response)


@pytest.mark.parametrize("who", ["staff", "superuser"])
def test_no_admin_page_pairs_a_person_with_a_group(world, make_user, who):
    user = world["staff"] if who == "superuser" else staff_with_every_permission(make_user)
    assert user.is_superuser == (who == "superuser")
    walker = Walker(client_for(user), world)
    assert walker.client.get(reverse("admin:index")).status_code == 200
    walker.walk()
    print(who, walker.visited)
    assert walker.visited > 500
    assert walker.leaks == []


def test_the_audit_log_never_lists_a_roster(world):
    """Filtered by group, by person or searched by anything, the audit log names nobody."""
    client = client_for(world["staff"])
    changelist = reverse("admin:core_auditevent_changelist")
    circle = world["circle"]
    roster = {u.display_name for u in type(world["staff"]).objects.filter(memberships__circle=circle)} | {
        u.email for u in type(world["staff"]).objects.filter(memberships__circle=circle)
    }
    assert len(roster) >= 16
    queries: list[dict[str, Any]] = [
        {},
        {"circle": circle.pk},
        {"circle__id__exact": circle.pk},
        {"q": circle.code},
        {"q": "Quillwort"},
    ]
    for person in world["people"].values():
        queries += [{"actor": person.pk}, {"actor__id__exact": person.pk}, {"q": person.display_name}]
    for params in queries:
        response = client.get(changelist, params)
        body = html.unescape(response.content.decode())
        assert [name for name in roster if name in body] == [], params
        if response.status_code == 200 and {"circle", "circle__id__exact"} & set(params):
            assert circle.code in body, "the group's own events stay visible to staff"


def test_relation_lookups_in_the_query_string_are_refused(world):
    """`?memberships=<id>` on people and on groups would join the two halves of a roster across two
    pages; only filters a ModelAdmin declares may cross a relation."""
    client = client_for(world["staff"])
    for model, model_admin in admin.site._registry.items():
        declared = {
            f if isinstance(f, str) else getattr(f, "parameter_name", None) for f in model_admin.list_filter
        }
        declared |= {f[0] for f in model_admin.list_filter if isinstance(f, (list, tuple))}
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for field in relation_fields(model):
            if field.name in declared or field.related_model is None:
                continue
            pk = field.related_model._default_manager.values_list("pk", flat=True).first() or 1
            response = client.get(changelist, {field.name: pk})
            assert response.status_code == 400, f"{changelist}?{field.name}={pk}"
    member = world["people"]["member"]
    membership = Membership.objects.filter(user=member).first()
    for url in (reverse("admin:accounts_user_changelist"), reverse("admin:circles_circle_changelist")):
        response = client.get(url, {"memberships": membership.pk})
        assert response.status_code == 400
        assert member.email not in response.content.decode()


def test_user_delete_confirmation_shows_counts_not_groups_or_pseudonyms(world):
    client = client_for(world["staff"])
    member = world["people"]["member"]
    assert Membership.objects.filter(user=member, status=MembershipStatus.MEMBER).count() == 2
    url = reverse("admin:accounts_user_delete", args=[member.pk])
    body = html.unescape(client.get(url).content.decode())
    assert member.display_name in body
    for secret in ["Kestrel", "Lapwing", world["circle"].code, world["second"].code, "Quillwort", "Marigold"]:
        assert secret not in body
    # The summary still tells the superuser what the deletion removes, as counts.
    assert re.search(r"memberships?\D{0,40}2", body, re.IGNORECASE)
    # The same holds for the bulk action on the people list.
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_selected", "_selected_action": [str(member.pk)]},
    )
    bulk = html.unescape(response.content.decode())
    assert member.display_name in bulk
    assert "Kestrel" not in bulk and "Lapwing" not in bulk


def test_audit_rows_cannot_be_deleted_or_changed_in_the_admin(world):
    client = client_for(world["staff"])
    event = AuditEvent.objects.filter(circle__isnull=False).first()
    count = AuditEvent.objects.count()
    delete_url = reverse("admin:core_auditevent_delete", args=[event.pk])
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:core_auditevent_changelist")
    response = client.post(
        changelist, {"action": "delete_selected", "_selected_action": [str(event.pk)], "post": "yes"}
    )
    assert response.status_code in (200, 302, 403)
    assert AuditEvent.objects.count() == count
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    change = client.post(reverse("admin:core_auditevent_change", args=[event.pk]), {"action": "forged"})
    assert change.status_code == 403
    assert client.get(reverse("admin:core_auditevent_add")).status_code == 403
    event.refresh_from_db()
    assert event.action != "forged"


def test_group_audit_rows_name_the_member_only_by_a_group_scoped_reference(world):
    circle = world["circle"]
    member = world["people"]["member"]
    membership = Membership.objects.get(circle=circle, user=member)
    circle_services.membership_leave(circle=circle, user=member)
    event = AuditEvent.objects.filter(action="membership.left", circle=circle).latest("pk")
    assert event.actor_id is None
    assert event.member_ref == membership.pk
    # Nothing in a group's rows points at a person.
    assert not AuditEvent.objects.filter(circle__isnull=False, actor__isnull=False).exists()
    # Staff actions outside any group keep their staff actor.
    run_event = AuditEvent.objects.get(action="matching.run_created")
    assert run_event.actor_id == world["staff"].pk


def test_audit_strips_person_keys_from_group_rows(world):
    from mutua.core.models import audit

    member = world["people"]["member"]
    audit("test.event", actor=member, circle=world["circle"], user=member.pk, email=member.email, seat=3)
    event = AuditEvent.objects.latest("pk")
    assert event.data == {"seat": 3}
    assert event.actor_id is None and event.member_ref is not None


def test_task_results_show_no_arguments_return_values_or_tracebacks(world):
    client = client_for(world["staff"])
    task = DBTaskResult.objects.get(task_path="mutua.example.notify")
    body = client.get(
        reverse("admin:django_tasks_database_dbtaskresult_change", args=[task.pk])
    ).content.decode()
    assert "mutua.example.notify" in body
    assert world["circle"].code not in body and PEOPLE["member"][1] not in body


def test_the_walk_sees_groups_and_people_where_they_belong(world):
    """The walk can only pass vacuously if staff saw neither: the group's own page names the group,
    the people list names people, and a page naming both would be reported."""
    client = client_for(world["staff"])
    circle = world["circle"]
    body = client.get(reverse("admin:circles_circle_change", args=[circle.pk])).content.decode()
    assert circle.code in body and "Quillwort Harbour Circle" in body
    people = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert PEOPLE["member"][0] in people and PEOPLE["waiting"][1] in people
    assert pairing(body + people, world["person_ids"], world["group_ids"]) != ([], [])


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_drops_the_person_from_existing_group_rows():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("core", "0003_audit_member_ref")]
    after = [("core", "0004_audit_no_person_on_group_rows")]
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    # The models as the database now stands: other apps stay at their latest migration.
    executor = MigrationExecutor(connection)
    apps = executor._create_project_state(with_applied_migrations=True).apps
    User = apps.get_model("accounts", "User")
    Family = apps.get_model("circles", "ExperienceFamily")
    Experience = apps.get_model("circles", "Experience")
    Circle = apps.get_model("circles", "Circle")
    Membership = apps.get_model("circles", "Membership")
    Event = apps.get_model("core", "AuditEvent")
    names = {f"name_{lang}": "x" for lang in ("en", "es", "it", "ca")}
    experience = Experience.objects.create(family=Family.objects.create(slug="f", **names), slug="e", **names)
    circle = Circle.objects.create(code="mig0000001", name="Old group", experience=experience, mode="online")
    person = User.objects.create(email="old.person@walk.test", display_name="Old Person")
    staff = User.objects.create(email="old.staff@walk.test", is_staff=True)
    membership = Membership.objects.create(circle=circle, user=person, status="member", pseudonym="Old")
    joined = Event.objects.create(action="membership.joined", actor=person, circle=circle, data={"user": 7})
    gone = Event.objects.create(
        action="membership.left", actor=User.objects.create(email="g@walk.test"), circle=circle
    )
    staff_row = Event.objects.create(action="matching.run_created", actor=staff, data={"run": 1})

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    apps = MigrationExecutor(connection)._create_project_state(with_applied_migrations=True).apps
    Event = apps.get_model("core", "AuditEvent")
    joined, gone, staff_row = (Event.objects.get(pk=e.pk) for e in (joined, gone, staff_row))
    assert (joined.actor_id, joined.member_ref, joined.data) == (None, membership.pk, {})
    assert (gone.actor_id, gone.member_ref) == (None, None)
    assert (staff_row.actor_id, staff_row.data) == (staff.pk, {"run": 1})

    MigrationExecutor(connection).migrate(leaves)


def test_an_audit_row_cannot_be_rewritten_or_deleted_one_by_one(world):
    event = AuditEvent.objects.filter(circle__isnull=False).first()
    event.action = "forged"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        AuditEvent.objects.get(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action != "forged"


def test_people_pages_show_no_time_of_day(world):
    """A sign-up or login minute beside the minute a group's audit row was written would link a
    person to a group, so the people pages show days only."""
    from datetime import UTC, datetime

    member = world["people"]["member"]
    moment = datetime(2026, 3, 14, 13, 37, 42, tzinfo=UTC)
    type(member).objects.filter(pk=member.pk).update(last_login=moment, date_joined=moment)
    client = client_for(world["staff"])
    pages = [
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_user_change", args=[member.pk]),
    ]
    for url in pages:
        body = html.unescape(client.get(url).content.decode())
        assert member.email in body, url
        assert "2026-03-14" in body, url
        for clock in ("13:37", "1:37", "13.37"):
            assert clock not in body, (url, clock)
