"""Query parameter types shared by the route modules."""

from typing import Annotated

from fastapi import Depends

from shared.pagination import PageParams, page_params

Paging = Annotated[PageParams, Depends(page_params)]
