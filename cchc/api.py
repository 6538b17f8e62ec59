"""The API door: one NinjaAPI, each domain app contributes a router from its api.py."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(
    title="CCHC API",
    version="1",
    description="API của nền tảng CCHC: đơn vị hành chính, bộ thủ tục hành chính, lịch làm việc, hồ sơ.",
    urls_namespace="api",
)


def _mount_routers() -> None:
    from cchc.catalogue.api import router as catalogue_router
    from cchc.units.api import router as units_router
    from cchc.worktime.api import router as calendar_router

    api.add_router("/units", units_router)
    api.add_router("/procedures", catalogue_router)
    api.add_router("/calendar", calendar_router)


_mount_routers()
