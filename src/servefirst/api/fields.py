"""Field types shared by the features' request schemas."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from servefirst.kit.money import MAX_AMOUNT

#: An amount in minor units: a JSON integer, never a float or a string.
Amount = Annotated[int, Field(strict=True, ge=0, le=MAX_AMOUNT, examples=[450])]
#: A tip in minor units.
Tip = Annotated[int, Field(strict=True, ge=0, le=MAX_AMOUNT, examples=[50])]
#: Text may not carry NUL: PostgreSQL cannot store it, and no person types it.
NO_NUL = r"^[^\x00]*$"
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NO_NUL)
]
ShortText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=2000, pattern=NO_NUL)
]
#: Terms: a sentence, or a list of short statements (returned as given).
TermsText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=4000, pattern=NO_NUL)
]
Terms = TermsText | Annotated[list[TermsText], Field(max_length=50)]


class Body(BaseModel):
    """Request bodies: unknown fields are ignored (integrators' forward compatibility)."""

    model_config = ConfigDict(extra="ignore", str_max_length=4000)


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)
