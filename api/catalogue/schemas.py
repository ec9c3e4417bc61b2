"""Request and response bodies of the catalogue routes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

DisplayText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
KindPath = Literal["skill", "process", "machine"]


class DisplayNameIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The pattern publishes the service's check: at least one Chinese character.
    name_zh: DisplayText = Field(description="中文名称 / Chinese name, e.g. 施釉",
                                 json_schema_extra={"pattern": "[\\u3400-\\u9fff]"})
    name_en: DisplayText = Field(description="英文名称 / English name, e.g. glazing")


class DisplayNameOut(BaseModel):
    kind: KindPath
    code: str
    name_zh: str
    name_en: str
    edited: bool = Field(description="管理员改过（否则为内置名称）/ set by an admin (else the seed name)")
