"""Bodies of the /api/v1/auth endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from storefleet_api.models.people import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, clean_display_name, normalise_email

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=False)

# Length checks run before any normalising, so a 10 KB field is refused cheaply. 320 is the longest
# address RFC 3696 allows before trimming; the stricter 254 is checked after normalising.
Email = Annotated[str, Field(max_length=320, examples=["alice@example.com"])]


def _encodable(value: str) -> str:
    # Lone surrogates survive JSON decoding but not UTF-8 encoding; refuse them here, not at hash time.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("contains characters that are not valid Unicode") from None
    return value


NewPassword = Annotated[
    str, Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH), AfterValidator(_encodable)
]
GivenPassword = Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD_LENGTH), AfterValidator(_encodable)]


class RegisterRequest(BaseModel):
    model_config = _STRICT

    email: Email
    password: NewPassword
    display_name: str | None = Field(
        default=None, max_length=80, description="Shown in the dashboard; defaults to the email address"
    )

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalise_email(value)

    @field_validator("display_name")
    @classmethod
    def _display_name(cls, value: str | None) -> str | None:
        return None if value is None else clean_display_name(value)


class LoginRequest(BaseModel):
    model_config = _STRICT

    email: Email
    password: GivenPassword

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalise_email(value)


class PasswordChangeRequest(BaseModel):
    model_config = _STRICT

    current_password: GivenPassword
    new_password: NewPassword


class UserOut(BaseModel):
    id: str = Field(description="Stable user id (the name of the user's Secret)")
    email: str
    role: Literal["admin", "tenant"]
    tenant: str = Field(description="The Tenant this user owns; stores live in namespace tenant-<tenant>")
    created_at: datetime


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth 2 token type, not a secret
    expires_in: int = Field(description="Seconds until the token expires")
    user: UserOut
