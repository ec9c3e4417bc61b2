"""Who reaches what across levels: a role x endpoint matrix on the county's and park A's resources, and every
foreign id answering exactly like a missing one (status and message), as tests/api/test_access.py does per alliance.

State: both parks escalated; D withdrew; the county plan (a loan C -> A) is approved and confirmed by A and C.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.api.conftest import Backend, ok, start
from tests.api.county.conftest import County, build_county, county_item, escalate_both

ROLES = ["root", "ccoord", "cguide", "pa-coord", "pa-guide", "pb-coord", "clerk-a", "clerk-c", "clerk-d", "clerk-k"]
MISSING = 987654


@dataclass
class Ids:
    pa: int  # park A alliance
    pr: int  # park A round
    cr: int  # county round
    cj: int  # county job
    cp: int  # county proposal
    ci: int  # county item (confirmed)
    o: int  # A's offer (an order entry)
    e: int  # park A's escalation


@pytest.fixture(scope="module")
def ids(sqlite_backend: Backend) -> Iterator[dict[str, Any]]:
    client, api = start(sqlite_backend)
    try:
        world = build_county(api)
        world.state["offers"] = escalate_both(world)
        job, proposal, item = county_item(world)
        for clerk in ("clerk-a", "clerk-c"):
            ok(api.as_(clerk).post(f"/api/v1/items/{item['id']}/respond", json={"answer": "confirm"}))
        [escalation] = ok(api.as_("pa-coord").get(f"/api/v1/county/rounds/{world.rounds['pa']}/escalations"))
        yield {"world": world, "own": Ids(world.alliances["pa"], world.rounds["pa"], world.rounds["county"], job,
                                          proposal, item["id"], world.state["offers"]["A"], escalation["id"]),
               "missing": Ids(*(MISSING,) * 8)}
    finally:
        client.__exit__(None, None, None)


def _s(**statuses: int) -> dict[str, int]:
    expected = {k.replace("_", "-"): v for k, v in statuses.items()}
    assert set(expected) == set(ROLES), f"incomplete row: {sorted(set(ROLES) - set(expected))}"
    return expected


NOBODY = {r.replace("-", "_"): 403 for r in ROLES}
PARK_A = dict(root=200, ccoord=404, cguide=404, pa_coord=200, pa_guide=200, pb_coord=404, clerk_a=403,
              clerk_c=403, clerk_d=403, clerk_k=403)
COUNTY_STAFF = dict(root=200, ccoord=200, cguide=200, pa_coord=404, pa_guide=404, pb_coord=404, clerk_a=403,
                    clerk_c=403, clerk_d=403, clerk_k=403)
COUNTY_ITEM = dict(root=200, ccoord=200, cguide=200, pa_coord=404, pa_guide=404, pb_coord=404, clerk_a=200,
                   clerk_c=200, clerk_d=404, clerk_k=404)

MATRIX: list[tuple[str, str, str, Any, dict[str, int]]] = [
    ("set parent", "PUT", "/api/v1/county/alliances/{pa}/parent", "parent",
     _s(**{**NOBODY, "root": 200})),
    ("targets", "GET", "/api/v1/county/rounds/{pr}/targets", None, _s(**PARK_A)),
    ("leftovers", "GET", "/api/v1/county/rounds/{pr}/leftovers", None, _s(**PARK_A)),
    ("escalate", "POST", "/api/v1/county/rounds/{pr}/escalations", "target",
     _s(**{**NOBODY, "ccoord": 404, "pa_coord": 409, "pb_coord": 404})),
    ("escalated", "GET", "/api/v1/county/rounds/{pr}/escalations", None, _s(**PARK_A)),
    ("county items of the park", "GET", "/api/v1/county/rounds/{pr}/county-items", None, _s(**PARK_A)),
    ("park reports", "GET", "/api/v1/rounds/{pr}/reports", None,
     _s(**{**PARK_A, "clerk_a": 200, "clerk_c": 404, "clerk_d": 404, "clerk_k": 404})),
    ("park scenario", "GET", "/api/v1/rounds/{pr}/scenario", None, _s(**PARK_A)),
    ("received", "GET", "/api/v1/county/rounds/{cr}/received", None, _s(**COUNTY_STAFF)),
    ("county round", "GET", "/api/v1/rounds/{cr}", None,
     _s(**{**COUNTY_STAFF, "clerk_a": 404, "clerk_c": 404, "clerk_d": 404, "clerk_k": 200})),
    ("county job", "GET", "/api/v1/jobs/{cj}/snapshot", None, _s(**COUNTY_STAFF)),
    ("county proposal items", "GET", "/api/v1/proposals/{cp}/items", None,
     _s(**{**COUNTY_STAFF, "clerk_a": 404, "clerk_c": 404, "clerk_d": 404, "clerk_k": 200})),
    ("county review", "POST", "/api/v1/proposals/{cp}/review", {"decision": "approve"},
     _s(**{**NOBODY, "cguide": 409, "pa_guide": 404})),
    ("county item", "GET", "/api/v1/items/{ci}", None, _s(**COUNTY_ITEM)),
    ("county agreement", "GET", "/api/v1/items/{ci}/agreement", None, _s(**COUNTY_ITEM)),
    # Its two parties may answer again until the coordinator acts (docs/lifecycle.md): the same answer is a 200.
    ("respond", "POST", "/api/v1/items/{ci}/respond", {"answer": "confirm"},
     _s(**{**NOBODY, "clerk_a": 200, "clerk_c": 200, "clerk_d": 404, "clerk_k": 404})),
    ("withdraw", "POST", "/api/v1/county/offers/{o}/withdraw", None,
     _s(**{**NOBODY, "clerk_a": 409, "clerk_c": 404, "clerk_d": 404, "clerk_k": 404})),
    # The confirmed county item rests on A's offer: the park's own coordinator is refused, nobody else sees it.
    ("retract", "POST", "/api/v1/county/escalations/{e}/retract", {"reason": "撤回"},
     _s(**{**NOBODY, "pa_coord": 409, "ccoord": 404, "pb_coord": 404})),
    ("my offers", "GET", "/api/v1/county/me/offers", None,
     _s(**{**NOBODY, "clerk_a": 200, "clerk_c": 200, "clerk_d": 200, "clerk_k": 200})),
]


def _call(world: County, role: str, method: str, path: str, body: Any, ids: Ids) -> Any:
    url = path.format(pa=ids.pa, pr=ids.pr, cr=ids.cr, cj=ids.cj, cp=ids.cp, ci=ids.ci, o=ids.o, e=ids.e)
    if body == "parent":
        body = {"parent_id": world.alliances["county"]}
    elif body == "target":
        body = {"to_round_id": ids.cr}
    kwargs = {"json": body} if body is not None else {}
    return world.api.as_(role).request(method, url, **kwargs)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), MATRIX, ids=[m[0] for m in MATRIX])
def test_matrix(ids: dict[str, Any], role: str, name: str, method: str, path: str, body: Any,
                expected: dict[str, int]) -> None:
    assert _call(ids["world"], role, method, path, body, ids["own"]).status_code == expected[role]


HIDDEN = [(m, role) for m in MATRIX if "{" in m[2] for role in ROLES if m[4][role] == 404]


@pytest.mark.parametrize(("row", "role"), HIDDEN, ids=[f"{m[0]}-{role}" for m, role in HIDDEN])
def test_what_is_hidden_looks_like_nothing(ids: dict[str, Any], row: Any, role: str) -> None:
    """A park's or the county's ids, for whoever may not see them, answer exactly like ids that do not exist."""
    _, method, path, body, _ = row
    world, own, missing = ids["world"], ids["own"], ids["missing"]
    hidden = _call(world, role, method, path, body, own)
    absent = _call(world, role, method, path, body, missing)
    assert hidden.status_code == absent.status_code == 404
    detail = hidden.json()["detail"]
    for value in {own.pa, own.pr, own.cr, own.cj, own.cp, own.ci, own.o}:
        detail = detail.replace(f" {value} ", f" {MISSING} ")
    assert detail == absent.json()["detail"]


def test_lists_show_each_level_only_its_own(ids: dict[str, Any]) -> None:
    world, own = ids["world"], ids["own"]
    api = world.api
    # A firm's offers are its own; the county's staff see escalations, not the parks' reports.
    for clerk, code in (("clerk-a", "A"), ("clerk-c", "C"), ("clerk-d", "D")):
        assert {o["enterprise"]["code"] for o in ok(api.as_(clerk).get("/api/v1/county/me/offers"))} == {code}
    assert ok(api.as_("clerk-k").get("/api/v1/county/me/offers")) == []
    received = ok(api.as_("ccoord").get(f"/api/v1/county/rounds/{own.cr}/received"))
    assert {e["from_round"]["alliance_id"] for e in received} == {world.alliances["pa"], world.alliances["pb"]}
    # B reported in park A but has nothing left after the park plan: the county never hears of it.
    assert {e["enterprise"]["code"] for esc in received for e in esc["entries"]} == {"A", "C", "D"}
    assert all("blocked" not in key for esc in received for e in esc["entries"] for key in e["payload"])
    # A firm lists only its own items, the county ones included.
    assert own.ci in {i["id"] for i in ok(api.as_("clerk-a").get("/api/v1/me/items"))}
    assert own.ci not in {i["id"] for i in ok(api.as_("clerk-d").get("/api/v1/me/items"))}
    # The county alliance lists the park alliances only for the admin; a park coordinator sees its own only.
    assert [a["id"] for a in ok(api.as_("pa-coord").get("/api/v1/alliances"))] == [world.alliances["pa"]]
    assert [a["id"] for a in ok(api.as_("ccoord").get("/api/v1/alliances"))] == [world.alliances["county"]]
