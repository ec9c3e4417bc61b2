"""The catalogue of display names: seeded, editable by the admin only, used by pages and Excel templates."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from openpyxl import load_workbook

from api.catalogue.defaults import MACHINES, SKILLS
from tests.api.conftest import ADMIN, Backend, World, build_world, ok, start


@pytest.fixture(scope="module")
def world(sqlite_backend: Backend) -> Iterator[World]:
    client, api = start(sqlite_backend)
    try:
        yield build_world(api)
    finally:
        client.__exit__(None, None, None)


def names(world: World) -> dict[tuple[str, str], dict]:
    return {(r["kind"], r["code"]): r for r in ok(world.api.as_("clerk-a").get("/api/v1/catalogue"))}


def test_seeded_with_ceramics_names(world: World) -> None:
    rows = names(world)
    assert rows[("skill", "glazing")]["name_zh"] == "施釉" and rows[("machine", "kiln")]["name_zh"] == "窑炉"
    assert len([k for k in rows if k[0] == "skill"]) == len(SKILLS)
    assert len([k for k in rows if k[0] == "machine"]) == len(MACHINES)
    assert not any(r["edited"] for r in rows.values())


def test_only_the_admin_edits_and_the_message_names_the_role_in_chinese(world: World) -> None:
    r = world.api.as_("coord").put("/api/v1/catalogue/skill/forming", json={"name_zh": "拉坯", "name_en": "throwing"})
    assert r.status_code == 403
    detail = r.json()["detail"]
    assert "仅限平台管理员操作" in detail and "admin" not in detail.split(" / ")[0]


def test_bad_names_are_refused_with_field_and_value(world: World) -> None:
    admin = world.api.as_(ADMIN[0])
    r = admin.put("/api/v1/catalogue/skill/forming", json={"name_zh": "forming", "name_en": "forming"})
    assert r.status_code == 422
    err = r.json()["errors"][0]
    assert err["loc"] == ["body", "name_zh"] and err["input"] == "forming"
    assert admin.put("/api/v1/catalogue/colour/x", json={"name_zh": "色", "name_en": "c"}).status_code == 422
    assert names(world)[("skill", "forming")]["name_zh"] == "成型"  # nothing half-written


def test_an_edit_shows_in_pages_and_templates_then_resets(world: World) -> None:
    admin = world.api.as_(ADMIN[0])
    row = ok(admin.put("/api/v1/catalogue/skill/forming", json={"name_zh": "拉坯成型", "name_en": "throwing"}))
    assert row["edited"] and row["name_zh"] == "拉坯成型"
    # A new code (a process of its own) can be named too.
    ok(admin.put("/api/v1/catalogue/process/hand_painting", json={"name_zh": "手绘", "name_en": "hand painting"}))
    assert names(world)[("process", "hand_painting")]["name_zh"] == "手绘"
    page = world.api.client.get("/report").text
    assert "拉坯成型" in page  # the catalogue is embedded in every page for term()
    r = world.api.as_("clerk-a").get(f"/api/v1/rounds/{world.round}/reports/{world.firms['A']}/template")
    wb = load_workbook(io.BytesIO(r.content))
    assert wb["工人 workers"]["A2"].value == "拉坯成型"
    assert admin.delete("/api/v1/catalogue/skill/forming").status_code == 204
    assert names(world)[("skill", "forming")]["name_zh"] == "成型"
    assert admin.delete("/api/v1/catalogue/skill/forming").status_code == 404
