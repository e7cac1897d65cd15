"""Schemas every part of the API shares (one definition each: django-ninja names a schema in the
OpenAPI document by its class name, so two classes with one name would collide)."""

from ninja import Field, Schema


class Message(Schema):
    """An error or a confirmation, in the person's language."""

    detail: str


class ConsentToAccept(Schema):
    """What a member must accept again before seeing the group, and where (`consent_required`)."""

    agreements_version: int = Field(..., description="The group's agreements version to accept.")
    pledge_version: int = Field(..., description="The confidentiality pledge version to accept.")
    accepted_agreements_version: int = Field(..., description="The agreements version you accepted.")
    accepted_pledge_version: int = Field(..., description="The pledge version you accepted.")
    agreements_url: str = Field(
        ..., description="GET: the agreements in force (basic, then the group's own)."
    )
    pledge_url: str = Field(..., description="GET: the confidentiality pledge in force.")
    accept_url: str = Field(
        ..., description="POST here with both versions above and `accepts_pledge: true` to accept them."
    )
    page_url: str = Field(..., description="The page where a person reads and accepts them.")


class ConsentRequiredMessage(Schema):
    """409 with code `consent_required`: the group's agreements or the pledge changed since you
    accepted them. Read them and accept them again (`consent`) before anything else in the group."""

    detail: str
    code: str = Field(..., description='"consent_required", or another conflict\'s code.')
    consent: ConsentToAccept | None = Field(
        None, description="With `consent_required`: what to accept, where."
    )
