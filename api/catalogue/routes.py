"""``/api/v1/catalogue``: everyone signed in reads the names; the admin edits them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from api.catalogue import load
from api.catalogue import service as catalogue
from api.catalogue.schemas import DisplayNameIn, DisplayNameOut, KindPath
from api.deps import AdminUser, CurrentUser, SessionDep
from api.errors import PROBLEM_RESPONSES

router = APIRouter(prefix="/catalogue", tags=["catalogue 名称"], responses=PROBLEM_RESPONSES)
# The pattern is the service's (api/catalogue/service.py), published; the service still names a bad code.
CodePath = Annotated[str, Path(min_length=1, max_length=100, description="代码 / code, e.g. glazing",
                               json_schema_extra={"pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]*$"})]


@router.get("", response_model=list[DisplayNameOut],
            summary="工种、工序、设备的名称 / names of skills, processes, machines")
def list_names(_: CurrentUser, session: SessionDep) -> list[DisplayNameOut]:
    return [DisplayNameOut(**e.__dict__) for e in load(session).rows()]


@router.put("/{kind}/{code}", response_model=DisplayNameOut, summary="设置名称 / set a name (admin)")
def set_name(kind: KindPath, code: CodePath, data: DisplayNameIn, actor: AdminUser,
             session: SessionDep) -> DisplayNameOut:
    return DisplayNameOut(**catalogue.set_name(session, actor, kind, code, data).__dict__)


@router.delete("/{kind}/{code}", status_code=status.HTTP_204_NO_CONTENT,
               summary="恢复内置名称 / back to the seed name (admin)")
def reset_name(kind: KindPath, code: CodePath, actor: AdminUser, session: SessionDep) -> Response:
    catalogue.reset_name(session, actor, kind, code)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
