"""HTTP for a contributor's qualifications."""

from fastapi import APIRouter, Response

from services.contributors.deps import ContributorsRead, QualificationsManage, SettingsDep, contributor_for
from services.contributors.schemas.qualifications import (
    QualificationList,
    QualificationName,
    QualificationRead,
    QualificationUpsert,
)
from services.contributors.service import qualifications as service
from shared.db import ReadSessionDep, SessionDep

router = APIRouter(prefix="/api/v1/contributors/{contributor_id}/qualifications", tags=["qualifications"])

ContributorToRead = contributor_for(ContributorsRead)
ContributorToQualify = contributor_for(QualificationsManage, write=True)


@router.get("", response_model=QualificationList)
async def list_qualifications(contributor: ContributorToRead, session: ReadSessionDep):
    """Every qualification with whether it counts now (passed, not expired) and any re-test flag."""
    return await service.list_qualifications(session=session, contributor=contributor)


@router.put(
    "/{name}",
    response_model=QualificationRead,
    responses={201: {"model": QualificationRead, "description": "first result for this qualification"}},
)
async def award_qualification(
    contributor: ContributorToQualify,
    name: QualificationName,
    data: QualificationUpsert,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
):
    """Record the latest result for a qualification (replacing the previous one, clearing a re-test flag)."""
    read, created = await service.award_qualification(
        session=session, contributor=contributor, name=name, data=data, settings=settings
    )
    response.status_code = 201 if created else 200
    return read


@router.delete("/{name}", status_code=204)
async def revoke_qualification(
    contributor: ContributorToQualify, name: QualificationName, session: SessionDep, settings: SettingsDep
) -> Response:
    await service.revoke_qualification(session=session, contributor=contributor, name=name, settings=settings)
    return Response(status_code=204)
