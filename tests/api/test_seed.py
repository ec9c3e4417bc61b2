"""The first start: demo alliance seeded from examples/dehua-24.json, accounts printed, a plan at once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.server import create_app
from api.services.seed import DEMO_SCENARIO
from tests.api.conftest import Api, Backend, ok, wait_job


@pytest.mark.skipif(not DEMO_SCENARIO.is_file(), reason=f"{DEMO_SCENARIO} not in this checkout")
def test_demo_seed_and_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    backend = Backend("sqlite", f"sqlite:///{tmp_path / 'demo.db'}")
    settings = backend.settings(seed_demo=True, admin_password=None, solver_time_limit_s=5.0)
    example = json.loads(DEMO_SCENARIO.read_text(encoding="utf-8"))
    with TestClient(create_app(settings)) as client:
        printed = capsys.readouterr().out
        for username in ("admin", "coordinator", "guide", f"clerk-{example['enterprises'][0]['id'].lower()}"):
            assert f"{username}-demo" in printed
        api = Api(client)
        # One argon2 setting for every account: the seeded ones are hashed like any other (issue 13).
        factory = client.app.state.session_factory  # type: ignore[attr-defined]
        from api import queries
        from api.security import hash_password

        with factory() as session:
            seeded = queries.get_user_by_username(session, "admin")
            assert seeded is not None
            assert seeded.password_hash.rsplit("$", 2)[0] == hash_password("x").rsplit("$", 2)[0]
        api.login("coordinator", "coordinator-demo")
        coord = api.as_("coordinator")
        (alliance,) = ok(coord.get("/api/v1/alliances"))
        assert alliance["code"] == example["alliance"]["id"]
        (rnd,) = ok(coord.get(f"/api/v1/alliances/{alliance['id']}/rounds"))
        assert rnd["horizon_days"] == example["horizon_days"] and rnd["status"] == "open"
        # The demo alliance carries the park's own rules, and the demo round inherits them (issue 10).
        default = ok(coord.get(f"/api/v1/alliances/{alliance['id']}/policy"))
        assert default["policy"] == {**default["model_defaults"], **example["policy"]}
        assert rnd["policy"]["lend_radius_km"] == 2.5 and rnd["policy"]["subcontract_radius_km"] == 6
        assert rnd["policy_sources"]["lend_radius_km"] == "alliance"
        status = ok(coord.get(f"/api/v1/rounds/{rnd['id']}/reports"))
        assert len(status) == len(example["enterprises"]) and all(s["latest_version"] == 1 for s in status)
        scenario = ok(coord.get(f"/api/v1/rounds/{rnd['id']}/scenario"))
        assert len(scenario["orders"]) == len(example["orders"])
        assert {o["id"] for o in scenario["orders"]} == {
            o["id"] if o["id"].startswith(o["owner"] + "-") else f"{o['owner']}-{o['id']}" for o in example["orders"]}
        job = ok(coord.post(f"/api/v1/rounds/{rnd['id']}/jobs", json={"time_limit_s": 5}), 202)
        done = wait_job(coord, job["id"], timeout=120)
        assert done["status"] == "succeeded" and done["objective"] > 0
        clerk = f"clerk-{example['enterprises'][0]['id'].lower()}"
        api.login(clerk, f"{clerk}-demo")
        api.login("guide", "guide-demo")
        api.login("admin", "admin-demo")

    # A second start seeds nothing more and lists the demo accounts again.
    with TestClient(create_app(settings)) as client:
        assert "coordinator-demo" in capsys.readouterr().out
        api = Api(client)
        api.login("admin", "admin-demo")
        assert len(ok(api.as_("admin").get("/api/v1/alliances"))) == 1
