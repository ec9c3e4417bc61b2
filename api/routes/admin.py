"""Accounts, alliances, enterprises, guides, audit: the admin's routes (and the readers' views of them)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from api import queries
from api.deps import MAX_ID, AdminUser, CurrentUser, Id, MasterDataEditor, SessionDep
from api.errors import PROBLEM_RESPONSES, Forbidden
from api.models import Role
from api.schemas import (
    AllianceCreate,
    AllianceOut,
    AlliancePolicyOut,
    AuditOut,
    EnterpriseBrief,
    EnterpriseCreate,
    EnterpriseOut,
    EnterpriseUpdate,
    PolicyIn,
    UserCreate,
    UserOut,
    UserUpdate,
)
from api.services import alliances, auth, policies

router = APIRouter(responses=PROBLEM_RESPONSES)


@router.get("/users", response_model=list[UserOut], tags=["admin 管理"], summary="账号列表 / list accounts")
def list_users(
    _: AdminUser, session: SessionDep,
    role: Annotated[Role | None, Query()] = None,
    alliance_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> list[UserOut]:
    users = queries.list_users(session, role.value if role else None, alliance_id)
    return [UserOut.model_validate(u) for u in users]


@router.post("/users", response_model=UserOut, status_code=status.HTTP_201_CREATED, tags=["admin 管理"],
             summary="创建账号 / create an account")
def create_user(data: UserCreate, actor: AdminUser, session: SessionDep) -> UserOut:
    return UserOut.model_validate(auth.create_user(session, actor, data))


@router.patch("/users/{user_id}", response_model=UserOut, tags=["admin 管理"],
              summary="修改账号（密码、停用）/ update an account")
def update_user(user_id: Id, data: UserUpdate, actor: AdminUser, session: SessionDep) -> UserOut:
    return UserOut.model_validate(auth.update_user(session, actor, user_id, data))


@router.get("/alliances", response_model=list[AllianceOut], tags=["alliances 联盟"],
            summary="可见的联盟 / alliances visible to you")
def list_alliances(user: CurrentUser, session: SessionDep) -> list[AllianceOut]:
    return [AllianceOut.model_validate(a) for a in queries.list_alliances_for(session, user)]


@router.post("/alliances", response_model=AllianceOut, status_code=status.HTTP_201_CREATED,
             tags=["alliances 联盟"], summary="创建联盟 / create an alliance")
def create_alliance(data: AllianceCreate, actor: AdminUser, session: SessionDep) -> AllianceOut:
    return AllianceOut.model_validate(alliances.create_alliance(session, actor, data))


@router.get("/alliances/{alliance_id}", response_model=AllianceOut, tags=["alliances 联盟"],
            summary="联盟 / one alliance")
def get_alliance(alliance_id: Id, user: CurrentUser, session: SessionDep) -> AllianceOut:
    return AllianceOut.model_validate(queries.get_alliance_for(session, user, alliance_id))


@router.get("/alliances/{alliance_id}/policy", response_model=AlliancePolicyOut, response_model_exclude_none=True,
            tags=["alliances 联盟"],
            summary="联盟默认撮合规则（新轮次由此开始）/ the alliance's default policy (new rounds start from it)")
def get_alliance_policy(alliance_id: Id, user: CurrentUser, session: SessionDep) -> AlliancePolicyOut:
    return policies.alliance_policy(queries.get_alliance_for(session, user, alliance_id))


@router.put("/alliances/{alliance_id}/policy", response_model=AlliancePolicyOut, response_model_exclude_none=True,
            tags=["alliances 联盟"],
            summary="设定联盟默认撮合规则（本联盟协调员、管理员；未给的项用模型默认值）/ set the alliance's default "
            "policy (its coordinator, admin; a value left out is the model's default)")
def put_alliance_policy(alliance_id: Id, data: PolicyIn, actor: MasterDataEditor,
                        session: SessionDep) -> AlliancePolicyOut:
    alliance = queries.get_alliance_for(session, actor, alliance_id)
    return policies.set_alliance_policy(session, actor, alliance, data)


@router.get("/alliances/{alliance_id}/enterprises", response_model=list[EnterpriseOut] | list[EnterpriseBrief],
            tags=["alliances 联盟"],
            summary="成员企业（企业账号只见名录）/ member firms (a firm sees the directory only)")
def list_enterprises(
    alliance_id: Id, user: CurrentUser, session: SessionDep
) -> list[EnterpriseOut] | list[EnterpriseBrief]:
    alliance = queries.get_alliance_for(session, user, alliance_id)
    members = queries.list_enterprises(session, alliance.id)
    if user.role == Role.ENTERPRISE:
        return [EnterpriseBrief.model_validate(e) for e in members]
    return [EnterpriseOut.model_validate(e) for e in members]


@router.post("/alliances/{alliance_id}/enterprises", response_model=EnterpriseOut,
             status_code=status.HTTP_201_CREATED, tags=["alliances 联盟"], summary="登记成员企业 / add a member firm")
def create_enterprise(alliance_id: Id, data: EnterpriseCreate, actor: AdminUser, session: SessionDep) -> EnterpriseOut:
    alliance = queries.get_alliance_for(session, actor, alliance_id)
    return EnterpriseOut.model_validate(alliances.create_enterprise(session, actor, alliance, data))


@router.get("/enterprises/{enterprise_id}", response_model=EnterpriseOut, tags=["alliances 联盟"],
            summary="企业资料 / one member firm")
def get_enterprise(enterprise_id: Id, user: CurrentUser, session: SessionDep) -> EnterpriseOut:
    return EnterpriseOut.model_validate(queries.get_enterprise_for(session, user, enterprise_id))


@router.patch("/enterprises/{enterprise_id}", response_model=EnterpriseOut, tags=["alliances 联盟"],
              summary="修改企业资料（管理员、本联盟协调员）/ update a member firm (admin, its coordinator)")
def update_enterprise(enterprise_id: Id, data: EnterpriseUpdate, actor: MasterDataEditor,
                      session: SessionDep) -> EnterpriseOut:
    ent = queries.get_enterprise_for(session, actor, enterprise_id)
    return EnterpriseOut.model_validate(alliances.update_enterprise(session, actor, ent, data))


@router.get("/alliances/{alliance_id}/guides", response_model=list[UserOut], tags=["alliances 联盟"],
            summary="联盟的指导员 / guides assigned to an alliance")
def list_guides(alliance_id: Id, user: CurrentUser, session: SessionDep) -> list[UserOut]:
    alliance = queries.get_alliance_for(session, user, alliance_id)
    if user.role == Role.ENTERPRISE:
        raise Forbidden("企业账号不能查看指导员名单 / firms do not list guides")
    return [UserOut.model_validate(u) for u in queries.guides_of(session, alliance.id)]


@router.put("/alliances/{alliance_id}/guides/{user_id}", status_code=status.HTTP_204_NO_CONTENT,
            tags=["admin 管理"], summary="分配指导员 / assign a guide")
def assign_guide(alliance_id: Id, user_id: Id, actor: AdminUser, session: SessionDep) -> None:
    alliance = queries.get_alliance_for(session, actor, alliance_id)
    alliances.assign_guide(session, actor, alliance, user_id)


@router.delete("/alliances/{alliance_id}/guides/{user_id}", status_code=status.HTTP_204_NO_CONTENT,
               tags=["admin 管理"], summary="取消指导员分配 / unassign a guide")
def unassign_guide(alliance_id: Id, user_id: Id, actor: AdminUser, session: SessionDep) -> None:
    alliance = queries.get_alliance_for(session, actor, alliance_id)
    alliances.unassign_guide(session, actor, alliance, user_id)


@router.get("/audit", response_model=list[AuditOut], tags=["admin 管理"],
            summary="审计日志（最新在前）/ audit log, newest first")
def audit_log(
    _: AdminUser, session: SessionDep,
    entity: Annotated[str | None, Query(max_length=80)] = None,
    entity_id: Annotated[str | None, Query(max_length=80)] = None,
    actor_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    alliance_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    before_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="page: entries older than this id")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditOut]:
    rows = queries.list_audit(session, entity, entity_id, actor_id, alliance_id, limit, before_id)
    return [AuditOut.model_validate(r) for r in rows]
